// Plan summarising against JSON.parse of the same `terraform show -json` text (a synthetic plan from
// packages/core/test/terraform/fixtures), through a bench-only bundle of the core built with ncc.
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stats } from './lib.mjs';

const here = dirname(fileURLToPath(import.meta.url));
export const PLAN_RESOURCES = 10_000;

/** Bundles bench/summary-entry.ts the way scripts/build.mjs bundles the steps; returns the bundle path. */
export async function buildSummaryBundle(outDir) {
  const ncc = createRequire(import.meta.url)('@vercel/ncc');
  const { code } = await ncc(join(here, 'summary-entry.ts'), {
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
  const bundle = join(outDir, 'index.mjs');
  writeFileSync(bundle, code);
  return bundle;
}

/** The plan a tenth the size, for the growth from 1k to 10k changes (its own process, same bundle). */
export const SMALL_PLAN_RESOURCES = PLAN_RESOURCES / 10;

function worker(bundle, resources, runs) {
  const out = execFileSync(
    process.execPath,
    ['--expose-gc', join(here, 'summary-worker.mjs'), bundle, String(resources), String(runs)],
    { encoding: 'utf8', maxBuffer: 16 << 20 },
  );
  return JSON.parse(out);
}

export function summaryBench({ bundle, runs, log }) {
  const small = worker(bundle, SMALL_PLAN_RESOURCES, runs);
  const { bytes, times } = worker(bundle, PLAN_RESOURCES, runs);
  const base = stats(times['JSON.parse(text)']);
  const mb = (bytes / 1e6).toFixed(1);
  const notes = {
    'summarisePlan(text)': 'what terraform-run calls: parse + summary + fingerprint',
    'summarisePlan(parsed)': 'summary + fingerprint of an already parsed plan',
    'planFingerprint(parsed)': 'the fingerprint alone',
  };
  const rows = [];
  for (const name of Object.keys(notes)) {
    const row = {
      section: 'summary',
      name: `${name}, ${PLAN_RESOURCES} resources (${mb} MB)`,
      note: notes[name],
      subject: stats(times[name]),
      baselineName: 'JSON.parse(text)',
      baseline: base,
      bytes,
    };
    row.ratio = row.subject.median / base.median;
    log(`  ${row.name}: ${row.subject.median.toFixed(1)} ms (JSON.parse: ${base.median.toFixed(1)} ms)`);
    rows.push(row);
  }
  // Parity (SPEC §4): inventory of the parsed plan and its comparison, against the summary's own time.
  const own = stats(times['summarisePlan(parsed)']);
  const parity = {
    section: 'summary',
    name: `parity(parsed), ${PLAN_RESOURCES} resources (${mb} MB)`,
    note: 'inventory + comparison with a record that differs in 1 of 3 resources; must stay ≤ 1× the summary',
    subject: stats(times['parity(parsed)']),
    baselineName: 'summarisePlan(parsed)',
    baseline: own,
    bytes,
  };
  parity.ratio = parity.subject.median / own.median;
  log(
    `  ${parity.name}: ${parity.subject.median.toFixed(1)} ms (summarisePlan(parsed): ${own.median.toFixed(1)} ms)`,
  );
  rows.push(parity);
  const smallBase = stats(small.times['JSON.parse(text)']);
  const smallRow = {
    section: 'summary',
    name: `summarisePlan(text), ${SMALL_PLAN_RESOURCES} resources (${(small.bytes / 1e6).toFixed(1)} MB)`,
    note: 'for the growth from 1k to 10k (its own process)',
    subject: stats(small.times['summarisePlan(text)']),
    baselineName: 'JSON.parse(text)',
    baseline: smallBase,
    bytes: small.bytes,
  };
  smallRow.ratio = smallRow.subject.median / smallBase.median;
  rows.push(smallRow);
  return rows;
}
