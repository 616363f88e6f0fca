// `node --import ./bench/trace-loads.mjs …` appends the URL of every module the run loads to the file
// named by GP_BENCH_TRACE. Used for one untimed run per start-up case: which chunks a platform pulls in.
// ES modules are seen by a loader hook; CommonJS files (the bundles and their chunks) in require's cache.
import { appendFileSync } from 'node:fs';
import { createRequire, register } from 'node:module';
import { pathToFileURL } from 'node:url';

const hooks = `
import { appendFileSync } from 'node:fs';
let file;
export function initialize(data) { file = data.file; }
export async function load(url, context, next) {
  if (file && url.startsWith('file:')) appendFileSync(file, url + '\\n');
  return next(url, context);
}`;

const file = process.env.GP_BENCH_TRACE;
register(`data:text/javascript,${encodeURIComponent(hooks)}`, { data: { file } });

const cache = createRequire(import.meta.url).cache;
process.on('exit', () => {
  if (!file) return;
  const loaded = Object.keys(cache).map((f) => `${pathToFileURL(f).href}\n`);
  if (loaded.length) appendFileSync(file, loaded.join(''));
});
