import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Annotation, RunContext, Runtime } from '@gitops-promote/core';
import { CREDENTIAL_INPUTS, credentialsIn, SECRET_INPUTS, SecretSet, TOKEN_VARIABLES } from '../log-safety';
import { plainText } from './plain-text';

/**
 * How the summary is shown: plain text when stderr is a terminal, else the Markdown as written (a file or a
 * CI log can render it). GITOPS_PROMOTE_SUMMARY=text|markdown|off chooses; FORCE_TTY=1|0 overrides the
 * terminal test.
 */
export function summaryStyle(env: NodeJS.ProcessEnv, isTTY: boolean): 'text' | 'markdown' | 'off' {
  const chosen = env.GITOPS_PROMOTE_SUMMARY;
  if (chosen === 'off' || chosen === 'text' || chosen === 'markdown') return chosen;
  const forced = env.FORCE_TTY;
  const tty = forced === undefined || forced === '' ? isTTY : !['0', 'false'].includes(forced.toLowerCase());
  return tty ? 'text' : 'markdown';
}

/** A terminal: inputs from `--name value` flags, outputs on stdout, logs on stderr. */
export class TerminalRuntime implements Runtime {
  readonly platform = 'terminal' as const;
  readonly context: RunContext;
  readonly outputs: Record<string, string> = {};
  failed = false;
  private readonly secrets = new SecretSet();
  private depth = 0;
  /** Lines already logged: the summary does not say them again (the reason line). */
  private readonly logged = new Set<string>();
  private readonly style: 'text' | 'markdown' | 'off';
  /** This run's temp folder (plan files, diffs): the terminal owns it and removes it at exit. */
  private temp?: string;

  constructor(
    private readonly values: Record<string, string>,
    cwd = process.cwd(),
    private readonly out: (line: string) => void = (l) => process.stdout.write(`${l}\n`),
    private readonly err: (line: string) => void = (l) => process.stderr.write(`${l}\n`),
    env: NodeJS.ProcessEnv = process.env,
    /** Echo summaries to the log (a command that prints its own report turns this off). */
    private readonly showSummary = true,
  ) {
    this.style = summaryStyle(env, process.stderr.isTTY === true);
    // GITOPS_PROMOTE_TEMP: a folder of the user's, kept (plan and diff files outlive the run), like RUNNER_TEMP.
    const kept = env.GITOPS_PROMOTE_TEMP ? resolve(env.GITOPS_PROMOTE_TEMP) : undefined;
    if (kept) mkdirSync(kept, { recursive: true });
    this.temp = kept ? undefined : runTempDir();
    this.context = { ...gitContext(cwd), scratchDir: kept ?? this.temp };
    // Before anything is logged: a token given as --token or in the environment is masked everywhere.
    for (const name of SECRET_INPUTS) this.setSecret(this.input(name));
    for (const name of TOKEN_VARIABLES) this.setSecret(env[name] ?? '');
    for (const name of CREDENTIAL_INPUTS) for (const s of credentialsIn(this.input(name))) this.setSecret(s);
  }

