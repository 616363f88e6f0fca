// Bundles each step entry with @vercel/ncc into dist/<step>/ (committed: GitHub runs actions from the Git ref).
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { STEP_INPUTS_FILE, stepInputs } from './step-inputs.mjs';

const require = createRequire(import.meta.url);
const ncc = require('@vercel/ncc');
const root = join(dirname(fileURLToPath(import.meta.url)), '..');

export const ENTRIES = [
  'determine-environment',
  'terraform-run',
  'check-previous-env',
  'promote-tag',
  'pipeline',
  'render-manifests',
  'cli',
];

async function bundle(name, outDir) {
  const entry = join(root, 'packages', name, 'src', 'index.ts');
  const { code, assets } = await ncc(entry, {
    minify: true,
    sourceMap: false,
    quiet: true,
    target: 'es2022',
    cache: false,
    transpileOnly: true,
    esm: true,
  });
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, 'index.mjs'), code);
  for (const [file, asset] of Object.entries(assets ?? {})) {
    const target = join(outDir, file);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, asset.source);
  }
}

const out = process.argv[2] ? resolve(process.argv[2]) : join(root, 'dist');
const only = process.argv.slice(3);
const started = Date.now();
// The CLI's --help reads the steps' action.yml, embedded in its bundle.
writeFileSync(STEP_INPUTS_FILE, `${JSON.stringify(stepInputs(), null, 2)}\n`);
for (const name of only.length ? only : ENTRIES) {
  await bundle(name, join(out, name));
  const files = readdirSync(join(out, name), { recursive: true });
  console.log(`built ${name} (${files.length} files)`);
}
console.log(`bundles written to ${out} in ${((Date.now() - started) / 1000).toFixed(1)}s`);
