import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

/**
 * The worker role's small HTTP server: `/healthz` (the process runs), `/readyz` (Neo4j, Redis and the
 * models its queues need are there: 200, else 503 with the checks) and `/metrics`, so orchestrators
 * probe and scrape workers the same way as API replicas. Nothing else is served.
 */
export interface ProbeServer {
  listen(port: number, host: string): Promise<number>;
  close(): Promise<void>;
}

export function createProbeServer(opts: { ready: () => Promise<{ ready: boolean; checks: object }>; registry: Registry }): ProbeServer {
  const server: Server = createServer((req, res) => {
    const send = (status: number, type: string, body: string) => {
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
      res.end(body);
    };
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, 'application/json', '{"error":"method not allowed"}');
    if (path === '/healthz') return send(200, 'application/json', '{"status":"ok"}');
    if (path === '/readyz') {
      void opts
        .ready()
        .catch(() => ({ ready: false, checks: {} }))
        .then((r) => send(r.ready ? 200 : 503, 'application/json', JSON.stringify({ status: r.ready ? 'ready' : 'not ready', ...r.checks })));
      return;
    }
    if (path === '/metrics') {
      void opts.registry.metrics().then(
        (text) => send(200, opts.registry.contentType, text),
        (err: Error) => send(500, 'text/plain', err.message),
      );
      return;
    }
    send(404, 'application/json', '{"error":"not found"}');
  });
  return {
    listen: (port, host) =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => resolve((server.address() as AddressInfo).port));
      }),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
