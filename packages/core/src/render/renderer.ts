import { existsSync } from 'node:fs';
import { basename, isAbsolute, join } from 'node:path';
import { childProcessEnv } from '../child-env';
import { GitopsError } from '../errors';
import { type ExecResult, exec } from '../exec';
import type { StepRuntime } from '../runtime';
import { displayArgs } from '../terraform/args';
import { clip } from '../text';

export const RENDERERS = ['kustomize', 'helm', 'command'] as const;
export type RendererKind = (typeof RENDERERS)[number];

export interface RenderJob {
  renderer: RendererKind;
  environment: string;
  /** `source` with `{env}` filled in, as the user wrote it (relative to the workspace, or absolute). */
  source: string;
  /** `command` split into arguments with `{env}` filled in (renderer `command`). */
  command: string[];
  /** The checked-out repository: relative paths start here. */
  workspace: string;
}

export interface Rendered {
  /** The command line, for logs, summaries and commit messages. */
  display: string;
  output: string;
}

/** The renderer failed or could not be started; the message carries its own error. */
export class RenderError extends GitopsError {
  override name = 'RenderError';
}

/**
 * Runs kustomize, helm or any command for one environment, without a shell, and returns what it printed.
 * kustomize is `kustomize build` when a kustomize binary is on PATH, else `kubectl kustomize`.
 */
export class Renderer {
  /** Which kustomize worked first: later environments use the same. */
  private kustomize?: 'kustomize' | 'kubectl';

  constructor(private readonly rt: StepRuntime) {}

  async render(job: RenderJob): Promise<Rendered> {
    const env = childEnv(job.environment);
    const cwd = job.workspace;
    const invocations = this.invocations(job);
    let last: { display: string; result: ExecResult } | undefined;
    for (const [i, inv] of invocations.entries()) {
      const display = displayArgs([inv.file, ...inv.args]);
      const result = await this.rt.group(`${job.environment}: ${display}`, () =>
        exec(inv.file, inv.args, { cwd, env, onStderrLine: (line) => this.rt.info(line) }),
      );
      last = { display, result };
      // kustomize missing: try kubectl's built-in one.
      if (result.startError === 'ENOENT' && i < invocations.length - 1) {
        this.rt.info(`${inv.file} is not on PATH; trying ${invocations[i + 1]!.file}`);
        continue;
      }
      if (job.renderer === 'kustomize' && result.startError === undefined)
        this.kustomize = inv.file === 'kustomize' ? 'kustomize' : 'kubectl';
      break;
    }
    const { display, result } = last!;
    if (result.code === undefined) throw new RenderError(notStarted(job, display, result));
    if (result.code !== 0)
      throw new RenderError(
        `${display} failed for ${job.environment} (exit code ${result.code}): ${reason(result.stderr)}`,
      );
    this.rt.info(`${job.environment}: ${display} rendered ${result.stdout.length} bytes`);
    return { display, output: result.stdout };
  }

  private invocations(job: RenderJob): { file: string; args: string[] }[] {
    if (job.renderer === 'command') return [{ file: job.command[0]!, args: job.command.slice(1) }];
    if (job.renderer === 'helm') {
      const chart = isAbsolute(job.source) ? job.source : join(job.workspace, job.source);
      const values = `values-${job.environment}.yaml`;
      const args = ['template', basename(chart), job.source, '--include-crds'];
      if (existsSync(join(chart, values))) args.push('--values', join(job.source, values));
      return [{ file: 'helm', args }];
    }
    const build = { file: 'kustomize', args: ['build', job.source] };
    const kubectl = { file: 'kubectl', args: ['kustomize', job.source] };
    if (this.kustomize === 'kubectl') return [kubectl];
    if (this.kustomize === 'kustomize') return [build];
    return [build, kubectl];
  }
}

function notStarted(job: RenderJob, display: string, result: ExecResult): string {
  if (result.startError === 'ENOENT') {
    if (job.renderer === 'kustomize')
      return 'kustomize was not found: neither kustomize nor kubectl is on PATH. Install one before this step (GitHub: azure/setup-kubectl; Azure DevOps: the KubectlInstaller task), or render with renderer: command';
    if (job.renderer === 'helm')
      return 'helm was not found on PATH: install it before this step (GitHub: azure/setup-helm; Azure DevOps: the HelmInstaller task), or render with renderer: command';
    return `${job.command[0]} was not found${isAbsolute(job.command[0]!) ? '' : ' on PATH'} (command: ${display})`;
  }
  return `${display} could not be started (${result.startError}): ${result.stderr.trim()}`;
}

/** The environment of a renderer: the step's own, less its inputs, plus the environment's name. */
function childEnv(environment: string): NodeJS.ProcessEnv {
  return childProcessEnv(process.env, { GITOPS_PROMOTE_ENVIRONMENT: environment });
}

const MAX_REASON = 2000;

/**
 * What went wrong, from a renderer's stderr: kubectl's `err="…"`, else its `Error:` lines, else its last
 * lines.
 */
export function reason(stderr: string): string {
  const klog = /\berr="((?:[^"\\]|\\.)*)"/.exec(stderr);
  if (klog) {
    try {
      return clip(JSON.parse(`"${klog[1]}"`) as string, MAX_REASON);
    } catch {
      return clip(klog[1]!, MAX_REASON);
    }
  }
  const lines = stderr
    .split(/\r?\n/)
    .map((l) => l.trimEnd())
    .filter((l) => l.trim() !== '');
  const errorAt = lines.findIndex((l) => /^(error|fatal)\b:?/i.test(l.trim()));
  const picked = errorAt >= 0 ? lines.slice(errorAt, errorAt + 10) : lines.slice(-10);
  return picked.length ? clip(picked.join('\n'), MAX_REASON) : 'it printed no error message';
}
