// Start-up of every step bundle, run the way each platform runs it, against bare `node -e 0`.
// Steps that would call a hosting service or Terraform get an unknown environment, an input error that
// stops them before any API call or process: what is measured is loading the bundle, not work.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cleanEnv, interleave, pairedRatio, runCaptured, stats, timeProcess } from './lib.mjs';

const TRACER = join(dirname(fileURLToPath(import.meta.url)), 'trace-loads.mjs');

/** Libraries recognised in the code a run loads: a text that only that library's code carries. */
const LIBRARIES = [
  ['@actions/core', 'node_modules/@actions/core/'],
  ['undici', 'UND_ERR_'],
  ['azure-pipelines-task-lib', 'azure-pipelines-task-lib'],
  ['@octokit', '@octokit/'],
];

const UNKNOWN_ENV = /input environment: "nope" is not valid/;

/**
 * How each step bundle starts without doing work: `decides` runs it on a ref and checks one output;
 * otherwise it gets the unknown environment `nope`, an input error raised before any API call, `git`
 * remote or Terraform. A bundle in dist/ missing here is reported as not measured.
 */
const STEPS = [
  { step: 'determine-environment', decides: ['environment', 'apps'] },
  { step: 'check-previous-env' },
  { step: 'promote-tag' },
  { step: 'terraform-run' },
  // source is checked before environment.
  { step: 'render-manifests', inputs: { source: 'overlays/{env}' } },
  // A tag of no environment: the pipeline decides `none` and stops before any gate or Terraform.
  { step: 'pipeline', decides: ['operation', 'none'], ref: 'refs/tags/v1.0.0' },
  { step: 'promotion-board' },
];

/** A git repository with one commit and a gitops-promote.yaml: where the steps run. */
function makeRepo(work) {
  const repo = join(work, 'startup-repo');
  mkdirSync(repo, { recursive: true });
  execFileSync('git', ['init', '-q', '-b', 'main', repo]);
  writeFileSync(
    join(repo, 'gitops-promote.yaml'),
    'environments:\n  - name: ops\n  - name: apps\n    on: { tag: "apps-deploy-*" }\n',
  );
  const id = ['-c', 'user.name=bench', '-c', 'user.email=bench@example.invalid'];
  execFileSync('git', ['add', '-A'], { cwd: repo });
  execFileSync('git', [...id, 'commit', '-qm', 'bench'], { cwd: repo });
  return { repo, sha: execFileSync('git', ['rev-parse', 'HEAD'], { cwd: repo, encoding: 'utf8' }).trim() };
}

function cases(dist, work) {
  const { repo, sha } = makeRepo(work);
  const githubOutput = join(work, 'github-output');
  const githubSummary = join(work, 'github-summary');
  writeFileSync(githubOutput, '');
  writeFileSync(githubSummary, '');
  const github = cleanEnv({
    GITHUB_ACTIONS: 'true',
    GITHUB_WORKSPACE: repo,
    GITHUB_REF: 'refs/tags/apps-deploy-1',
    GITHUB_EVENT_NAME: 'push',
    GITHUB_OUTPUT: githubOutput,
    GITHUB_STEP_SUMMARY: githubSummary,
    GITHUB_SHA: sha,
    GITHUB_REPOSITORY: 'bench/bench',
  });
  const azure = cleanEnv({
    TF_BUILD: 'True',
    BUILD_SOURCESDIRECTORY: repo,
    BUILD_SOURCEBRANCH: 'refs/tags/apps-deploy-1',
    BUILD_SOURCEVERSION: sha,
    BUILD_REASON: 'IndividualCI',
    AGENT_TEMPDIRECTORY: work,
  });
  const terminal = cleanEnv({ GITOPS_PROMOTE_SUMMARY: 'off' });
  const list = [];
  for (const spec of STEPS) {
    const bundle = join(dist, spec.step, 'index.cjs');
    const ref = spec.ref ?? 'refs/tags/apps-deploy-1';
    const given = { ...spec.inputs, ...(spec.decides ? {} : { environment: 'nope' }) };
    const input = Object.fromEntries(Object.entries(given).map(([k, v]) => [`INPUT_${k.toUpperCase()}`, v]));
    const flags = Object.entries(given).flatMap(([k, v]) => [`--${k}`, v]);
    const what = spec.decides ? `decides ${spec.decides.join('=')}` : 'unknown environment';
    const [output, value] = spec.decides ?? [];
    list.push({
      name: `${spec.step} · GitHub Actions (${what})`,
      step: spec.step,
      args: [bundle],
      env: { ...github, GITHUB_REF: ref, ...input },
      expect: spec.decides
        ? { status: [0], output: new RegExp(`${output}<<\\S+\\n${value}\\n`), file: githubOutput }
        : { status: [1], output: UNKNOWN_ENV },
    });
    list.push({
      name: `${spec.step} · Azure Pipelines (${what})`,
      step: spec.step,
      args: [bundle],
      env: { ...azure, BUILD_SOURCEBRANCH: ref, ...input },
      // The agent reads the result from ##vso[task.complete]; the exit code may be 0 or 1.
      expect: spec.decides
        ? {
            status: [0],
            output: new RegExp(`##vso\\[task\\.setvariable variable=${output};[^\\]]*\\]${value}\\n`),
          }
        : { status: [0, 1], output: /task\.complete result=Failed;\].*input environment: "nope"/ },
    });
    list.push({
      name: `${spec.step} · terminal (${what})`,
      step: spec.step,
      args: [bundle, ...(spec.decides ? ['--ref', ref] : []), ...flags],
      env: terminal,
      expect: spec.decides
        ? { status: [0], output: new RegExp(`^${output}=${value}$`, 'm') }
        : { status: [1], output: UNKNOWN_ENV },
    });
  }
  const cli = join(dist, 'cli', 'index.cjs');
  list.push({
    name: 'cli · terminal (determine-environment decides)',
    step: 'cli',
    args: [cli, 'determine-environment', '--ref', 'refs/tags/apps-deploy-1'],
    env: terminal,
    expect: { status: [0], output: /environment=apps/ },
  });
  list.push({
    name: 'cli · terminal (--help: no git, no step)',
    step: 'cli',
    args: [cli, '--help'],
    env: terminal,
    expect: { status: [0], output: /usage: gitops-promote/ },
  });
  for (const c of list) {
    if (!existsSync(c.args[0])) throw new Error(`${c.args[0]} missing: build the bundles first`);
    c.cwd = repo;
  }
  const known = new Set(list.map((c) => c.step));
  const unmeasured = readdirSync(dist).filter(
    (d) => !known.has(d) && d !== 'main' && existsSync(join(dist, d, 'index.cjs')),
  );
  return { list, unmeasured };
}