  input(name: string): string {
    return this.values[name] ?? '';
  }
  setOutput(name: string, value: string): void {
    this.outputs[name] = value;
  }
  setSecret(value: string): void {
    this.secrets.add(value);
  }
  /** Hides every registered secret in text that leaves the log (comments). */
  mask(text: string): string {
    return this.secrets.mask(text);
  }
  private log(text: string): void {
    const pad = '  '.repeat(this.depth);
    const lines = this.mask(text).split('\n');
    for (const line of lines) this.logged.add(line.trim());
    // One write for the message (Terraform's output comes in chunks of many lines).
    this.err(lines.map((line) => `${pad}${line}`).join('\n'));
  }
  /** Removes the run's temp folder: the step is over (a run cut short has it removed on exit). */
  async cleanUp(): Promise<void> {
    if (this.temp) removeTempDir(this.temp);
    this.temp = undefined;
  }
  debug(message: string): void {
    if (process.env.RUNNER_DEBUG === '1' || process.env.GITOPS_PROMOTE_DEBUG) this.log(`debug: ${message}`);
  }
  info(message: string): void {
    this.log(message);
  }
  warning(message: string, a?: Annotation): void {
    this.log(`warning: ${where(a)}${message}`);
  }
  error(message: string, a?: Annotation): void {
    this.log(`error: ${where(a)}${message}`);
  }
  async group<T>(title: string, fn: () => Promise<T>): Promise<T> {
    this.log(`▸ ${title}`);
    this.depth++;
    try {
      return await fn();
    } finally {
      this.depth--;
    }
  }
  async summary(markdown: string): Promise<void> {
    if (!this.showSummary || this.style === 'off') return;
    if (this.style === 'markdown') return this.log(markdown.trimEnd());
    const unmasked = plainText(markdown, (line) => this.logged.has(this.mask(line)));
    this.log(`\n${unmasked}\n`);
  }
  warnResult(message: string): void {
    this.log(`warning: ${message}`);
  }
  fail(message: string): void {
    this.failed = true;
    this.log(`error: ${message}`);
  }
  /** Prints the outputs as `name=value` lines (JSON-quoted when a value spans lines), or one JSON object. */
  printOutputs(json: boolean): void {
    if (json) {
      this.out(this.mask(JSON.stringify(this.outputs, null, 2)));
      return;
    }
    for (const [k, v] of Object.entries(this.outputs))
      this.out(this.mask(`${k}=${/[\r\n]/.test(v) ? JSON.stringify(v) : v}`));
  }
}

const TEMP_DIRS = new Set<string>();
let exitHooked = false;

/** A private temp folder for one run, removed by cleanUp or, when the process ends first, on exit. */
function runTempDir(): string {
  if (!exitHooked) {
    exitHooked = true;
    process.once('exit', () => TEMP_DIRS.forEach(removeTempDir));
    // Ctrl-C and kill end the process without 'exit' unless someone listens: exit the usual way instead.
    process.once('SIGINT', () => process.exit(130));
    process.once('SIGTERM', () => process.exit(143));
  }
  const dir = mkdtempSync(join(tmpdir(), 'gitops-promote-run-'));
  TEMP_DIRS.add(dir);
  return dir;
}

function removeTempDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  TEMP_DIRS.delete(dir);
}

function where(a?: Annotation): string {
  if (!a?.file) return '';
  return `${a.file}${a.line ? `:${a.line}${a.column ? `:${a.column}` : ''}` : ''}: `;
}

function git(cwd: string, args: string[]): string | undefined {
  try {
    return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return undefined;
  }
}

/** The checked-out branch (or the tag at HEAD) and commit of the repository in `cwd`. */
export function gitContext(cwd: string): RunContext {
  // One git for the usual case (a branch checked out, with a commit): each costs a process start.
  const out = git(cwd, ['rev-parse', '--show-toplevel', 'HEAD', '--symbolic-full-name', 'HEAD']);
  const [top, sha, head] = out?.split('\n') ?? [];
  if (top && sha && head?.startsWith('refs/heads/')) return { ref: head, sha, event: 'push', workspace: top };
  return gitContextSlowly(cwd);
}

function gitContextSlowly(cwd: string): RunContext {
  const top = git(cwd, ['rev-parse', '--show-toplevel']);
  if (!top) return { workspace: cwd, event: 'push' };
  const branch = git(cwd, ['symbolic-ref', '-q', 'HEAD']);
  const tag = branch ? undefined : git(cwd, ['tag', '--points-at', 'HEAD'])?.split('\n')[0];
  return {
    ref: branch || (tag ? `refs/tags/${tag}` : undefined),
    sha: git(cwd, ['rev-parse', 'HEAD']),
    event: 'push',
    workspace: top,
  };
}
