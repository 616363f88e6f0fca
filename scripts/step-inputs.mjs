// What `gitops-promote <step> --help` says about each input, taken from the steps' action.yml (the one
// source of truth; task.json is checked against the same steps). `node scripts/step-inputs.mjs` writes
// packages/platform/src/step-inputs.json, which the build does before bundling and a test keeps current.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const STEP_INPUTS_FILE = join(root, 'packages', 'platform', 'src', 'step-inputs.json');

/** A default that is a GitHub expression (`${{ github.token }}`) means nothing in a terminal. */
const shownDefault = (value) =>
  value === undefined || value === '' || String(value).includes('${{') ? undefined : String(value);

function inputsOf(file) {
  const action = parse(readFileSync(file, 'utf8'));
  const inputs = {};
  for (const [name, input] of Object.entries(action.inputs ?? {})) {
    const fallback = shownDefault(input.default);
    inputs[name] = {
      description: String(input.description ?? '').trim(),
      required: input.required === true || input.required === 'true',
      ...(fallback === undefined ? {} : { default: fallback }),
    };
  }
  return inputs;
}

/** `{ version, steps: { <step>: { <input>: { description, required, default? } } } }`. */
export function stepInputs() {
  const steps = { pipeline: inputsOf(join(root, 'action.yml')) };
  for (const name of readdirSync(join(root, 'packages')).sort()) {
    const file = join(root, 'packages', name, 'action.yml');
    if (existsSync(file)) steps[name] = inputsOf(file);
  }
  const { version } = JSON.parse(readFileSync(join(root, 'packages', 'cli', 'package.json'), 'utf8'));
  return { version, steps };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(STEP_INPUTS_FILE, `${JSON.stringify(stepInputs(), null, 2)}\n`);
  console.log(`wrote ${STEP_INPUTS_FILE}`);
}
