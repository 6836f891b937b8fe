import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { AppError } from '../errors.js';

/**
 * Loads `cypher/<area>/<name>.cypher` by name, once. Every query file opens with a comment header
 * (parameters, what it returns, when it fails); the header stays in the text Neo4j receives, which
 * also makes the query recognisable in `SHOW TRANSACTIONS`.
 *
 * Shared predicates live in `cypher/fragments/<fragment>.cypher` and are written into a query as
 * `{{<fragment> <variable>...}}` (e.g. `WHERE {{visible-knowledge k}} AND ...`). They are expanded
 * here, once, when the query is first loaded: the cached, expanded text is what runs (the executor's
 * `read`/`write`/`Tx.run` all come through {@link CypherLoader.get}). An expansion stays on the
 * placeholder's line, so Neo4j's line numbers still match the file. An unknown fragment, a missing or
 * surplus variable, or a variable the query never binds is an error naming the file and line. See
 * docs/cypher.md.
 */
export class CypherLoader {
  private readonly cache = new Map<string, string>();
  private readonly fragments = new Map<string, Fragment>();
  constructor(private readonly root: string) {}

  get(name: string): string {
    let text = this.cache.get(name);
    if (text === undefined) {
      if (!/^[a-z0-9-]+(\/[a-z0-9-]+)*$/.test(name)) {
        throw new AppError('INTERNAL', `Invalid cypher query name "${name}"`);
      }
      if (name.startsWith(`${FRAGMENTS}/`)) {
        throw new AppError('INTERNAL', `"${name}" is a fragment, not a query: include it as {{${name.slice(FRAGMENTS.length + 1)} <variable>}}`);
      }
      const file = path.join(this.root, `${name}.cypher`);
      text = this.expand(readFileSync(file, 'utf8'), displayPath(file));
      this.cache.set(name, text);
    }
    return text;
  }

  /** The queries that can be run by name: every file under the root but fragments and migrations, sorted. */
  queryNames(): string[] {
    if (!existsSync(this.root)) return [];
    return readdirSync(this.root, { recursive: true, encoding: 'utf8' })
      .map((f) => f.split(path.sep).join('/'))
      .filter((f) => f.endsWith('.cypher') && !f.startsWith(`${FRAGMENTS}/`) && !f.startsWith(`${MIGRATIONS}/`))
      .map((f) => f.slice(0, -'.cypher'.length))
      .sort();
  }

  /** The fragments `cypher/fragments/` holds, by name. */
  fragmentNames(): string[] {
    const dir = path.join(this.root, FRAGMENTS);
    if (!existsSync(dir)) return [];
    return readdirSync(dir)
      .filter((f) => f.endsWith('.cypher'))
      .map((f) => f.slice(0, -'.cypher'.length))
      .sort();
  }

  /** Replaces every placeholder of `text` (from `file`) with its fragment, for the variables it names. */
  expand(text: string, file: string): string {
    const uses = findPlaceholders(text, file);
    if (uses.length === 0) return text;
    // What the query itself binds: its code without comments, strings and the placeholders.
    let rest = codeOf(text);
    for (const u of uses) rest = rest.slice(0, u.start) + ' '.repeat(u.end - u.start) + rest.slice(u.end);
    let out = '';
    let at = 0;
    for (const u of uses) {
      const where = `${file}:${u.line}: ${text.slice(u.start, u.end)}`;
      const fragment = this.fragment(u.name, where);
      if (u.args.length !== fragment.vars.length) {
        const missing = u.args.length < fragment.vars.length;
        throw new AppError(
          'INTERNAL',
          `${where}: ${missing ? 'missing variable' : 'too many variables'}: fragment ${u.name} takes ${fragment.vars.length} (${fragment.vars.join(', ')}), got ${u.args.length}`,
        );
      }
      for (const arg of u.args) {
        if (!new RegExp(`(?<![\\w.$\`])${arg}(?![\\w\`])`).test(rest)) {
          throw new AppError('INTERNAL', `${where}: variable ${arg} does not occur in the query`);
        }
      }
      out += text.slice(at, u.start) + fragment.apply(u.args);
      at = u.end;
    }
    return out + text.slice(at);
  }

  private fragment(name: string, where: string): Fragment {
    let fragment = this.fragments.get(name);
    if (fragment === undefined) {
      const file = path.join(this.root, FRAGMENTS, `${name}.cypher`);
      if (!existsSync(file)) {
        throw new AppError('INTERNAL', `${where}: unknown fragment "${name}" (known: ${this.fragmentNames().join(', ') || 'none'})`);
      }
      fragment = parseFragment(readFileSync(file, 'utf8'), displayPath(file));
      this.fragments.set(name, fragment);
    }
    return fragment;
  }
}

/** The folder of `cypher/` that holds fragments (never loaded as queries). */
export const FRAGMENTS = 'fragments';

/** The folder of `cypher/` that holds schema migrations (applied by src/graph/migrations.ts, not run by name). */
const MIGRATIONS = 'migrations';