/** The bundle files one run loads (one traced run, not timed) and the libraries recognised in them. */
function loads(c, work, dist) {
  const trace = join(work, `trace-${basename(dirname(c.args[0]))}-${Math.random().toString(36).slice(2)}`);
  writeFileSync(trace, '');
  runCaptured(process.execPath, ['--import', TRACER, ...c.args], {
    cwd: c.cwd,
    env: { ...c.env, GP_BENCH_TRACE: trace },
  });
  // The step's folder, and the shared dist/main/ its entry imports from.
  const inDist = (f) => !relative(dist, f).startsWith('..');
  const files = [
    ...new Set(
      readFileSync(trace, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((u) => fileURLToPath(u)),
    ),
  ].filter(inDist);
  let bytes = 0;
  const libraries = new Set();
  for (const f of files) {
    bytes += statSync(f).size;
    // The entry carries the core (yaml, picomatch); the chunks it imports on demand carry the rest.
    if (f === c.args[0]) continue;
    const text = readFileSync(f, 'utf8');
    for (const [name, marker] of LIBRARIES) if (text.includes(marker)) libraries.add(name);
  }
  return { files: files.map((f) => relative(dist, f)), bytes, libraries: [...libraries] };
}

/** Start-up rows: each case interleaved with `node -e 0`, `runs` times after one checked warm-up. */
export function startupBench({ dist, work, runs, log }) {
  const rows = [];
  const bare = { time: () => timeProcess(process.execPath, ['-e', '0']).ms };
  const { list, unmeasured } = cases(dist, work);
  if (unmeasured.length)
    log(`  not measured (add them to STEPS in bench/startup.mjs): ${unmeasured.join(', ')}`);
  for (const c of list) {
    if (c.expect.file) writeFileSync(c.expect.file, '');
    const check = runCaptured(process.execPath, c.args, { cwd: c.cwd, env: c.env });
    if (c.expect.file) check.output += readFileSync(c.expect.file, 'utf8');
    if (!c.expect.status.includes(check.status) || !c.expect.output.test(check.output))
      throw new Error(
        `${c.name}: expected exit ${c.expect.status.join(' or ')} and output matching ${c.expect.output}, got exit ${check.status}:\n${check.output.slice(0, 2000)}`,
      );
    const subject = {
      time: () => {
        const r = timeProcess(process.execPath, c.args, { cwd: c.cwd, env: c.env });
        if (r.status !== check.status) throw new Error(`${c.name}: exit ${r.status}, not ${check.status}`);
        return r.ms;
      },
    };
    const [times, base] = interleave([subject, bare], runs);
    const row = {
      section: 'startup',
      name: c.name,
      step: c.step,
      subject: stats(times),
      baselineName: 'node -e 0',
      baseline: stats(base),
      loads: loads(c, work, dist),
    };
    row.ratio = pairedRatio(times, base);
    row.ratioOfMedians = row.subject.median / row.baseline.median;
    log(`  ${c.name}: ${row.subject.median.toFixed(1)} ms (node -e 0: ${row.baseline.median.toFixed(1)} ms)`);
    rows.push(row);
  }
  return { rows, unmeasured };
}
