import type { Config, Environment } from './config/model';
import { GitopsError, InputError } from './errors';
import { compileGlob, type ParsedRef, parseRef, shortBranch } from './refs';
import type { RunContext } from './runtime';

export type Operation = 'plan' | 'apply' | 'drift' | 'none';
export type TriggerKind = 'pull-request' | 'branch' | 'tag' | 'other';
/** The platform events, folded into what they mean for a promotion. */
export type EventKind = 'push' | 'pull-request' | 'manual' | 'schedule' | 'delete';

const EVENTS: Record<string, EventKind> = {
  // GitHub Actions
  push: 'push',
  create: 'push',
  pull_request: 'pull-request',
  pull_request_target: 'pull-request',
  merge_group: 'pull-request',
  workflow_dispatch: 'manual',
  workflow_call: 'manual',
  workflow_run: 'manual',
  repository_dispatch: 'manual',
  schedule: 'schedule',
  delete: 'delete',
  // Azure Pipelines (Build.Reason)
  IndividualCI: 'push',
  BatchedCI: 'push',
  PullRequest: 'pull-request',
  Manual: 'manual',
  BuildCompletion: 'manual',
  ResourceTrigger: 'manual',
  Schedule: 'schedule',
  // terminal
  'pull-request': 'pull-request',
  manual: 'manual',
};

export const EVENT_NAMES = Object.keys(EVENTS);

export function eventKind(event: string): EventKind {
  const kind = EVENTS[event];
  if (!kind)
    throw new InputError(
      'event',
      event,
      `use a GitHub event (push, pull_request, workflow_dispatch, schedule, delete, …), an Azure DevOps Build.Reason (IndividualCI, BatchedCI, PullRequest, Manual, Schedule, …) or one of push, pull-request, manual`,
    );
  return kind;
}

export interface DetermineInput {
  ref: string;
  event: string;
  /** Target branch of a pull request (short or full name). */
  baseRef?: string;
  sha?: string;
  deleted?: boolean;
}

export interface MatrixEntry {
  environment: string;
  workspace: string;
  operation: Exclude<Operation, 'none'>;
  /** `drift` only: the environment's deployed commit (its deploy tag, or the head of its branch). */
  ref?: string;
  sha?: string;
}

export interface Decision {
  environment: string;
  workspace: string;
  operation: Operation;
  previousEnvironment: string;
  nextEnvironment: string;
  planNext: boolean;
  trigger: TriggerKind;
  sha: string;
  reason: string;
  matrix: { include: MatrixEntry[] };
}

/** The decision for the run itself, as determine-environment makes it when given no inputs. */
export function determineForRun(config: Config, ctx: RunContext): Decision {
  return determine(config, {
    ref: ctx.ref ?? '',
    event: ctx.event ?? 'push',
    baseRef: ctx.baseRef,
    deleted: ctx.deleted,
  });
}

/** Decides, from a Git event, which environment the run acts on and what it does there (SPEC §3). */
export function determine(config: Config, input: DetermineInput): Decision {
  const kind = eventKind(input.event);
  const sha = input.sha ?? '';
  if (input.ref === '' && kind !== 'delete')
    throw new InputError(
      'ref',
      input.ref,
      'it is required: give a full ref such as refs/heads/main or refs/tags/apps-deploy-1',
    );
  const ref = input.ref === '' ? undefined : parseRef(input.ref);
  if (input.ref !== '' && !ref)
    throw new InputError(
      'ref',
      input.ref,
      'give a full ref: refs/heads/<branch>, refs/tags/<tag> or refs/pull/<number>/merge',
    );

  if (kind === 'delete' || input.deleted) {
    return nothing(
      'other',
      sha,
      `${shown(input.ref) || 'The ref'} was deleted: there is nothing to plan or apply.`,
    );
  }
  if (kind === 'schedule') return forSchedule(config, sha);
  if (kind === 'pull-request' || ref!.kind === 'pull') return forPullRequest(config, input, ref!, sha);
  // A manual run on a deploy tag (workflow_dispatch, as promote-tag starts it; an Azure DevOps manual run)
  // is the tag's deploy, exactly as its push: the gate and the reviewed plan follow from the tag ref.
  if (ref!.kind === 'tag') return forTag(config, ref!.name, sha, kind);
  return forBranch(config, kind, ref!.name, sha);
}

/** A pull request plans the environment whose branch it targets, else the first environment. */
function forPullRequest(config: Config, input: DetermineInput, ref: ParsedRef, sha: string): Decision {
  const envs = config.environments;
  const first = envs[0]!;
  const base = input.baseRef ? shortBranch(input.baseRef) : '';
  const baseShown = shown(base);
  if (base === '')
    throw new InputError(
      'base-ref',
      '',
      `a pull request (ref ${input.ref}) needs its target branch; give base-ref, e.g. ${config.mainBranch}`,
    );
  const target = envs.find((e) => 'branch' in e.on && e.on.branch === base);
  const label = ref.kind === 'pull' ? `Pull request #${ref.number}` : `Pull request from ${describeRef(ref)}`;
  if (target)
    return act(
      config,
      target,
      'plan',
      'pull-request',
      sha,
      `${label} into ${baseShown}, the branch of environment ${target.name}: plan ${target.name}.`,
    );
  const why =
    base === config.mainBranch
      ? `${label} into ${baseShown}`
      : `${label} into ${baseShown}, which is no environment's branch`;
  return act(config, first, 'plan', 'pull-request', sha, `${why}: plan ${first.name}.`);
}

