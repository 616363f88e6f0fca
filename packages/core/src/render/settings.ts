import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Config, Environment } from '../config/model';
import { eventKind } from '../determine';
import { InputError } from '../errors';
import { Inputs } from '../inputs';
import { insideRepository } from '../paths';
import { refNameProblem } from '../refs';
import type { StepRuntime } from '../runtime';
import { stepConfig } from '../settings/config';
import { renderEnvironments } from '../settings/environment';
import { splitArgs } from '../terraform/args';
import { RENDERERS, type RendererKind } from './renderer';
import { folderText } from './report';
import { resolveTarget, type TargetRepository } from './target';

export interface Job {
  environment: Environment;
  /** `source` with `{env}` filled in. */
  source: string;
  /** Renderer `command`: the arguments, `{env}` filled in. */
  command: string[];
  /** Where the renderer runs. */
  cwd: string;
  branch: string;
  /** Folder in the target repository, normalised ('' is the root). */
  path: string;
}

export interface RenderSettings {
  config: Config;
  renderer: RendererKind;
  mode: 'publish' | 'verify';
  target: TargetRepository;
  token: string;
  jobs: Job[];
  /** Why there is nothing to render (no environment for this run). */
  nothingReason: string;
}

const PLACEHOLDER = /\{([^}]*)\}/g;

function checkTemplate(input: string, value: string): void {
  for (const m of value.matchAll(PLACEHOLDER))
    if (m[1] !== 'env')
      throw new InputError(input, value, `{${m[1]}} is no placeholder; the only one is {env}`);
}

const fill = (template: string, env: string) => template.replace(/\{env\}/g, env);

/** Reads and checks every input of render-manifests, with no side effect. */
export function readRenderSettings(rt: Pick<StepRuntime, 'input' | 'context'>): RenderSettings {
  const inputs = new Inputs(rt);
  const root = rt.context.workspace;
  const config = stepConfig(inputs, root);
  const renderer = inputs.choice('renderer', RENDERERS, 'kustomize');
  const pullRequest = isPullRequest(rt);
  const mode = inputs.choice('mode', ['publish', 'verify'] as const, pullRequest ? 'verify' : 'publish');

  const sourceTemplate = inputs.string('source');
  checkTemplate('source', sourceTemplate);
  const commandTemplate = commandArgs(inputs, renderer, sourceTemplate);

  const branchTemplate = inputs.string('target-branch');
  checkTemplate('target-branch', branchTemplate);
  const pathTemplate = inputs.string('target-path', '{env}');
  checkTemplate('target-path', pathTemplate);
  inputs.choice('provider', ['auto', 'github', 'azure', 'git'] as const, 'auto');
  const token = inputs.string('token');
  const target = resolveTarget(inputs.string('target-repository'), {
    hosting: rt.context.hosting,
    repository: rt.context.repository,
    workspace: root,
  });

  const { environments, reason } = renderEnvironments(config, inputs, rt.context);
  const templates = {
    source: sourceTemplate,
    command: commandTemplate,
    branch: branchTemplate,
    path: pathTemplate,
  };
  const jobs = environments.map((environment) => jobOf(environment, templates, renderer, config, root));
  checkDistinctFolders(jobs, pathTemplate);
  return { config, renderer, mode, target, token, jobs, nothingReason: reason };
}

/** The `command` input as arguments (renderer: command); with another renderer, none, and `source` required. */
function commandArgs(inputs: Inputs, renderer: RendererKind, sourceTemplate: string): string[] {
  const commandText = inputs.string('command');
  if (renderer === 'command') {
    if (!commandText)
      throw new InputError(
        'command',
        '',
        'renderer: command needs the command line that prints the manifests',
      );
    const commandTemplate = splitArgs(commandText, 'command');
    if (commandTemplate.length === 0)
      throw new InputError('command', commandText, 'give the command line that prints the manifests');
    checkTemplate('command', commandText);
    return commandTemplate;
  }
  if (commandText)
    throw new InputError(
      'command',
      commandText,
      `command is for renderer: command; with renderer: ${renderer} give source instead`,
    );
  if (!sourceTemplate)
    throw new InputError(
      'source',
      '',
      renderer === 'kustomize'
        ? 'renderer: kustomize needs the kustomization directory of each environment, e.g. overlays/{env}'
        : 'renderer: helm needs the chart directory, e.g. charts/app (values-{env}.yaml in it is used when present)',
    );
  return [];
}