export interface Placeholder {
  /** Offsets of `{{` and just after `}}` in the query text. */
  start: number;
  end: number;
  /** 1-based line of `{{`. */
  line: number;
  name: string;
  args: string[];
}

/**
 * The placeholders `{{fragment var...}}` in the code of a query (comments and strings are not code:
 * a header may show the syntax). `{{` is never valid Cypher, so any `{{` that is not a well-formed
 * placeholder is an error naming `file` and the line.
 */
export function findPlaceholders(text: string, file: string): Placeholder[] {
  const code = codeOf(text);
  const found: Placeholder[] = [];
  for (let i = code.indexOf('{{'); i !== -1; i = code.indexOf('{{', i + 2)) {
    const line = lineAt(code, i);
    const m = /\{\{([^{}\n]*)\}\}/y;
    m.lastIndex = i;
    const match = m.exec(code);
    if (!match) throw new AppError('INTERNAL', `${file}:${line}: "{{" starts no placeholder {{fragment variable...}} on this line`);
    const [name = '', ...args] = (match[1] ?? '').trim().split(/\s+/).filter(Boolean);
    if (!/^[a-z0-9-]+$/.test(name)) throw new AppError('INTERNAL', `${file}:${line}: ${match[0]}: "${name}" is no fragment name`);
    const bad = args.find((a) => !IDENTIFIER.test(a));
    if (bad !== undefined) throw new AppError('INTERNAL', `${file}:${line}: ${match[0]}: "${bad}" is no variable name`);
    found.push({ start: i, end: i + match[0].length, line, name, args });
    i += match[0].length - 2;
  }
  return found;
}

/** The code of Cypher text: comments and string literals blanked out (same length, same lines). */
export function codeOf(text: string): string {
  return blank(text, true);
}

interface Fragment {
  vars: string[];
  apply(args: readonly string[]): string;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * A fragment file: comment lines, one of them `// @vars <var>...` (the variables it is written for),
 * and the Cypher text, which is joined onto one line when expanded.
 */
function parseFragment(text: string, file: string): Fragment {
  const declared = /^\s*\/\/\s*@vars\b(.*)$/m.exec(text);
  const vars = (declared?.[1] ?? '').trim().split(/\s+/).filter(Boolean);
  if (vars.length === 0) throw new AppError('INTERNAL', `${file}: a fragment declares its variables in a comment line "// @vars <var>..."`);
  for (const p of vars) {
    if (!IDENTIFIER.test(p) || vars.indexOf(p) !== vars.lastIndexOf(p)) throw new AppError('INTERNAL', `${file}: "${p}" in @vars is no variable name, or is repeated`);
  }
  const body = blank(text, false)
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .join(' ');
  if (body === '') throw new AppError('INTERNAL', `${file}: the fragment has no Cypher`);
  const code = codeOf(body);
  if (code.includes('{{')) throw new AppError('INTERNAL', `${file}: a fragment cannot include another fragment`);
  const word = new RegExp(`(?<![\\w.$\`])(?:${vars.join('|')})(?![\\w\`])`, 'g');
  const slots = [...code.matchAll(word)].map((m) => ({ at: m.index, param: vars.indexOf(m[0]) }));
  for (const [i, p] of vars.entries()) {
    if (!slots.some((s) => s.param === i)) throw new AppError('INTERNAL', `${file}: @vars ${p} does not occur in the fragment`);
  }
  return {
    vars,
    apply(args) {
      let out = '';
      let at = 0;
      for (const s of slots) {
        out += body.slice(at, s.at) + args[s.param];
        at = s.at + (vars[s.param] as string).length;
      }
      return out + body.slice(at);
    },
  };
}

/** Blanks comments (and, with `strings`, string literals) to spaces, keeping every newline and offset. */
function blank(text: string, strings: boolean): string {
  let out = '';
  let i = 0;
  const spaces = (s: string) => s.replace(/[^\n]/g, ' ');
  while (i < text.length) {
    const c = text[i] as string;
    let end = -1;
    let blankIt = false;
    if (c === '/' && text[i + 1] === '/') {
      end = text.indexOf('\n', i);
      blankIt = true;
    } else if (c === '/' && text[i + 1] === '*') {
      end = text.indexOf('*/', i + 2);
      if (end !== -1) end += 2;
      blankIt = true;
    } else if (c === "'" || c === '"' || c === '`') {
      let j = i + 1;
      while (j < text.length && text[j] !== c) j += text[j] === '\\' ? 2 : 1;
      end = Math.min(j + 1, text.length);
      blankIt = strings && c !== '`';
    } else {
      out += c;
      i++;
      continue;
    }
    if (end === -1) end = text.length;
    out += blankIt ? spaces(text.slice(i, end)) : text.slice(i, end);
    i = end;
  }
  return out;
}

function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

/** `cypher/knowledge/list.cypher` from the working directory (the repository root), else the absolute path. */
function displayPath(file: string): string {
  const rel = path.relative(process.cwd(), file);
  return rel.startsWith('..') || path.isAbsolute(rel) ? file : rel;
}
