// Times plan summarising in a fresh process: node --expose-gc bench/summary-worker.mjs <bundle> <resources> <runs>
// Prints {bytes, times: {name: ms[]}} as JSON. Every call gets a collected heap first (untimed).
import { deepStrictEqual } from 'node:assert';
import { pathToFileURL } from 'node:url';
import {
  syntheticCounts,
  syntheticPlanJson,
} from '../packages/core/test/terraform/fixtures/synthetic-plan.mjs';
import { interleave } from './lib.mjs';

const [bundle, resourcesArg, runsArg] = process.argv.slice(2);
const resources = Number(resourcesArg);
const runs = Number(runsArg);
const { summarisePlan, planFingerprint, planInventory, compareParity, parityRecord, addressMatcher } =
  await import(pathToFileURL(bundle).href);

const text = syntheticPlanJson({ resources });
const parsed = JSON.parse(text);
deepStrictEqual(summarisePlan(text).counts, syntheticCounts(resources));
if (planFingerprint(parsed) !== summarisePlan(text).fingerprint) throw new Error('fingerprints differ');

// The previous environment's record: the same plan with every 7th resource missing and every 5th updated
// in place, so both findings have thousands of entries; two ignore globs that match a few addresses.
const previousInventory = new Map();
let n = 0;
for (const [address, action] of planInventory(parsed)) {
  n++;
  if (n % 7 === 0) continue;
  previousInventory.set(address, n % 5 === 0 ? 'update' : action);
}
const previous = parityRecord('ops', '0'.repeat(40), 'applied', previousInventory);
const ignore = addressMatcher(['module.legacy.*', 'terraform_data.r1*']);
const checked = compareParity('apps', planInventory(parsed), previous, ignore);
if (
  checked.result !== 'differs' ||
  checked.unexercised.length < resources / 10 ||
  checked.inventory.length < resources / 10
)
  throw new Error('the parity bench compares nothing worth timing');

let sink = 0;
const timed = (name, fn) => ({
  name,
  time() {
    const started = performance.now();
    const result = fn();
    const ms = performance.now() - started;
    sink += typeof result === 'string' ? result.length : 1;
    return ms;
  },
});
const variants = [
  timed('JSON.parse(text)', () => JSON.parse(text)),
  timed('summarisePlan(text)', () => summarisePlan(text)),
  timed('summarisePlan(parsed)', () => summarisePlan(parsed)),
  timed('planFingerprint(parsed)', () => planFingerprint(parsed)),
  timed('parity(parsed)', () => compareParity('apps', planInventory(parsed), previous, ignore)),
];
const gc = globalThis.gc ?? (() => {});
interleave(variants, 3, gc); // warm-up: the JIT compiles the hot paths
const times = interleave(variants, runs, gc);
process.stdout.write(
  JSON.stringify({
    bytes: Buffer.byteLength(text),
    sink,
    times: Object.fromEntries(variants.map((v, i) => [v.name, times[i]])),
  }),
);
