import { execFileSync } from 'node:child_process';
import type { Annotation, RunContext, Runtime } from '@gitops-promote/core';
import { CREDENTIAL_INPUTS, credentialsIn, SECRET_INPUTS, SecretSet, TOKEN_VARIABLES } from '../log-safety';

/** A terminal: inputs from `--name value` flags, outputs on stdout, logs on stderr. */
export class TerminalRuntime implements Runtime {
  readonly platform = 'terminal' as const;
  readonly context: RunContext;
  readonly outputs: Record<string, string> = {};
  failed = false;
  private readonly secrets = new SecretSet();
  private depth = 0;

  constructor(
    private readonly values: Record<string, string>,
    cwd = process.cwd(),
    private readonly out: (line: string) => void = (l) => process.stdout.write(`${l}\n`),
    private readonly err: (line: string) => void = (l) => process.stderr.write(`${l}\n`),
    env: NodeJS.ProcessEnv = process.env,
    /** Echo summaries to the log (a command that prints its own report turns this off). */
    private readonly showSummary = true,
  ) {
    this.context = gitContext(cwd);
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
    for (const line of this.mask(text).split('\n')) this.err(`${pad}${line}`);
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
    if (this.showSummary && process.env.GITOPS_PROMOTE_SUMMARY !== 'off') this.log(markdown.trimEnd());
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
