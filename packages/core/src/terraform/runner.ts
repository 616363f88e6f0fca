import { spawn } from 'node:child_process';
import { basename, isAbsolute, relative, resolve } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { childProcessEnv } from '../child-env';
import { formatDuration } from '../duration';
import { GitopsError } from '../errors';
import type { StepRuntime } from '../runtime';
import { displayArgs } from './args';
import { type Diagnostic, isLockError, type LockInfo, parseDiagnostics, parseLockInfo } from './diagnostics';

/** One Terraform command as it ran: for the job summary and for error messages. */
export interface CommandRecord {
  /** `init`, `workspace`, `plan`, `show`, `apply`, `output`. */
  command: string;
  /** The command line as shown to people (backend-config values hidden). */
  display: string;
  /** undefined when the process never started (binary missing). */
  exitCode: number | undefined;
  durationMs: number;
  stdout: string;
  stderr: string;
  /** The system error when the process could not start (`ENOENT`, `EACCES`). */
  startError?: string;
}

export type TerraformFailure =
  | 'binary-not-found'
  | 'init'
  | 'workspace'
  | 'state-lock'
  | 'plan'
  | 'show'
  | 'apply'
  | 'output';

/** A Terraform command failed; the message says what happened and what to do about it. */
export class TerraformError extends GitopsError {
  override name = 'TerraformError';
  constructor(
    readonly kind: TerraformFailure,
    message: string,
    readonly record?: CommandRecord,
    readonly diagnostics: Diagnostic[] = [],
    readonly lock?: LockInfo,
  ) {
    super(message);
  }
}

export interface RunnerOptions {
  /** `terraform`, `tofu`, or a path to either. */
  binary: string;
  /** Where Terraform runs (absolute). */
  cwd: string;
  /** The repository root: annotations name files relative to it. */
  root?: string;
  env?: NodeJS.ProcessEnv;
}

interface Invocation {
  command: string;
  args: string[];
  /** Keep stdout out of the log: `show -json` and `output -json` carry sensitive values in clear. */
  quiet?: boolean;
  /** Exit codes that are not failures (`plan -detailed-exitcode` exits 2 on changes). */
  ok?: number[];
}

/**
 * Runs Terraform or OpenTofu without a shell, one collapsed log group per command, and keeps a record of
 * every command for the job summary. Failures become TerraformError with a message that says what to do.
 */
export class TerraformRunner {
  readonly commands: CommandRecord[] = [];
  private readonly env: NodeJS.ProcessEnv;

  constructor(
    private readonly rt: StepRuntime,
    private readonly options: RunnerOptions,
  ) {
    this.env = childProcessEnv(options.env, { TF_IN_AUTOMATION: '1', TF_INPUT: '0' });
  }

  get tool(): string {
    return basename(this.options.binary).replace(/\.exe$/i, '');
  }

  async init(backendConfig: readonly string[], initArgs: readonly string[]): Promise<CommandRecord> {
    const args = ['init', '-input=false', '-no-color', ...backendConfig.map((b) => `-backend-config=${b}`)];
    return this.run({ command: 'init', args: [...args, ...initArgs] });
  }

  /** `workspace select -or-create` (Terraform ≥ 1.4, OpenTofu): a new environment needs no manual step. */
  async selectWorkspace(workspace: string): Promise<CommandRecord> {
    return this.run({
      command: 'workspace',
      args: ['workspace', 'select', '-or-create', '-no-color', workspace],
    });
  }

  /** Plans into `planFile`; exit code 2 means changes, not failure. */
  async plan(o: {
    planFile: string;
    lockTimeout: string;
    varFiles: readonly string[];
  }): Promise<CommandRecord> {
    const args = [
      'plan',
      '-input=false',
      '-no-color',
      `-lock-timeout=${o.lockTimeout}`,
      '-detailed-exitcode',
      `-out=${o.planFile}`,
      ...o.varFiles.map((f) => `-var-file=${f}`),
    ];
    return this.run({ command: 'plan', args, ok: [0, 2] });
  }

