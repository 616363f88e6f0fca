import type { Config, Environment } from '../config/model';
import { GitopsError, InputError } from '../errors';
import { environmentResult } from '../gate/commit';
import type { Inputs } from '../inputs';
import type { GitProvider } from '../provider';
import type { HostingService, StepRuntime } from '../runtime';

/**
 * Starting the deploy after a deploy tag (git-tag strategy). On GitHub a tag made with the workflow's own
 * GITHUB_TOKEN starts no workflow, so the deploy workflow is started by workflow_dispatch on the tag's ref
 * instead (permission actions: write): no GitHub App or personal token is needed. Azure DevOps starts
 * pipelines on a tag pushed with the build service's token, and plain Git has no workflows: nothing to do.
 */
export type DispatchMode = 'auto' | 'always' | 'off';

export interface DispatchSettings {
  /** `auto` dispatches only for the workflow's own token (whose tag starts nothing); `always` whatever the token. */
  mode: DispatchMode;
  /** The workflow file to start ('' when neither given nor known from the run). */
  workflow: string;
  /** The token is the workflow's own. */
  ownToken: boolean;
}

const WORKFLOW_FILE = /^[A-Za-z0-9_.-]+\.ya?ml$/;

/** Reads `dispatch` and `dispatch-workflow` (before anything is written). */
export function dispatchSettings(
  inputs: Inputs,
  hosting: HostingService | undefined,
  ownToken: boolean,
): DispatchSettings {
  const mode = inputs.choice('dispatch', ['auto', 'always', 'off'] as const, 'auto');
  const given = inputs.string('dispatch-workflow');
  if (given && (!WORKFLOW_FILE.test(given) || given.includes('..')))
    throw new InputError(
      'dispatch-workflow',
      given,
      'give the file name of the deploy workflow in .github/workflows, e.g. deploy.yml',
    );
  return { mode, workflow: given || hosting?.workflowFile || '', ownToken };
}

/** Would this run start a workflow on GitHub? Then its file must be known before anything is written. */
export function requireWorkflow(s: DispatchSettings, provider: GitProvider): void {
  if (provider.kind !== 'github' || s.workflow || !wants(s)) return;
  throw new InputError(
    'dispatch-workflow',
    '',
    "the running workflow's file is not known (GITHUB_WORKFLOW_REF is not set): give the deploy workflow's file name, e.g. deploy.yml, or set dispatch: off",
  );
}

function wants(s: DispatchSettings): boolean {
  return s.mode === 'always' || (s.mode === 'auto' && s.ownToken);
}

/**
 * Starts the deploy workflow on the tag when `s` asks for it; true when started. For a tag that was already
 * there, `auto` starts it only while the environment has no result for the commit: a re-run after a failed
 * dispatch starts it, a re-run after the deploy ran does not start it twice. A dispatch that fails fails the
 * step: without it the deploy would not run.
 */
export async function dispatchDeploy(
  rt: Pick<StepRuntime, 'info'>,
  provider: GitProvider,
  config: Config,
  target: Environment,
  sha: string,
  tag: { name: string; created: boolean },
  s: DispatchSettings,
): Promise<boolean> {
  if (!wants(s)) return false;
  const ref = `refs/tags/${tag.name}`;
  if (!tag.created && s.mode === 'auto') {
    const result = environmentResult(await provider.listStatuses(sha), target, config.status.contexts);
    if (result.state !== 'missing') {
      rt.info(
        `${target.name} already reports ${result.state} for ${sha.slice(0, 12)}: its deploy ran, so ${s.workflow || 'the workflow'} is not started again (dispatch: always would)`,
      );
      return false;
    }
  }
  let started: boolean;
  try {
    started = await provider.dispatchWorkflow(s.workflow, ref);
  } catch (e) {
    const state = tag.created ? 'was created' : 'is there';
    throw new GitopsError(
      `tag ${tag.name} ${state}, but the deploy of ${target.name} could not be started, so it will not run: ${(e as Error).message}. Fix that and run promote-tag again (it finds the tag and starts ${s.workflow}), or start ${s.workflow} by hand on the tag`,
    );
  }
  rt.info(
    started
      ? `started workflow ${s.workflow} on ${ref} by workflow_dispatch: it deploys ${target.name}`
      : `the ${provider.kind === 'azure' ? 'pushed tag starts the pipelines itself on Azure DevOps' : 'plain Git remote has no workflows to start'}: nothing dispatched`,
  );
  return started;
}
