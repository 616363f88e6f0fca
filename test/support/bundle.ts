import { execFile } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { tempDir } from './git';

export const ROOT = join(import.meta.dirname, '..', '..');
/** Bundles under test: the committed dist/, or GITOPS_PROMOTE_DIST (a private build, so parallel work does not collide). */
export const DIST = process.env.GITOPS_PROMOTE_DIST
  ? resolve(process.env.GITOPS_PROMOTE_DIST)
  : join(ROOT, 'dist');
export const bundlePath = (step: string) => join(DIST, step, 'index.cjs');

export interface BundleRun {
  code: number;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  summary: string;
  /** GitHub: the `::error::` message; Azure DevOps: the `task.complete` message. */
  failure?: string;
  /** Azure DevOps: the `task.complete result=` value. */
  result?: string;
  /** Azure DevOps: each uploaded summary file by its name (the tab's title), in upload order. */
  summaries?: { name: string; text: string }[];
  /** Warning annotations written (GitHub `::warning`, Azure DevOps `task.issue type=warning`). */
  warnings: string[];
}

interface Options {
  inputs?: Record<string, string>;
  env?: Record<string, string>;
  cwd: string;
  timeoutMs?: number;
}

/** Environment with no trace of the CI this test itself may run under. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(GITHUB_|RUNNER_|INPUT_|ACTIONS_|TF_BUILD|BUILD_|SYSTEM_|AGENT_|CI$)/.test(k)) continue;
    env[k] = v;
  }
  return env;
}

function run(step: string, env: NodeJS.ProcessEnv, cwd: string, args: string[] = [], timeoutMs = 60_000) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      [bundlePath(step), ...args],
      { env, cwd, timeout: timeoutMs, maxBuffer: 64 << 20 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** Reads the `name<<DELIM … DELIM` records @actions/core writes to GITHUB_OUTPUT. */
export function parseGitHubOutput(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = /^([^<=]+)<<(.+)$/.exec(lines[i]!);
    if (!m) continue;
    const [, name, delim] = m;
    const value: string[] = [];
    for (i++; i < lines.length && lines[i] !== delim; i++) value.push(lines[i]!);
    out[name!] = value.join('\n');
  }
  return out;
}

/** Runs a step bundle the way the GitHub Actions runner does. */
export async function runGitHub(
  step: string,
  o: Options & { event?: string; ref?: string; sha?: string; payload?: unknown },
): Promise<BundleRun> {
  const dir = tempDir('gp-gh-');
  const files = {
    output: join(dir, 'output'),
    summary: join(dir, 'summary'),
    event: join(dir, 'event.json'),
  };
  writeFileSync(files.output, '');
  writeFileSync(files.summary, '');
  writeFileSync(files.event, JSON.stringify(o.payload ?? {}));
  const env: NodeJS.ProcessEnv = {
    ...cleanEnv(),
    GITHUB_ACTIONS: 'true',
    CI: 'true',
    GITHUB_EVENT_NAME: o.event ?? 'push',
    GITHUB_EVENT_PATH: files.event,
    GITHUB_REF: o.ref ?? 'refs/heads/main',
    GITHUB_SHA: o.sha ?? '0000000000000000000000000000000000000000',
    GITHUB_WORKSPACE: o.cwd,
    GITHUB_OUTPUT: files.output,
    GITHUB_STEP_SUMMARY: files.summary,
    GITHUB_RUN_ID: '4242',
    GITHUB_RUN_ATTEMPT: '1',
    RUNNER_TEMP: dir,
    ...o.env,
  };
  for (const [k, v] of Object.entries(o.inputs ?? {})) env[`INPUT_${k.replace(/ /g, '_').toUpperCase()}`] = v;
  const r = await run(step, env, o.cwd, [], o.timeoutMs);
  const failure = /^::error::(.*)$/m.exec(r.stdout)?.[1];
  return {
    ...r,
    outputs: parseGitHubOutput(readFileSync(files.output, 'utf8')),
    summary: readFileSync(files.summary, 'utf8'),
    failure: failure && unescapeGitHub(failure),
    warnings: [...r.stdout.matchAll(/^::warning[^:]*::(.*)$/gm)].map((m) => unescapeGitHub(m[1]!)),
  };
}

function unescapeGitHub(s: string): string {
  return s.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%');
}

function unescapeAzure(s: string): string {
  return s
    .replace(/%0D/g, '\r')
    .replace(/%0A/g, '\n')
    .replace(/%5D/g, ']')
    .replace(/%3B/g, ';')
    .replace(/%AZP25/g, '%');
}