  /** The saved plan as JSON (stdout kept out of the log). */
  async show(planFile: string): Promise<string> {
    const r = await this.run({
      command: 'show',
      args: ['show', '-json', '-no-color', planFile],
      quiet: true,
    });
    return r.stdout;
  }

  /** Applies exactly the saved plan: no new plan, no approval prompt. */
  async apply(o: { planFile: string; lockTimeout: string }): Promise<CommandRecord> {
    return this.run({
      command: 'apply',
      args: ['apply', '-input=false', '-no-color', `-lock-timeout=${o.lockTimeout}`, o.planFile],
    });
  }

  /** `output -json` (stdout kept out of the log). */
  async outputs(): Promise<string> {
    const r = await this.run({ command: 'output', args: ['output', '-json', '-no-color'], quiet: true });
    return r.stdout;
  }

  private async run(inv: Invocation): Promise<CommandRecord> {
    const display = `${this.tool} ${displayArgs(inv.args)}`;
    const record = await this.rt.group(display, () => this.spawn(inv, display));
    this.commands.push(record);
    const ok = inv.ok ?? [0];
    if (record.exitCode !== undefined && ok.includes(record.exitCode)) return record;
    throw this.failure(inv.command, record);
  }

  private spawn(inv: Invocation, display: string): Promise<CommandRecord> {
    const started = performance.now();
    return new Promise((done) => {
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      let spawnError: NodeJS.ErrnoException | undefined;
      const child = spawn(this.options.binary, inv.args, {
        cwd: this.options.cwd,
        env: this.env,
        stdio: ['ignore', 'pipe', 'pipe'],
        windowsHide: true,
      });
      const echo = (chunks: Buffer[], log: boolean) => {
        const decoder = new StringDecoder('utf8');
        let partial = '';
        return {
          data: (chunk: Buffer) => {
            chunks.push(chunk);
            if (!log) return;
            const lines = (partial + decoder.write(chunk)).split(/\r?\n/);
            partial = lines.pop() ?? '';
            // The chunk's whole lines as one message: a plan prints thousands, and each write costs.
            if (lines.length) this.rt.info(lines.join('\n'));
          },
          end: () => {
            const rest = partial + decoder.end();
            if (log && rest) this.rt.info(rest);
          },
        };
      };
      const o = echo(out, !inv.quiet);
      const e = echo(err, true);
      child.stdout.on('data', o.data);
      child.stderr.on('data', e.data);
      child.on('error', (error: NodeJS.ErrnoException) => {
        spawnError = error;
      });
      child.on('close', (code, signal) => {
        o.end();
        e.end();
        const durationMs = Math.round(performance.now() - started);
        let stderr = Buffer.concat(err).toString('utf8');
        if (spawnError) stderr += `${stderr ? '\n' : ''}${spawnError.code ?? ''} ${spawnError.message}`;
        if (signal) this.rt.info(`${display} was stopped by ${signal}`);
        done({
          command: inv.command,
          display,
          exitCode: spawnError ? undefined : (code ?? 128),
          durationMs,
          stdout: Buffer.concat(out).toString('utf8'),
          stderr,
          ...(spawnError ? { startError: spawnError.code ?? 'unknown error' } : {}),
        });
      });
    });
  }

