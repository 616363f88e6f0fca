// Benchmarks (not tests): ratios measured in one run on this machine. `npm run bench` builds first.
// Usage: node bench/run.mjs [--runs N=12] [--tf-runs N=5] [--summary-runs N=10]
//                           [--only startup,terraform,summary,api,sizes]
//                           [--dist DIR] [--json] [--markdown]
//   --dist (or GITOPS_PROMOTE_DIST): bundles to measure, e.g. a private `node scripts/build.mjs .tmp/x`.
//   --json: the results as JSON on stdout (tables go to stderr); --markdown: tables as Markdown.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { apiBench, sizeBench } from './api.mjs';
import { goalRows } from './goals.mjs';
import { ms, renderTable } from './lib.mjs';
import { startupBench } from './startup.mjs';
import { buildSummaryBundle, summaryBench } from './summary.mjs';
import { RESOURCES, terraformBench, terraformVersion } from './terraform.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { values: opts } = parseArgs({
  options: {
    runs: { type: 'string', default: '12' },
    'tf-runs': { type: 'string', default: '5' },
    'summary-runs': { type: 'string', default: '10' },
    only: { type: 'string', default: 'startup,terraform,summary,api,sizes' },
    dist: { type: 'string' },
    json: { type: 'boolean', default: false },
    markdown: { type: 'boolean', default: false },
  },
});
const count = (name) => {
  const n = Number(opts[name]);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a whole number ≥ 1`);
  return n;
};
const runs = { startup: count('runs'), terraform: count('tf-runs'), summary: count('summary-runs') };
const only = new Set(opts.only.split(',').map((s) => s.trim()));
const SECTIONS = [...Object.keys(runs), 'api', 'sizes'];
for (const s of only)
  if (!SECTIONS.includes(s)) throw new Error(`--only: unknown section ${s}; use ${SECTIONS.join(', ')}`);
const dist = resolve(opts.dist ?? process.env.GITOPS_PROMOTE_DIST ?? join(root, 'dist'));
// With --json, stdout carries only the JSON document.
const print = opts.json ? (line) => process.stderr.write(`${line}\n`) : (line) => console.log(line);

const machine = {
  cpus: availableParallelism(),
  cpu: cpus()[0]?.model,
  node: process.version,
  platform: `${process.platform}/${process.arch}`,
  terraform: terraformVersion(),
  git: execFileSync('git', ['--version'], { encoding: 'utf8' }).trim(),
  loadAverageAtStart: loadavg().map((l) => Number(l.toFixed(2))),
};
const command = `node bench/run.mjs ${process.argv.slice(2).join(' ')}`.trim();
print(`gitops-promote benchmarks: ${command}`);
print(
  `${machine.cpus} CPUs (${machine.cpu}), node ${machine.node} ${machine.platform}, terraform ${machine.terraform ?? 'not found'}, ${machine.git}, load average ${machine.loadAverageAtStart.join(' ')}`,
);
print(`bundles: ${dist}\n`);

const started = Date.now();
const work = mkdtempSync(join(tmpdir(), 'gp-bench-'));
const sections = {};
const skipped = {};
const sectionSeconds = {};
const timed = async (section, fn) => {
  const t = Date.now();
  sections[section] = await fn();
  sectionSeconds[section] = Math.round((Date.now() - t) / 1000);
};
try {
  if (only.has('startup')) {
    print(`start-up (${runs.startup} runs each, interleaved with node -e 0)…`);
    await timed('startup', () => {
      const { rows, unmeasured } = startupBench({ dist, work, runs: runs.startup, log: print });
      if (unmeasured.length) skipped.startup = `bundles not measured: ${unmeasured.join(', ')}`;
      return rows;
    });
  }
  if (only.has('terraform')) {
    if (!machine.terraform) {
      skipped.terraform = 'terraform is not on PATH';
      print('terraform-run vs shell: skipped, terraform is not on PATH');
    } else {
      print(`terraform-run vs shell script (${RESOURCES} terraform_data, ${runs.terraform} runs each)…`);
      await timed('terraform', () => terraformBench({ dist, work, runs: runs.terraform, log: print }));
    }
  }
  if (only.has('summary')) {
    print(`plan summary (${runs.summary} runs each; building the bench bundle first)…`);
    await timed('summary', async () => {
      const bundle = await buildSummaryBundle(join(root, '.tmp', 'bench-summary'));
      return summaryBench({ bundle, runs: runs.summary, log: print });
    });
  }
  if (only.has('api')) {
    print('requests on the GitHub API double…');
    await timed('api', () => apiBench({ root, dist, work, log: print }));
  }
  if (only.has('sizes')) {
    print('sizes of dist/ and the .vsix…');
    await timed('sizes', () => sizeBench({ root, dist, work, log: print }));
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
const seconds = (Date.now() - started) / 1000;

const TITLES = {
  startup: `Start-up: each bundle run the way its platform runs it, against node -e 0 (median of ${runs.startup})`,
  terraform: `terraform-run against the same Terraform commands in bench/terraform-run.sh, ${RESOURCES} terraform_data, local backend, fresh state each run (median of ${runs.terraform})`,
  summary: `Plan summarising against JSON.parse of the same show -json text (median of ${runs.summary})`,
};
for (const [section, rows] of Object.entries(sections)) {
  if (!Array.isArray(rows)) continue;
  const startup = section === 'startup';
  const headers = [
    'benchmark',
    'median ms',
    'p25–p75',
    'min',
    'baseline',
    'baseline ms',
    'baseline min',
    'ratio',
    'ratio of medians',
    'difference ms',
  ];
  if (startup) headers.push('loads on demand');
  else headers.push('note');
  const table = rows.map((r) => {
    const cells = [
      r.name,
      ms(r.subject.median),
      `${ms(r.subject.p25)}–${ms(r.subject.p75)}`,
      ms(r.subject.min),
      r.baselineName,
      ms(r.baseline.median),
      ms(r.baseline.min),
      r.ratio.toFixed(2),
      (r.ratioOfMedians ?? r.ratio).toFixed(2),
      `${r.subject.median >= r.baseline.median ? '+' : ''}${ms(r.subject.median - r.baseline.median)}`,
    ];
    if (startup) {
      const l = r.loads;
      const extra = l.files.length - 1;
      cells.push(
        `${extra} chunk${extra === 1 ? '' : 's'}, ${(l.bytes / 1024).toFixed(0)} KB in all${l.libraries.length ? `: ${l.libraries.join(', ')}` : ''}`,
      );
    } else cells.push(r.note ?? '');
    return cells;
  });
  print(`\n${opts.markdown ? '### ' : ''}${TITLES[section]}\n`);
  print(renderTable(headers, table, 'lrrrlrrrrrl', opts.markdown));
  if (skipped[section]) print(`\n${skipped[section]}`);
}
const goals = goalRows(sections);
print(`\n${opts.markdown ? '### ' : ''}Goals (issue 16), every row from this run\n`);
print(
  renderTable(
    ['what', 'measured', 'goal', 'met'],
    goals.map((g) => [
      g.what,
      g.measured,
      g.goal,
      g.met === undefined ? 'not measured' : g.met ? 'yes' : 'no',
    ]),
    'lrrl',
    opts.markdown,
  ),
);
const took = Object.entries(sectionSeconds)
  .map(([s, t]) => `${s} ${t} s`)
  .join(', ');
const loadAtEnd = loadavg().map((l) => Number(l.toFixed(2)));
print(
  `\nratio = median of the ratios of runs paired in one round (start-up, terraform-run: each run against the baseline run next to it; the summary: median / baseline median), all measured in this run, interleaved; ratio of medians = median / baseline median; total ${seconds.toFixed(0)} s (${took}); load average at the end ${loadAtEnd.join(' ')}`,
);

if (opts.json)
  console.log(
    JSON.stringify(
      {
        command,
        machine,
        runs,
        dist,
        seconds,
        sectionSeconds,
        loadAverageAtEnd: loadAtEnd,
        skipped,
        sections,
        goals,
      },
      null,
      2,
    ),
  );