/** `##vso[area.action k=v;k=v;]message` lines of a task's stdout. */
export function parseVso(
  stdout: string,
): { command: string; props: Record<string, string>; message: string }[] {
  const out = [];
  for (const m of stdout.matchAll(/^##vso\[([a-z.]+)((?: [^\]]*)?)\](.*)$/gm)) {
    const props: Record<string, string> = {};
    for (const kv of (m[2] ?? '').trim().split(';')) {
      const i = kv.indexOf('=');
      if (i > 0) props[kv.slice(0, i)] = unescapeAzure(kv.slice(i + 1));
    }
    out.push({ command: m[1]!, props, message: unescapeAzure(m[3] ?? '') });
  }
  return out;
}

export function kebab(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/** task.json input names are camelCase; the agent passes them as INPUT_<NAME upper-cased>. */
export function azureInputEnv(name: string): string {
  return `INPUT_${name.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase()).toUpperCase()}`;
}

/** Runs a step bundle the way the Azure Pipelines agent runs a Node task. */
export async function runAzure(
  step: string,
  o: Options & {
    reason?: string;
    sourceBranch?: string;
    sha?: string;
    pullRequest?: { target: string; source: string; id: number; sourceCommit?: string };
  },
): Promise<BundleRun> {
  const dir = tempDir('gp-az-');
  const env: NodeJS.ProcessEnv = {
    ...cleanEnv(),
    TF_BUILD: 'True',
    BUILD_REASON: o.reason ?? 'IndividualCI',
    BUILD_SOURCEBRANCH: o.sourceBranch ?? 'refs/heads/main',
    BUILD_SOURCEVERSION: o.sha ?? '0000000000000000000000000000000000000000',
    BUILD_SOURCESDIRECTORY: o.cwd,
    BUILD_BUILDID: '4242',
    AGENT_TEMPDIRECTORY: dir,
    ...(o.pullRequest
      ? {
          SYSTEM_PULLREQUEST_TARGETBRANCH: o.pullRequest.target,
          SYSTEM_PULLREQUEST_SOURCEBRANCH: o.pullRequest.source,
          SYSTEM_PULLREQUEST_PULLREQUESTID: String(o.pullRequest.id),
          ...(o.pullRequest.sourceCommit
            ? { SYSTEM_PULLREQUEST_SOURCECOMMITID: o.pullRequest.sourceCommit }
            : {}),
        }
      : {}),
    ...o.env,
  };
  for (const [k, v] of Object.entries(o.inputs ?? {})) env[azureInputEnv(k)] = v;
  const r = await run(step, env, o.cwd, [], o.timeoutMs);
  const vso = parseVso(r.stdout);
  const outputs: Record<string, string> = {};
  const summaries: { name: string; text: string }[] = [];
  let result: string | undefined;
  let failure: string | undefined;
  const warnings: string[] = [];
  for (const c of vso) {
    // Output variables are camelCase on Azure DevOps; keyed here by the kebab-case name to compare with GitHub.
    if (c.command === 'task.setvariable' && c.props.isOutput === 'true')
      outputs[kebab(c.props.variable!)] = c.message;
    if (c.command === 'task.uploadsummary' && existsSync(c.message))
      summaries.push({ name: basename(c.message), text: readFileSync(c.message, 'utf8') });
    if (c.command === 'task.complete') {
      result = c.props.result;
      if (result === 'Failed') failure = c.message;
    }
    if ((c.command === 'task.issue' || c.command === 'task.logissue') && c.props.type === 'warning')
      warnings.push(c.message);
  }
  // The whole summary as GitHub shows it on one page: the sections in the order they were started.
  const summary = summaries.map((s) => s.text).join('');
  return { ...r, outputs, summary, summaries, result, failure, warnings };
}

/** Runs a step bundle from a terminal: `node dist/<step>/index.cjs --input value … --json`. */
export async function runTerminal(step: string, o: Options): Promise<BundleRun> {
  const args: string[] = [];
  for (const [k, v] of Object.entries(o.inputs ?? {})) args.push(`--${k}`, v);
  args.push('--json');
  const r = await run(
    step,
    { ...cleanEnv(), GITOPS_PROMOTE_SUMMARY: 'off', ...o.env },
    o.cwd,
    args,
    o.timeoutMs,
  );
  let outputs: Record<string, string> = {};
  if (r.code === 0) outputs = JSON.parse(r.stdout) as Record<string, string>;
  // The failure is the last thing a step prints; a long message goes on over several lines.
  const at = r.stderr.lastIndexOf('\nerror: ');
  const failure =
    r.code === 1
      ? (at >= 0 ? r.stderr.slice(at + 8) : r.stderr.replace(/^error: /, '')).trimEnd()
      : undefined;
  return {
    ...r,
    outputs,
    summary: '',
    failure,
    warnings: [...r.stderr.matchAll(/^\s*warning: (.*)$/gm)].map((m) => m[1]!),
  };
}

/**
 * Runs the terminal bundle (dist/cli) as a user types `gitops-promote <args>`. With `tty`, under
 * util-linux `script`, so stdout and stderr are a real pseudo-terminal (one stream, `\r\n` line ends
 * turned back into `\n`).
 */
export function runCliProcess(
  args: string[],
  o: { cwd: string; env?: Record<string, string>; tty?: boolean; timeoutMs?: number },
): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = { ...cleanEnv(), ...o.env };
  if (!o.tty) return run('cli', env, o.cwd, args, o.timeoutMs);
  const quote = (a: string) => `'${a.replaceAll("'", "'\\''")}'`;
  const command = [process.execPath, bundlePath('cli'), ...args].map(quote).join(' ');
  return new Promise((resolve) => {
    execFile(
      'script',
      ['-qec', command, '/dev/null'],
      { env, cwd: o.cwd, timeout: o.timeoutMs ?? 60_000 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        resolve({ code, stdout: stdout.replaceAll('\r\n', '\n'), stderr });
      },
    );
  });
}
