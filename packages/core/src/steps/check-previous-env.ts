import type { Config } from '../config/model';
import { GitopsError, InputError } from '../errors';
import { environmentResult, gateMessage, waitForResult } from '../gate';
import { Inputs } from '../inputs';
import { md, table } from '../markdown';
import { waitForPromotion } from '../promotion/gate';
import { type PromotionMetadata, readPromotion } from '../promotion/metadata';
import type { CommitStatus, GitProvider, PullRequest } from '../provider';
import type { RunContext, Runtime, Services, Step } from '../runtime';
import { fullSha } from '../settings/commit';
import { stepConfig } from '../settings/config';
import { findEnvironment, gateTarget } from '../settings/environment';

export const checkPreviousEnv: Step = {
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
  ],
  async run(rt: Runtime, services: Services) {
    const inputs = new Inputs(rt);
    const config = stepConfig(inputs, rt.context.workspace);
    const contexts = inputs.lines('contexts');
    const timeoutMs = inputs.durationMs('timeout', config.status.timeoutMs);
    const intervalMs = inputs.durationMs('interval', config.status.intervalMs);
    if (intervalMs <= 0)
      throw new InputError('interval', inputs.string('interval'), 'it must be more than 0, e.g. 15s');
    const givenSha = inputs.string('sha');
    const sha = fullSha(givenSha || ((rt.context.headSha || rt.context.sha) ?? ''));
    const target = gateTarget(config, inputs, rt.context);

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
        return checkPromotion(rt, provider, config, inputs, promotion, {
          patterns: contexts.length ? contexts : config.status.contexts,
          timeoutMs,
          intervalMs,
          givenSha,
        });
    }

    const previous = target.previous;
    rt.setOutput('previous-environment', previous?.name ?? '');
    rt.setOutput('checked-sha', sha);

    if (!previous) {
      rt.setOutput('state', 'success');
      rt.setOutput('statuses', '[]');
      rt.info(`${target.name} is the first environment: there is no previous environment to check.`);
      await rt.summary(
        `### gitops-promote: check-previous-env\n\n${md(target.name)} is the first environment: nothing to check.\n`,
      );
      return;
    }

    const provider = await services.provider();
    if (target.viaTag) await requireOnMainBranch(provider, config, sha);

    const patterns = contexts.length ? contexts : config.status.contexts;
    const gate = await waitForResult(rt, provider, previous, sha, { patterns, timeoutMs, intervalMs });
    rt.setOutput('state', gate.result.state);
    rt.setOutput('statuses', JSON.stringify(gate.result.statuses));
    await rt.summary(board(config, gate.all, sha, patterns, target.name));
    if (gate.result.state === 'success') {
      rt.info(`${previous.name} reports success for ${sha.slice(0, 12)}: ${target.name} may go ahead.`);
      return;
    }
    throw new GitopsError(gateMessage(gate.result, previous, sha, timeoutMs, patterns));
  },
};

/** The promotion pull request this run is for (by its number, else its source branch), if it is one. */
async function promotionOfRun(
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

async function checkPromotion(
  rt: Runtime,
  provider: GitProvider,
  config: Config,
  inputs: Inputs,
  { pr, meta }: { pr: PullRequest; meta: PromotionMetadata },
  o: { patterns: string[]; timeoutMs: number; intervalMs: number; givenSha: string },
): Promise<void> {
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
  rt.setOutput('previous-environment', previous?.name ?? '');
  if (!previous) {
    rt.setOutput('checked-sha', meta.sha);
    rt.setOutput('state', 'success');
    rt.setOutput('statuses', '[]');
    rt.info(`${what}, the first environment: there is no previous environment to check.`);
    await rt.summary(
      `### gitops-promote: check-previous-env\n\nPull request #${pr.number} promotes ${md(`${meta.group}/${meta.app}`)} \`${md(meta.tag)}\` to ${md(env.name)}, the first environment: nothing to check.\n`,
    );
    return;
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
    workspace: rt.context.workspace,
    ...(o.givenSha ? { exact: o.givenSha } : {}),
  });
  rt.setOutput('checked-sha', gate.sha);
  rt.setOutput('state', gate.result.state);
  rt.setOutput('statuses', JSON.stringify(gate.result.statuses));
  const standIn = gate.fallback
    ? ` (the head of ${config.mainBranch}, which runs the same ${meta.app} tag in ${previous.name}, standing in for ${meta.sha.slice(0, 12)})`
    : '';
  await rt.summary(
    `${board(config, gate.all, gate.sha, patterns, env.name)}\nPull request #${pr.number} promotes ${md(`${meta.group}/${meta.app}`)} \`${md(meta.tag)}\` to ${md(env.name)}, based on \`${meta.sha.slice(0, 12)}\`${md(standIn)}.\n`,
  );
  if (gate.result.state === 'success') {
    rt.info(
      `${previous.name} reports success for ${gate.sha.slice(0, 12)}${standIn}: ${what}, which may go ahead.`,
    );
    return;
  }
  throw new GitopsError(
    `${what}: ${gateMessage(gate.result, previous, gate.sha, o.timeoutMs, patterns)}${standIn}${gate.result.state === 'failure' ? '' : gate.note}`,
  );
}

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

function board(
  config: Config,
  statuses: CommitStatus[],
  sha: string,
  patterns: string[],
  target: string,
): string {
  const rows = config.environments.map((e) => {
    const r = environmentResult(statuses, e, patterns);
    const detail = r.statuses.map((s) => `${md(s.context)}: ${s.state}`).join('<br>') || '—';
    return [e.name === target ? `**${md(e.name)}** ←` : md(e.name), r.state, detail];
  });
  return `### gitops-promote: check-previous-env\n\nCommit \`${sha.slice(0, 12)}\` in each environment:\n\n${table(['environment', 'state', 'statuses'], rows)}\n`;
}
