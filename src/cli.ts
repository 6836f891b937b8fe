#!/usr/bin/env node
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import { ConfigError, loadProcessConfig } from './config/config.js';
import { MEDIA_TYPE_BY_EXTENSION, isBinaryFormat, formatOf } from './ingestion/content.js';

/**
 * `answergraph ingest <files or folders…>` — sends documents to a running answergraph through its
 * GraphQL API (`ingestDocument`), follows each job (`ingestionJob`) with a progress bar, and prints a
 * summary. The API does the work on its workers, so the CLI needs nothing but the URL and a key:
 * `--url` / ANSWERGRAPH_API_URL (default http://127.0.0.1:4000/graphql), `--key` / ANSWERGRAPH_API_KEY
 * (or ADMIN_API_KEY). Exit code 1 when any document failed.
 */

const USAGE = `usage: answergraph ingest <files or folders…> [options]

  --url <url>            GraphQL endpoint (ANSWERGRAPH_API_URL; default http://127.0.0.1:4000/graphql)
  --key <key>            API key of an EDITOR, ADMIN or SERVICE (ANSWERGRAPH_API_KEY, else ADMIN_API_KEY)
  --source-prefix <p>    source of each file is <p><relative path> (default "file:")
  --language <en|zh>     language of the documents (default: detected)
  --visibility <v>       PUBLIC, INTERNAL or RESTRICTED (default PUBLIC)
  --trusted              publish the drafts without review (EDITOR and ADMIN keys)
  --concurrency <n>      documents in flight at once (default 4)
  --no-wait              submit and exit without following the jobs

Formats: ${Object.keys(MEDIA_TYPE_BY_EXTENSION).join(' ')} (other files are skipped).`;

interface Job {
  id: string;
  status: string;
  progress: number;
  stage: string;
  error: string | null;
  unchanged: boolean;
  counts: { chunks: number; drafts: number; reviewTasks: number; piiFound: number; entitiesCreated: number; relations: number };
}
const JOB = 'id status progress stage error unchanged counts { chunks drafts reviewTasks piiFound entitiesCreated relations }';

class Api {
  constructor(
    private readonly url: string,
    private readonly key: string,
  ) {}

