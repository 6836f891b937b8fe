package dev.answergraph.neo4j;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.neo4j.cli.ExecutionContext;
import org.neo4j.commandline.admin.security.SetInitialPasswordCommand;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.kernel.internal.Version;
import org.neo4j.server.CommunityBootstrapper;
import picocli.CommandLine;

/**
 * Runs Neo4j Community (Bolt, HTTP API and Browser) the way a packaged server would, but from Maven Central jars.
 *
 * <pre>
 * java -Xmx1g -jar target/answergraph-neo4j.jar --home DIR --bolt-port 7687 --http-port 7474 --password-file FILE
 * </pre>
 *
 * {@code --home} is NEO4J_HOME: databases, transaction logs and Neo4j's own logs live under it, so data persists
 * across restarts. The password is read from a file rather than argv so it never shows in {@code ps}.
 * SIGTERM/SIGINT are handled by {@link org.neo4j.server.NeoBootstrapper}: it exits through a shutdown hook that stops
 * the DBMS cleanly (checkpoint, store files closed).
 */
public final class Launcher {
    /** The line our process supervisor (src/services) and humans wait for. */
    static final String READY_PREFIX = "answergraph-neo4j ready";

    private Launcher() {}

    public static void main(String[] argv) throws Exception {
        Args args;
        try {
            args = Args.parse(argv);
        } catch (IllegalArgumentException e) {
            System.err.println("answergraph-neo4j: " + e.getMessage());
            System.err.println(Args.USAGE);
            System.exit(64);
            return;
        }

        Path home = args.home.toAbsolutePath();
        Files.createDirectories(home);
        String password = Files.readString(args.passwordFile).strip();

        // The neo4j user is created when the system database is first initialised; until then Neo4j reads the
        // initial credentials from data/dbms/auth.ini (what `neo4j-admin dbms set-initial-password` writes). Doing it
        // before start means the server never runs with the default neo4j/neo4j, not even for a moment.
        if (!Files.isDirectory(home.resolve("data/databases/system"))) {
            setInitialPassword(home, password);
        }

        CommunityBootstrapper bootstrapper = new CommunityBootstrapper();
        int rc = bootstrapper.start(home, null, settings(args), false, false);
        if (rc != 0) {
            System.err.println("answergraph-neo4j: Neo4j failed to start (code " + rc + "); see " + home.resolve("logs"));
            System.exit(rc);
        }

        boolean cjk = hasCjkAnalyzer(bootstrapper.getDatabaseManagementService());
        System.out.printf(
                "%s: neo4j %s bolt://127.0.0.1:%d http://127.0.0.1:%d/browser/ cjk-analyzer=%s home=%s%n",
                READY_PREFIX, Version.getNeo4jVersion(), args.boltPort, args.httpPort, cjk, home);
        System.out.flush();

        // Park the main thread; the signal handler calls System.exit, which runs the shutdown hook.
        new CountDownLatch(1).await();
    }

    private static Map<String, String> settings(Args args) {
        Map<String, String> s = new LinkedHashMap<>();
        // Loopback only: this is a developer/CI database with a generated password, never a shared server.
        s.put("server.default_listen_address", "127.0.0.1");
        s.put("server.default_advertised_address", "127.0.0.1");
        s.put("server.bolt.listen_address", "127.0.0.1:" + args.boltPort);
        s.put("server.bolt.advertised_address", "127.0.0.1:" + args.boltPort);
        s.put("server.http.listen_address", "127.0.0.1:" + args.httpPort);
        s.put("server.http.advertised_address", "127.0.0.1:" + args.httpPort);
        s.put("server.https.enabled", "false");
        s.put("dbms.security.auth_enabled", "true");
        // Heap is set by the JVM flags of whoever starts us; keep the page cache modest too (shared small machines).
        s.put("server.memory.pagecache.size", args.pageCache);
        // Local data only needs crash safety, not point-in-time recovery: keep transaction logs from piling up.
        s.put("db.tx_log.rotation.retention_policy", "2 files");
        // Bolt's Netty event loops otherwise idle through two 5 s quiet periods on shutdown; nothing local needs that.
        s.put("internal.dbms.bolt.netty_server_shutdown_quiet_period", "0");
        // No phoning home: these machines may have no outbound network, and local data is nobody else's business.
        s.put("dbms.usage_report.enabled", "false");
        s.put("client.allow_telemetry", "false");
        return s;
    }

    private static void setInitialPassword(Path home, String password) {
        var command = new SetInitialPasswordCommand(new ExecutionContext(home, home.resolve("conf")));
        int rc = new CommandLine(command).execute(password);
        if (rc != 0) {
            throw new IllegalStateException("set-initial-password failed with exit code " + rc);
        }
    }

    /** Fulltext indexes over Chinese text need the `cjk` analyzer; fail loudly at start if a build lacks it. */
    private static boolean hasCjkAnalyzer(DatabaseManagementService dbms) {
        var db = dbms.database("neo4j");
        try (var tx = db.beginTx();
                var result = tx.execute("CALL db.index.fulltext.listAvailableAnalyzers() YIELD analyzer "
                        + "WHERE analyzer = 'cjk' RETURN count(*) AS n")) {
            return ((Number) result.next().get("n")).longValue() > 0;
        }
    }

    /** Command-line arguments; kept dependency-free on purpose (picocli is Neo4j's, not ours). */
    private record Args(Path home, int boltPort, int httpPort, Path passwordFile, String pageCache) {
        static final String USAGE = "usage: answergraph-neo4j --home DIR --bolt-port PORT --http-port PORT "
                + "--password-file FILE [--pagecache 256m]";

        static Args parse(String[] argv) {
            Map<String, String> values = new LinkedHashMap<>();
            for (int i = 0; i < argv.length; i++) {
                String key = argv[i];
                if (!key.startsWith("--") || i + 1 >= argv.length) {
                    throw new IllegalArgumentException("unexpected argument: " + key);
                }
                values.put(key.substring(2), argv[++i]);
            }
            return new Args(
                    Path.of(required(values, "home")),
                    port(required(values, "bolt-port")),
                    port(required(values, "http-port")),
                    Path.of(required(values, "password-file")),
                    values.getOrDefault("pagecache", "256m"));
        }

        private static String required(Map<String, String> values, String key) {
            String value = values.get(key);
            if (value == null || value.isBlank()) {
                throw new IllegalArgumentException("missing --" + key);
            }
            return value;
        }

        private static int port(String value) {
            int port = Integer.parseInt(value);
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("port out of range: " + value);
            }
            return port;
        }
    }
}
