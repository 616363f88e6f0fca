import type { Config } from '../config/model';
import { GitopsError, InputError } from '../errors';
import type { Inputs } from '../inputs';
import { md, summarySection } from '../markdown';
import { type PromotionMetadata, readPromotion } from '../promotion/metadata';
import type { GitProvider, PullRequest } from '../provider';
import type { Outputs, RunContext, StepRuntime } from '../runtime';
import { findEnvironment } from '../settings/environment';
import type { CheckPreviousEnvOutput } from '../steps/check-previous-env';
import { board } from './board';
import { gateMessage } from './commit';
import { refuseFrozen, soakRemaining } from './outputs';
import { waitForPromotion } from './promotion';

/** The promotion pull request this run is for (by its number, else its source branch), if it is one. */
export async function promotionOfRun(
  provider: GitProvider,
  config: Config,
  ctx: RunContext,
): Promise<{ pr: PullRequest; meta: PromotionMetadata } | undefined> {
  let pr: PullRequest | undefined;
  if (ctx.pullRequestNumber !== undefined) pr = await provider.getPullRequest(ctx.pullRequestNumber);
  else if (ctx.headRef?.startsWith('promote/')) {
    const open = await provider.findPullRequests({
      head: ctx.headRef,
      base: ctx.baseRef || config.mainBranch,
      state: 'open',
    });
    pr = open.sort((a, b) => b.number - a.number)[0];
    if (!pr)
      throw new GitopsError(
        `this run is for branch ${ctx.headRef}, a promotion branch, but no open pull request comes from it: cannot read what it promotes`,
      );
  }
  if (!pr) return undefined;
  const meta = readPromotion(pr, config);
  return meta && { pr, meta };
}

/** check-previous-env for a promotion pull request: its gate is the predecessor of the environment it promotes to. */
export async function checkPromotion(
  rt: StepRuntime,
  out: Outputs<CheckPreviousEnvOutput>,
  provider: GitProvider,
  config: Config,
  inputs: Inputs,
  { pr, meta }: { pr: PullRequest; meta: PromotionMetadata },
  o: {
    patterns: string[];
    timeoutMs: number;
    intervalMs: number;
    givenSha: string;
    require: 'all' | 'any';
    soakMs: number;
  },
): Promise<Outputs<CheckPreviousEnvOutput>> {
  const env = findEnvironment(config, meta.env)!;
  const what = `pull request #${pr.number} promotes ${meta.group}/${meta.app} ${meta.tag} to ${meta.env}`;
  const envInput = inputs.string('environment');
  if (envInput && envInput !== env.name)
    throw new InputError('environment', envInput, `${what}; leave environment out or give ${env.name}`);
  const previous = config.environments[env.index - 1];
  const prevInput = inputs.string('previous-environment');
  if (prevInput && prevInput !== previous?.name)
    throw new InputError(
      'previous-environment',
      prevInput,
      `${what}, after ${previous?.name ?? 'no environment'}; leave previous-environment out`,
    );
  out['previous-environment'] = previous?.name ?? '';
  out['checked-sha'] = meta.sha;
  refuseFrozen(out, config, env.name);
  if (!previous) {
    out['checked-sha'] = meta.sha;
    out.state = 'success';
    out.statuses = '[]';
    rt.info(`${what}, the first environment: there is no previous environment to check.`);
    await rt.summary(
      `### gitops-promote: check-previous-env\n\nPull request #${pr.number} promotes ${md(`${meta.group}/${meta.app}`)} \`${md(meta.tag)}\` to ${md(env.name)}, the first environment: nothing to check.\n`,
      summarySection('check-previous-env', env.name),
    );
    return out;
  }
  // Flux names its Kustomizations per group (XKS: `kustomization/<group>-<env>`): the group is known here.
  const patterns = o.patterns.map((p) => p.replaceAll('{group}', meta.group));
  const gate = await waitForPromotion(rt, provider, config, {
    meta,
    pr: pr.number,
    previous,
    patterns,
    timeoutMs: o.timeoutMs,
    intervalMs: o.intervalMs,
    require: o.require,
    soakMs: o.soakMs,
    workspace: rt.context.workspace,
    ...(o.givenSha ? { exact: o.givenSha } : {}),
  });
  out['checked-sha'] = gate.sha;
  out.state = gate.result.state;
  out.statuses = JSON.stringify(gate.result.statuses);
  out['soak-remaining'] = soakRemaining(gate.result);
  const standIn = gate.fallback
    ? ` (the head of ${config.mainBranch}, which runs the same ${meta.app} tag in ${previous.name}, standing in for ${meta.sha.slice(0, 12)})`
    : '';
  await rt.summary(
    `${board(config, gate.all, gate.sha, patterns, env.name)}\nPull request #${pr.number} promotes ${md(`${meta.group}/${meta.app}`)} \`${md(meta.tag)}\` to ${md(env.name)}, based on \`${meta.sha.slice(0, 12)}\`${md(standIn)}.\n`,
    summarySection('check-previous-env', env.name),
  );
  if (gate.result.state === 'success') {
    rt.info(
      `${previous.name} reports success for ${gate.sha.slice(0, 12)}${standIn}: ${what}, which may go ahead.`,
    );
    return out;
  }
  throw new GitopsError(
    `${what}: ${gateMessage(gate.result, previous, gate.sha, o.timeoutMs, patterns, o.soakMs)}${standIn}${gate.result.state === 'failure' ? '' : gate.note}`,
  );
}