/** A deploy tag applies its environment (after the gate); any other tag does nothing. */
function forTag(config: Config, tag: string, sha: string, kind: EventKind): Decision {
  const envs = config.environments;
  const matches = envs.filter((e) => 'tag' in e.on && compileGlob(e.on.tag)(tag));
  if (matches.length > 1)
    throw new GitopsError(
      `tag ${tag} matches the deploy tags of several environments (${matches.map((e) => `${e.name}: ${(e.on as { tag: string }).tag}`).join(', ')}); change the globs in ${config.source} so that each tag names one environment`,
    );
  const target = matches[0];
  if (!target) {
    const globs = envs.flatMap((e) => ('tag' in e.on ? [e.on.tag] : []));
    const known = globs.length
      ? `no environment's deploy tag (${globs.join(', ')})`
      : 'no environment (none is triggered by tags)';
    return nothing('tag', sha, `Tag ${shown(tag)} matches ${known}: there is nothing to plan or apply.`);
  }
  const prev = envs[target.index - 1];
  const gate = prev ? ` once ${prev.name} reports success for this commit` : '';
  return act(
    config,
    target,
    'apply',
    'tag',
    sha,
    `${kind === 'manual' ? `Manual run on tag ${shown(tag)}, which matches` : `Tag ${shown(tag)} matches`} ${(target.on as { tag: string }).tag}, the deploy tag of environment ${target.name}: apply ${target.name}${gate}${thenPlan(config, target)}.`,
  );
}

/**
 * A schedule looks for drift in every environment, whatever the ref: each at its deployed commit, which the
 * step fills in (`ref`, `sha`) through the provider; this decision only lists them.
 */
function forSchedule(config: Config, sha: string): Decision {
  const include: MatrixEntry[] = config.environments.map((e) => ({
    environment: e.name,
    workspace: e.workspace,
    operation: 'drift',
  }));
  return {
    ...nothing('other', sha, 'Scheduled run: look for drift in every environment at its deployed commit.'),
    operation: 'drift',
    matrix: { include },
  };
}

/** A push (or manual run) on an environment's branch applies it; else plan the first. */
function forBranch(config: Config, kind: EventKind, branch: string, sha: string): Decision {
  const first = config.environments[0]!;
  const target = config.environments.find((e) => 'branch' in e.on && e.on.branch === branch);
  if (target) {
    const how = kind === 'manual' ? 'Manual run on' : 'Push to';
    return act(
      config,
      target,
      'apply',
      'branch',
      sha,
      `${how} ${shown(branch)}, the branch of environment ${target.name}: apply ${target.name}${thenPlan(config, target)}.`,
    );
  }
  const how = kind === 'manual' ? 'Manual run on' : 'Push to';
  return act(
    config,
    first,
    'plan',
    'branch',
    sha,
    `${how} ${shown(branch)}, which is no environment's branch: plan ${first.name}.`,
    false,
  );
}

function describeRef(ref: ParsedRef): string {
  return ref.kind === 'pull' ? `#${ref.number}` : shown(ref.name);
}

/**
 * A ref name as the reason output shows it. Git allows `$(…)`, backquotes and quotes in names, and a
 * workflow that pastes the reason into a script would run them: anything but `A-Z a-z 0-9 . _ - / + @`
 * shows as `?`.
 */
function shown(name: string): string {
  return name.replace(/[^A-Za-z0-9._/+@-]/g, '?');
}

function thenPlan(config: Config, env: Environment): string {
  const next = config.environments[env.index + 1];
  return next ? `, then plan ${next.name}` : '';
}

function act(
  config: Config,
  env: Environment,
  operation: Exclude<Operation, 'none'>,
  trigger: TriggerKind,
  sha: string,
  reason: string,
  followWithNext = operation === 'apply',
): Decision {
  const prev = config.environments[env.index - 1];
  const next = config.environments[env.index + 1];
  const planNext = followWithNext && next !== undefined;
  const include: MatrixEntry[] = [{ environment: env.name, workspace: env.workspace, operation }];
  if (planNext) include.push({ environment: next.name, workspace: next.workspace, operation: 'plan' });
  return {
    environment: env.name,
    workspace: env.workspace,
    operation,
    previousEnvironment: prev?.name ?? '',
    nextEnvironment: next?.name ?? '',
    planNext,
    trigger,
    sha,
    reason,
    matrix: { include },
  };
}

function nothing(trigger: TriggerKind, sha: string, reason: string): Decision {
  return {
    environment: '',
    workspace: '',
    operation: 'none',
    previousEnvironment: '',
    nextEnvironment: '',
    planNext: false,
    trigger,
    sha,
    reason,
    matrix: { include: [] },
  };
}
