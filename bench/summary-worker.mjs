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
const { summarisePlan, planFingerprint } = await import(pathToFileURL(bundle).href);

const text = syntheticPlanJson({ resources });
const parsed = JSON.parse(text);
deepStrictEqual(summarisePlan(text).counts, syntheticCounts(resources));
if (planFingerprint(parsed) !== summarisePlan(text).fingerprint) throw new Error('fingerprints differ');

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
