import { loadConfig } from '../config/load';
import type { Config, Environment } from '../config/model';
import { determine } from '../determine';
import { GitopsError, InputError } from '../errors';
import { environmentResult, findEnvironment, gateMessage, waitForResult } from '../gate';
import { Inputs } from '../inputs';
import { md, table } from '../markdown';
import type { CommitStatus, GitProvider } from '../provider';
import type { RunContext, Runtime, Services, Step } from '../runtime';

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
    const config = loadConfig(rt.context.workspace, inputs.string('config') || undefined);
    const contexts = inputs.lines('contexts');
    const timeoutMs = inputs.durationMs('timeout', config.status.timeoutMs);
    const intervalMs = inputs.durationMs('interval', config.status.intervalMs);
    if (intervalMs <= 0)
      throw new InputError('interval', inputs.string('interval'), 'it must be more than 0, e.g. 15s');
    const sha = inputs.string('sha', (rt.context.headSha || rt.context.sha) ?? '');
    if (!/^[0-9a-f]{40}$/.test(sha))
      throw new InputError('sha', sha, 'give the full 40-character commit sha');
    const target = targetEnvironment(config, inputs, rt.context);
    const previous = target.previous;
    rt.setOutput('previous-environment', previous?.name ?? '');
    rt.setOutput('checked-sha', sha);

    if (rt.context.pullRequestNumber !== undefined || rt.context.baseRef)
      checkSourceBranch(config, rt.context);

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

interface Target {
  name: string;
  previous?: Environment;
  /** The change reaches the target through a deploy tag: the commit must be on the main branch. */
  viaTag: boolean;
}

function targetEnvironment(config: Config, inputs: Inputs, ctx: RunContext): Target {
  const prevName = inputs.string('previous-environment');
  const envName = inputs.string('environment');
  const names = config.environments.map((e) => e.name).join(', ');
  if (envName) {
    const env = findEnvironment(config, envName);
    if (!env)
      throw new InputError(
        'environment',
        envName,
        `use one of the environments in ${config.source}: ${names}`,
      );
    const previous = config.environments[env.index - 1];
    if (prevName && previous?.name !== prevName)
      throw new InputError(
        'previous-environment',
        prevName,
        `${envName} comes after ${previous?.name ?? 'no environment'}; give environment or previous-environment, not both`,
      );
    return {
      name: env.name,
      previous,
      viaTag: 'tag' in env.on && ctx.ref?.startsWith('refs/tags/') === true,
    };
  }
  if (prevName) {
    const previous = findEnvironment(config, prevName);
    if (!previous)
      throw new InputError(
        'previous-environment',
        prevName,
        `use one of the environments in ${config.source}: ${names}`,
      );
    const next = config.environments[previous.index + 1];
    return {
      name: next?.name ?? '(after the last)',
      previous,
      viaTag: ctx.ref?.startsWith('refs/tags/') === true,
    };
  }
  // Neither input: the environment this run acts on, decided as determine-environment would.
  const d = determine(config, {
    ref: ctx.ref ?? '',
    event: ctx.event ?? 'push',
    baseRef: ctx.baseRef,
    deleted: ctx.deleted,
  });
  if (d.operation === 'none')
    throw new InputError(
      'environment',
      '',
      `this run acts on no environment (${d.reason}); give environment`,
    );
  const env = findEnvironment(config, d.environment)!;
  return { name: env.name, previous: config.environments[env.index - 1], viaTag: d.trigger === 'tag' };
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
