// Benchmarks (not tests): ratios measured in one run on this machine. `npm run bench` builds first.
// Usage: node bench/run.mjs [--runs N]
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const runsArg = process.argv.indexOf('--runs');
const RUNS = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 20;

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** Median wall time of a command over RUNS runs, after one warm-up. */
function time(cmd, args, env, cwd) {
  spawnSync(cmd, args, { env, cwd, stdio: 'ignore' });
  const times = [];
  for (let i = 0; i < RUNS; i++) {
    const t = process.hrtime.bigint();
    const r = spawnSync(cmd, args, { env, cwd, stdio: 'ignore' });
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}`);
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  return median(times);
}

const results = [];
function report(name, ms, baseline, baselineName) {
  results.push({ name, ms, baseline, ratio: ms / baseline, baselineName });
  console.log(
    `${name.padEnd(52)} ${ms.toFixed(1).padStart(8)} ms   ${baselineName} ${baseline.toFixed(1)} ms   ratio ${(ms / baseline).toFixed(2)}`,
  );
}

// Start-up: each bundle, run the way its platform runs it, against bare `node -e 0`.
const repo = mkdtempSync(join(tmpdir(), 'gp-bench-'));
execFileSync('git', ['init', '-q', '-b', 'main', repo]);
const out = join(repo, 'out');
const bare = time(process.execPath, ['-e', '0'], process.env, repo);
const base = { ...process.env, GITHUB_WORKSPACE: repo, BUILD_SOURCESDIRECTORY: repo };
const github = {
  ...base,
  GITHUB_ACTIONS: 'true',
  GITHUB_REF: 'refs/tags/apps-deploy-1',
  GITHUB_EVENT_NAME: 'push',
  GITHUB_OUTPUT: out,
  GITHUB_SHA: 'a'.repeat(40),
};
const azure = {
  ...base,
  TF_BUILD: 'True',
  BUILD_SOURCEBRANCH: 'refs/tags/apps-deploy-1',
  BUILD_REASON: 'IndividualCI',
  AGENT_TEMPDIRECTORY: repo,
};
writeFileSync(out, '');
for (const step of ['determine-environment']) {
  const bundle = join(root, 'dist', step, 'index.mjs');
  if (!existsSync(bundle)) throw new Error(`${bundle} missing: run npm run build`);
  report(
    `${step} start-up, GitHub Actions runtime`,
    time(process.execPath, [bundle], github, repo),
    bare,
    'node -e 0',
  );
  report(
    `${step} start-up, Azure Pipelines runtime`,
    time(process.execPath, [bundle], azure, repo),
    bare,
    'node -e 0',
  );
  report(
    `${step} start-up, terminal`,
    time(
      process.execPath,
      [bundle, '--ref', 'refs/tags/apps-deploy-1'],
      { ...base, GITOPS_PROMOTE_SUMMARY: 'off' },
      repo,
    ),
    bare,
    'node -e 0',
  );
}

console.log(
  `\n${RUNS} runs each, median wall time; node ${process.version}, ${process.platform}/${process.arch}`,
);
if (process.argv.includes('--json')) console.log(JSON.stringify(results, null, 2));
