import type { Config } from '../config/model';
import { GitopsError, InputError } from '../errors';
import { board } from '../gate/board';
import { gateMessage, waitForResult } from '../gate/commit';
import { refuseFrozen, soakRemaining } from '../gate/outputs';
import { checkPromotion, promotionOfRun } from '../gate/promotion-check';
import { Inputs } from '../inputs';
import { md, summarySection } from '../markdown';
import type { GitProvider } from '../provider';
import type { Outputs, RunContext, Services, Step, StepRuntime } from '../runtime';
import { fullSha } from '../settings/commit';
import { stepConfig } from '../settings/config';
import { gateTarget } from '../settings/environment';

export const CHECK_PREVIOUS_ENV_OUTPUTS = [
  'state',
  'previous-environment',
  'checked-sha',
  'statuses',
  'soak-remaining',
  'frozen-until',
] as const;
export type CheckPreviousEnvOutput = (typeof CHECK_PREVIOUS_ENV_OUTPUTS)[number];

export const checkPreviousEnv: Step<CheckPreviousEnvOutput> = {
  name: 'check-previous-env',
  description: 'gate: go on only when the previous environment reports success for this commit',
  inputs: [
    'environment',
    'previous-environment',
    'sha',
    'contexts',
    'timeout',
    'interval',
    'config',
    'token',
    'provider',
    'soak',
  ],
  outputs: CHECK_PREVIOUS_ENV_OUTPUTS,
  async run(rt: StepRuntime, services: Services, out: Outputs<CheckPreviousEnvOutput> = {}) {
    const inputs = new Inputs(rt);
    const config = stepConfig(inputs, rt.context.workspace);
    const contexts = inputs.lines('contexts');
    const timeoutMs = inputs.durationMs('timeout', config.status.timeoutMs);
    const intervalMs = inputs.durationMs('interval', config.status.intervalMs);
    if (intervalMs <= 0)
      throw new InputError('interval', inputs.string('interval'), 'it must be more than 0, e.g. 15s');
    const soakMs = inputs.durationMs('soak', config.status.soakMs);
    const givenSha = inputs.string('sha');
    const sha = fullSha(givenSha || ((rt.context.headSha || rt.context.sha) ?? ''));
    const target = gateTarget(config, inputs, rt.context);

    out['soak-remaining'] = '0s';
    out['frozen-until'] = '';
    const gateRules = { require: config.status.require, soakMs };

    const onPullRequest = rt.context.pullRequestNumber !== undefined || Boolean(rt.context.baseRef);
    if (onPullRequest) checkSourceBranch(config, rt.context);

    // A promotion pull request says what it promotes where: the gate is that environment's predecessor.
    // Promotion branches are promote/…: other pull requests cost no API call (nor pull-requests:read).
    const headRef = rt.context.headRef;
    const mayPromote = headRef ? headRef.startsWith('promote/') : rt.context.pullRequestNumber !== undefined;
    if (mayPromote && (!rt.context.baseRef || rt.context.baseRef === config.mainBranch)) {
      const provider = await services.provider();
      const promotion =
        provider.kind === 'git' ? undefined : await promotionOfRun(provider, config, rt.context);
      if (promotion)
        return checkPromotion(rt, out, provider, config, inputs, promotion, {
          patterns: contexts.length ? contexts : config.status.contexts,
          timeoutMs,
          intervalMs,
          givenSha,
          ...gateRules,
        });
    }

    const previous = target.previous;
    out['previous-environment'] = previous?.name ?? '';
    out['checked-sha'] = sha;
    refuseFrozen(out, config, target.name);

    if (!previous) {
      out.state = 'success';
      out.statuses = '[]';
      rt.info(`${target.name} is the first environment: there is no previous environment to check.`);
      await rt.summary(
        `### gitops-promote: check-previous-env\n\n${md(target.name)} is the first environment: nothing to check.\n`,
        summarySection('check-previous-env', target.name),
      );
      return out;
    }

    const provider = await services.provider();
    if (target.viaTag) await requireOnMainBranch(provider, config, sha);

    const patterns = contexts.length ? contexts : config.status.contexts;
    const gate = await waitForResult(rt, provider, previous, sha, {
      patterns,
      timeoutMs,
      intervalMs,
      ...gateRules,
    });
    out.state = gate.result.state;
    out.statuses = JSON.stringify(gate.result.statuses);
    out['soak-remaining'] = soakRemaining(gate.result);
    await rt.summary(
      board(config, gate.all, sha, patterns, target.name),
      summarySection('check-previous-env', target.name),
    );
    if (gate.result.state === 'success') {
      rt.info(`${previous.name} reports success for ${sha.slice(0, 12)}: ${target.name} may go ahead.`);
      return out;
    }
    throw new GitopsError(gateMessage(gate.result, previous, sha, timeoutMs, patterns, soakMs));
  },
};

/** Branch layout: a pull request into an environment's branch must come from the previous environment's branch. */
function checkSourceBranch(config: Config, ctx: RunContext): void {
  const target = config.environments.find((e) => 'branch' in e.on && e.on.branch === ctx.baseRef);
  const previous = target && config.environments[target.index - 1];
  if (!target || !previous || !('branch' in previous.on) || target.index === 0) return;
  if (ctx.headRef !== previous.on.branch)
    throw new GitopsError(
      `pull requests into ${ctx.baseRef} (environment ${target.name}) must come from ${previous.on.branch}, the branch of the previous environment ${previous.name}; this one comes from ${ctx.headRef ?? 'an unknown branch'}`,
    );
}

async function requireOnMainBranch(provider: GitProvider, config: Config, sha: string): Promise<void> {
  if (!(await provider.isAncestor(sha, config.mainBranch)))
    throw new GitopsError(
      `commit ${sha.slice(0, 12)} is not on ${config.mainBranch}: a deploy tag may only name a commit that was merged into ${config.mainBranch}`,
    );
}
