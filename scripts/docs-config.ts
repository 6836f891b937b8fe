// Rewrites the configuration table in README.md from src/config (the one source of truth).
import { readFileSync, writeFileSync } from 'node:fs';
import { configTableMarkdown } from '../src/config/config.js';

const file = new URL('../README.md', import.meta.url);
const readme = readFileSync(file, 'utf8');
const next = readme.replace(/<!-- config:start -->\n[\s\S]*?<!-- config:end -->/, `<!-- config:start -->\n${configTableMarkdown()}\n<!-- config:end -->`);
writeFileSync(file, next);
console.log(next === readme ? 'README configuration table already current' : 'README configuration table updated');
