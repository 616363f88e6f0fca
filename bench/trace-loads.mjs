// `node --import ./bench/trace-loads.mjs …` appends the URL of every module the run loads to the file
// named by GP_BENCH_TRACE. Used for one untimed run per start-up case: which chunks a platform pulls in.
import { register } from 'node:module';

const hooks = `
import { appendFileSync } from 'node:fs';
let file;
export function initialize(data) { file = data.file; }
export async function load(url, context, next) {
  if (file && url.startsWith('file:')) appendFileSync(file, url + '\\n');
  return next(url, context);
}`;

register(`data:text/javascript,${encodeURIComponent(hooks)}`, {
  data: { file: process.env.GP_BENCH_TRACE },
});