  async gql<T>(query: string, variables: Record<string, unknown>): Promise<T> {
    let res: Response | undefined;
    // Network errors are retried: every operation the CLI sends is idempotent (submitting a document
    // twice returns the same job).
    for (let attempt = 1; !res; attempt++) {
      try {
        res = await fetch(this.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${this.key}` }, body: JSON.stringify({ query, variables }) });
      } catch (err) {
        if (attempt >= 4) throw new Error(`cannot reach ${this.url} (${(err as Error).cause ?? (err as Error).message}); is the API running (npm start)?`);
        await new Promise((r) => setTimeout(r, 250 * 2 ** attempt));
      }
    }
    if (res.status === 413) throw new Error('the file is larger than the API accepts in one request (REQUEST_BODY_LIMIT)');
    const body = (await res.json().catch(() => ({}))) as { data?: T; errors?: Array<{ message: string; extensions?: { code?: string } }> };
    if (body.errors?.length) throw new Error(body.errors.map((e) => `${e.message}${e.extensions?.code ? ` (${e.extensions.code})` : ''}`).join('; '));
    if (!body.data) throw new Error(`HTTP ${res.status} without data`);
    return body.data;
  }
}

async function collect(paths: string[]): Promise<{ files: string[]; skipped: string[] }> {
  const files: string[] = [];
  const skipped: string[] = [];
  const visit = async (p: string) => {
    const s = await stat(p).catch(() => null);
    if (!s) return skipped.push(`${p} (not found)`);
    if (s.isDirectory()) {
      for (const entry of (await readdir(p)).sort()) if (!entry.startsWith('.')) await visit(path.join(p, entry));
    } else if (MEDIA_TYPE_BY_EXTENSION[path.extname(p).toLowerCase()]) files.push(p);
    else skipped.push(`${p} (unknown format)`);
  };
  for (const p of paths) await visit(p);
  return { files, skipped };
}

function titleOf(file: string, text: string | null): string {
  const heading = text?.match(/^#\s+(.+)$/m)?.[1] ?? text?.match(/<title>([^<]+)<\/title>/i)?.[1];
  return (heading ?? path.basename(file, path.extname(file))).trim().slice(0, 200);
}

async function ingest(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      url: { type: 'string' },
      key: { type: 'string' },
      'source-prefix': { type: 'string', default: 'file:' },
      language: { type: 'string' },
      visibility: { type: 'string', default: 'PUBLIC' },
      trusted: { type: 'boolean', default: false },
      concurrency: { type: 'string', default: '4' },
      'no-wait': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help || positionals.length === 0) {
    console.log(USAGE);
    return values.help ? 0 : 2;
  }
  const config = loadProcessConfig();
  const key = values.key ?? config.cli.apiKey;
  if (!key) {
    console.error('answergraph ingest: no API key; pass --key or set ANSWERGRAPH_API_KEY (an EDITOR, ADMIN or SERVICE key).');
    return 2;
  }
  const api = new Api(values.url ?? config.cli.apiUrl, key);
  const { files, skipped } = await collect(positionals);
  for (const s of skipped) console.warn(`skipped ${s}`);
  if (files.length === 0) {
    console.error('answergraph ingest: no documents to ingest.');
    return 2;
  }

  const bar = new cliProgress.SingleBar(
    { format: ' {bar} {percentage}% | {done}/{total} documents | {failed} failed | {file}', hideCursor: true, clearOnComplete: false, barsize: 30 },
    cliProgress.Presets.shades_classic,
  );
  const results = new Map<string, { job: Job | null; error: string | null }>();
  const progress = new Map<string, number>();
  const update = (file: string) => {
    const done = [...results.values()].length;
    const failed = [...results.values()].filter((r) => r.error || r.job?.status === 'FAILED').length;
    const sum = [...progress.values()].reduce((a, b) => a + b, 0);
    bar.update(Math.round((sum / files.length) * 1000), { done, total: files.length, failed, file: path.basename(file) });
  };
  bar.start(1000, 0, { done: 0, total: files.length, failed: 0, file: '' });

  const one = async (file: string) => {
    try {
      const ext = path.extname(file).toLowerCase();
      const mediaType = MEDIA_TYPE_BY_EXTENSION[ext]!;
      const bytes = await readFile(file);
      const binary = isBinaryFormat(formatOf(mediaType));
      const text = binary ? null : bytes.toString('utf8');
      const input = {
        title: titleOf(file, text),
        mediaType,
        content: binary ? bytes.toString('base64') : text,
        source: `${values['source-prefix']}${path.relative(process.cwd(), path.resolve(file)).split(path.sep).join('/')}`,
        language: values.language ?? null,
        visibility: values.visibility,
        trusted: values.trusted || null,
      };
      let job = (await api.gql<{ ingestDocument: Job }>(`mutation($input: IngestDocumentInput!) { ingestDocument(input: $input) { ${JOB} } }`, { input })).ingestDocument;
      while (!values['no-wait'] && job.status !== 'COMPLETED' && job.status !== 'FAILED') {
        progress.set(file, job.progress);
        update(file);
        await new Promise((r) => setTimeout(r, 500));
        job = (await api.gql<{ ingestionJob: Job | null }>(`query($id: ID!) { ingestionJob(id: $id) { ${JOB} } }`, { id: job.id })).ingestionJob ?? job;
      }
      results.set(file, { job, error: null });
    } catch (err) {
      results.set(file, { job: null, error: (err as Error).message });
    }
    progress.set(file, 1);
    update(file);
  };

  const queue = [...files];
  const workers = Array.from({ length: Math.max(1, Number(values.concurrency) || 4) }, async () => {
    for (let f = queue.shift(); f !== undefined; f = queue.shift()) await one(f);
  });
  await Promise.all(workers);
  bar.stop();

  const all = [...results.entries()];
  const jobs = all.map(([, r]) => r.job).filter((j): j is Job => j !== null);
  const sum = (k: keyof Job['counts']) => jobs.reduce((n, j) => n + (j.counts?.[k] ?? 0), 0);
  const failed = all.filter(([, r]) => r.error || r.job?.status === 'FAILED');
  console.log('');
  console.table({
    documents: files.length,
    completed: jobs.filter((j) => j.status === 'COMPLETED' && !j.unchanged).length,
    unchanged: jobs.filter((j) => j.unchanged).length,
    queued: jobs.filter((j) => j.status === 'QUEUED' || j.status === 'RUNNING').length,
    failed: failed.length,
    chunks: sum('chunks'),
    drafts: sum('drafts'),
    'review tasks': sum('reviewTasks'),
    'new entities': sum('entitiesCreated'),
    relations: sum('relations'),
    'PII masked': sum('piiFound'),
  });
  for (const [file, r] of failed) console.error(`✖ ${file}: ${r.error ?? r.job?.error}`);
  return failed.length ? 1 : 0;
}

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  try {
    if (command === 'ingest') process.exitCode = await ingest(rest);
    else {
      console.log(USAGE);
      process.exitCode = command === undefined || command === '--help' || command === '-h' ? 0 : 2;
    }
  } catch (err) {
    console.error(`answergraph: ${err instanceof ConfigError ? err.message : (err as Error).message}`);
    process.exitCode = 1;
  }
}

void main(process.argv.slice(2));