/** The inputs that hold `{env}`, as given (command already split into arguments). */
interface Templates {
  source: string;
  command: string[];
  branch: string;
  path: string;
}

/** One environment's render: its templates filled in and every path checked. */
function jobOf(
  environment: Environment,
  t: Templates,
  renderer: RendererKind,
  config: Config,
  root: string,
): Job {
  const env = environment.name;
  const source = fill(t.source, env);
  const branch = t.branch
    ? fill(t.branch, env)
    : 'branch' in environment.on
      ? environment.on.branch
      : config.mainBranch;
  const problem = refNameProblem(branch);
  if (problem) throw new InputError('target-branch', t.branch || branch, `${branch}: ${problem}`);
  let cwd = root;
  if (renderer === 'command') {
    if (source)
      cwd = checkDirectory('source', t.source, source, root, `the directory the command runs in for ${env}`);
  } else if (!/^[a-z][a-z0-9+.-]*:\/\/|^git@/i.test(source)) {
    const dir = checkDirectory(
      'source',
      t.source,
      source,
      root,
      `the ${renderer === 'helm' ? 'chart' : 'kustomization'} directory of ${env}`,
    );
    const values = join(dir, `values-${env}.yaml`);
    // helm reads the environment's values file too: it may not lead out of the repository either.
    if (renderer === 'helm' && existsSync(values))
      insideRepository('source', values, {
        root,
        shown: t.source,
        valid: `values-${env}.yaml in the chart must be a file of the repository`,
      });
    if (renderer === 'helm' && !existsSync(join(dir, 'Chart.yaml')))
      throw new InputError(
        'source',
        t.source,
        `${dir} has no Chart.yaml: give the directory of a Helm chart`,
      );
    if (
      renderer === 'kustomize' &&
      !['kustomization.yaml', 'kustomization.yml', 'Kustomization'].some((f) => existsSync(join(dir, f)))
    )
      throw new InputError(
        'source',
        t.source,
        `${dir} has no kustomization.yaml: give the kustomization directory of ${env}`,
      );
  }
  return {
    environment,
    source,
    command: t.command.map((a) => fill(a, env)),
    cwd,
    branch,
    path: folderPath(t.path, env),
  };
}

/** Two environments may not be written to the same folder of the same branch. */
function checkDistinctFolders(jobs: Job[], pathTemplate: string): void {
  const seen = new Map<string, string>();
  for (const j of jobs) {
    const key = `${j.branch}\0${j.path}`;
    const other = seen.get(key);
    if (other)
      throw new InputError(
        'target-path',
        pathTemplate,
        `${other} and ${j.environment.name} would both be written to ${folderText(j.path)} on ${j.branch}; put {env} in target-path or target-branch`,
      );
    seen.set(key, j.environment.name);
  }
}

/** A directory of the repository: after `..` and symbolic links still inside it, and there. */
function checkDirectory(input: string, template: string, value: string, root: string, what: string): string {
  const dir = insideRepository(input, value, {
    root,
    shown: template,
    valid: `give ${what}, inside the repository`,
  });
  if (!existsSync(dir) || !statSync(dir).isDirectory())
    throw new InputError(input, template, `${value} is not a directory under ${root}; give ${what}`);
  return dir;
}

/** `target-path` with `{env}` filled in, as a folder inside the repository ('' is its root). */
function folderPath(template: string, env: string): string {
  const value = fill(template, env);
  const parts = value.split('/').filter((p) => p !== '' && p !== '.');
  if (
    value.startsWith('/') ||
    value.includes('\\') ||
    /[\0\n\r]/.test(value) ||
    parts.some((p) => p === '..' || p.toLowerCase() === '.git')
  )
    throw new InputError(
      'target-path',
      template,
      'give a folder inside the repository, relative to its root, without "..", "\\" or .git (e.g. {env} or clusters/{env})',
    );
  return parts.join('/');
}

function isPullRequest(rt: Pick<StepRuntime, 'context'>): boolean {
  if (rt.context.pullRequestNumber !== undefined) return true;
  if (rt.context.ref && /^refs\/pull\//.test(rt.context.ref)) return true;
  try {
    return rt.context.event ? eventKind(rt.context.event) === 'pull-request' : false;
  } catch {
    return false;
  }
}