  private failure(command: string, record: CommandRecord): TerraformError {
    if (record.exitCode === undefined) {
      const bin = this.options.binary;
      if (record.startError === 'ENOENT')
        return new TerraformError(
          'binary-not-found',
          `${bin} was not found${isAbsolute(bin) ? '' : ' on PATH'}: install it before this step ` +
            '(GitHub: hashicorp/setup-terraform or opentofu/setup-opentofu; Azure DevOps: the Terraform installer task), ' +
            'or point the binary input (terraform.binary in gitops-promote.yaml) at the right command, e.g. binary: tofu',
          record,
        );
      return new TerraformError(
        'binary-not-found',
        `${bin} could not be started (${record.startError}): ${record.stderr.trim()}`,
        record,
      );
    }
    const output = `${record.stdout}\n${record.stderr}`;
    const diagnostics = realErrors(parseDiagnostics(output));
    // The lock message below says all there is to say; other errors become annotations on their file.
    if (isLockError(output)) return lockError(this.tool, record, diagnostics, parseLockInfo(output));
    this.annotate(diagnostics, command);
    const first = diagnostics[0];
    const where = first?.file && first.line ? ` (${this.shownFile(first.file)} line ${first.line})` : '';
    const why = first
      ? `: ${first.summary}${where}${first.detail ? ` — ${firstLine(first.detail)}` : ''}`
      : '';
    const more = diagnostics.length > 1 ? ` (and ${diagnostics.length - 1} more errors, see the log)` : '';
    const kind: TerraformFailure =
      command === 'init' || command === 'workspace' || command === 'plan' || command === 'apply'
        ? command
        : command === 'show'
          ? 'show'
          : 'output';
    return new TerraformError(
      kind,
      `${this.tool} ${command} failed with exit code ${record.exitCode}${why}${more}`,
      record,
      diagnostics,
    );
  }

  /** A file Terraform names, relative to the repository (where annotations point). */
  private shownFile(file: string): string {
    const shown = this.options.root ? relative(this.options.root, resolve(this.options.cwd, file)) : file;
    return shown.split('\\').join('/');
  }

  /** Each Terraform error becomes an annotation, on the file and line when Terraform names one. */
  private annotate(diagnostics: Diagnostic[], command: string): void {
    for (const d of diagnostics) {
      const message = d.detail ? `${d.summary}\n${d.detail}` : d.summary;
      const title = `${this.tool} ${command}`;
      if (d.file && d.line) {
        this.rt.error(message, { title, file: this.shownFile(d.file), line: d.line });
      } else {
        this.rt.error(message, { title });
      }
    }
  }
}

function lockError(
  tool: string,
  record: CommandRecord,
  diagnostics: Diagnostic[],
  lock: LockInfo,
): TerraformError {
  const held = [
    lock.id && `ID ${lock.id}`,
    lock.who && `Who ${lock.who}`,
    lock.created && `Created ${lock.created}`,
    lock.operation && `Operation ${lock.operation}`,
  ].filter(Boolean);
  const waited = /-lock-timeout=(\S+)/.exec(record.display)?.[1];
  return new TerraformError(
    'state-lock',
    `${tool} ${record.command}: the state lock is held by another run` +
      `${held.length ? ` (${held.join(', ')})` : ''}` +
      `${waited ? `, still held after waiting ${waited}` : ''}. ` +
      'Wait for that run to finish, or raise lock-timeout (the input, or terraform.lock-timeout in gitops-promote.yaml); ' +
      `if the run that took it is gone, release it with \`${tool} force-unlock ${lock.id ?? '<ID>'}\`.`,
    record,
    diagnostics,
    lock,
  );
}

/**
 * The errors worth naming. Init opens with a generic "encountered problems during initialisation" error
 * before the real ones; it says nothing a reader can act on, so it goes when others follow.
 */
function realErrors(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  const errors = diagnostics.filter((d) => d.severity === 'error');
  const real = errors.filter((d) => !/encountered problems during initiali[sz]ation/i.test(d.summary));
  return real.length ? real : errors;
}

function firstLine(text: string): string {
  return text.split('\n')[0] ?? '';
}

/** Milliseconds as Terraform's `-lock-timeout` wants them (whole seconds, rounded up). */
export function terraformDuration(ms: number): string {
  return `${Math.ceil(ms / 1000)}s`;
}

/** A command's duration for people: `850ms`, `12.3s`, `4m 5s` (above a minute, as every message says it). */
export function formatCommandDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  return formatDuration(ms);
}
