// Builds the bundles with @vercel/ncc (committed: GitHub runs actions from the Git ref).
//
//   dist/main/                 one bundle for every GitHub action and the terminal: a step, its platform adapter
//                              and its provider are chunks loaded on demand, one copy for all actions
//   dist/<step>/index.cjs      the action's entry: runs `<step>` from dist/main/
//   dist/cli/index.cjs         the terminal command (`npx gitops-promote <step>`), also from dist/main/
//   dist/azure/<step>/         self-contained bundle of one step (packages/<step>/src/index.ts) for the Azure
//                              DevOps task folder: only that step's code, its chunks beside it
// Every chunk is minified too (ncc minifies only the entry). Adding a step: one line in STEPS (and its loader
// in packages/core/src/steps/loaders.ts).
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { STEP_INPUTS_FILE, stepInputs } from './step-inputs.mjs';

const require = createRequire(import.meta.url);
const ncc = require('@vercel/ncc');
const { minify } = require('terser');
const root = join(dirname(fileURLToPath(import.meta.url)), '..');

export const STEPS = [
  'determine-environment',
  'terraform-run',
  'check-previous-env',
  'promote-tag',
  'pipeline',
  'render-manifests',
  'promotion-board',
];
/** Every folder under dist/ a build writes (check-dist reports anything else as stale). */
export const ENTRIES = ['main', ...STEPS, 'cli', 'azure'];

/** Chunks shared by several bundles (undici, say) are minified once per build. */
const done = new Map();
function minified(code) {
  if (!done.has(code))
    done.set(
      code,
      minify(code, { module: false, compress: true, mangle: true }).then((r) => r.code),
    );
  return done.get(code);
}

async function bundle(entry, outDir) {
  const { code, assets } = await ncc(entry, {
    minify: true,
    sourceMap: false,
    quiet: true,
    target: 'es2022',
    cache: false,
    transpileOnly: true,
    // CommonJS: Node loads a CommonJS entry and its chunks synchronously, without starting the ES module
    // loader (about 12 ms of a 50 ms start-up, measured in bench/). The chunks are `.js`: the folder says so.
    esm: false,
  });
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, 'index.cjs'), code);
  writeFileSync(join(outDir, 'package.json'), '{ "type": "commonjs" }\n');
  for (const [file, asset] of Object.entries(assets ?? {})) {
    if (file === 'package.json') continue;
    const target = join(outDir, file);
    mkdirSync(dirname(target), { recursive: true });
    // Chunks come unminified from ncc; the same terser settings keep them deterministic.
    const source = /\.js$/.test(file) ? await minified(String(asset.source)) : asset.source;
    writeFileSync(target, source);
  }
}

/** A thin entry: the file action.yml names, running one step from the shared bundle. */
function entry(outDir, body) {
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, 'index.cjs'), `${body}\n`);
}

// dist/<step>/index.cjs runs the step by name from dist/main/: each one needs its loader.
const loaders = readFileSync(join(root, 'packages', 'core', 'src', 'steps', 'loaders.ts'), 'utf8');
const unloaded = STEPS.filter((s) => !new RegExp(`^\\s*'?${s}'?: `, 'm').test(loaders));
if (unloaded.length) {
  console.error(
    `build: no loader for ${unloaded.join(', ')} in packages/core/src/steps/loaders.ts (STEP_LOADERS)`,
  );
  process.exit(1);
}

const out = process.argv[2] ? resolve(process.argv[2]) : join(root, 'dist');
const only = new Set(process.argv.slice(3));
const wanted = (name) => !only.size || only.has(name);
const started = Date.now();
const count = (dir) => readdirSync(dir, { recursive: true }).length;
// The CLI's --help reads the steps' action.yml, embedded in its bundle.
writeFileSync(STEP_INPUTS_FILE, `${JSON.stringify(stepInputs(), null, 2)}\n`);
if (wanted('main')) {
  await bundle(join(root, 'packages', 'platform', 'src', 'hub.ts'), join(out, 'main'));
  console.log(`built main (${count(join(out, 'main'))} files)`);
}
for (const step of STEPS.filter(wanted))
  entry(join(out, step), `require('../main/index.cjs').run(${JSON.stringify(step)});`);
if (wanted('cli'))
  entry(
    join(out, 'cli'),
    "require('../main/index.cjs')\n  .cli(process.argv.slice(2))\n  .then((code) => {\n    process.exitCode = code;\n  });",
  );
if (wanted('azure'))
  for (const step of STEPS) {
    await bundle(join(root, 'packages', step, 'src', 'index.ts'), join(out, 'azure', step));
    console.log(`built azure/${step} (${count(join(out, 'azure', step))} files)`);
  }
console.log(`bundles written to ${out} in ${((Date.now() - started) / 1000).toFixed(1)}s`);
