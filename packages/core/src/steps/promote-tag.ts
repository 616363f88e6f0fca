import { loadConfig } from '../config/load';
import type { Config, Environment } from '../config/model';
import { determine } from '../determine';
import { GitopsError, InputError } from '../errors';
import { findEnvironment, gateMessage, waitForResult } from '../gate';
import { Inputs } from '../inputs';
import { md, table } from '../markdown';
import type { GitProvider, TagRef } from '../provider';
import { compileGlob, refNameProblem } from '../refs';
import type { Runtime, Services, Step } from '../runtime';

export type Strategy = 'git-tag' | 'pull-request' | 'branch';

export const promoteTag: Step = {
  name: 'promote-tag',
  description:
    'move a change to the next environment: a deploy tag, a promotion pull request, or a branch merge',
  inputs: [
    'strategy',
    'environment',
    'from-environment',
    'sha',
    'tag',
    'require-previous',
    'command',
    'group',
    'app',
    'image-tag',
    'config',
    'token',
    'provider',
    'workflow-token',
  ],
  async run(rt: Runtime, services: Services) {
    const inputs = new Inputs(rt);
    const config = loadConfig(rt.context.workspace, inputs.string('config') || undefined);
    const target = targetEnvironment(config, inputs, rt);
    const strategy = inputs.choice(
      'strategy',
      ['git-tag', 'pull-request', 'branch'] as const,
      'tag' in target.on ? 'git-tag' : 'branch',
    );
    const requirePrevious = inputs.boolean('require-previous', true);
    const sha = inputs.string('sha', rt.context.sha ?? '');
    if (!/^[0-9a-f]{40}$/.test(sha))
      throw new InputError('sha', sha, 'give the full 40-character commit sha');
    if (strategy !== 'git-tag')
      throw new InputError(
        'strategy',
        strategy,
        'this version promotes with git-tag only; pull-request and branch come with application promotion',
      );
    const tagName = givenTag(inputs, target);

    const token = inputs.string('token');
    if (token) rt.setSecret(token);
    if (rt.platform === 'github' && token && token === inputs.string('workflow-token'))
      rt.warning(
        `the tag is created with the workflow's own GITHUB_TOKEN, so it will not start the ${target.name} deploy workflow. Pass a GitHub App token or a fine-grained PAT with contents:write as token, or start the deploy with workflow_dispatch.`,
      );

    const provider = await services.provider();
    const result = await promoteWithTag(rt, provider, config, target, sha, tagName, requirePrevious);
    rt.setOutput('environment', target.name);
    rt.setOutput('sha', sha);
    rt.setOutput('tag', result.tag.name);
    rt.setOutput('created', String(result.created));
    for (const o of ['pull-request-number', 'pull-request-url', 'branch']) rt.setOutput(o, '');
    rt.setOutput('auto-merge', 'false');
    rt.info(
      result.created
        ? `created tag ${result.tag.name} on ${sha.slice(0, 12)}: ${target.name} deploys from it`
        : `tag ${result.tag.name} already promotes ${sha.slice(0, 12)} to ${target.name}: nothing to do`,
    );
    await rt.summary(
      `### gitops-promote: promote-tag\n\n${table(
        ['environment', 'commit', 'tag', 'created'],
        [[md(target.name), `\`${sha.slice(0, 12)}\``, `\`${md(result.tag.name)}\``, String(result.created)]],
      )}\n`,
    );
  },
};

function targetEnvironment(config: Config, inputs: Inputs, rt: Runtime): Environment {
  const names = config.environments.map((e) => e.name).join(', ');
  const envName = inputs.string('environment');
  if (envName) {
    const env = findEnvironment(config, envName);
    if (!env)
      throw new InputError(
        'environment',
        envName,
        `use one of the environments in ${config.source}: ${names}`,
      );
    if (env.index === 0)
      throw new InputError(
        'environment',
        envName,
        `${envName} is the first environment; nothing is promoted into it`,
      );
    return env;
  }
  const fromName = inputs.string('from-environment');
  let from: Environment | undefined;
  if (fromName) {
    from = findEnvironment(config, fromName);
    if (!from)
      throw new InputError(
        'from-environment',
        fromName,
        `use one of the environments in ${config.source}: ${names}`,
      );
  } else {
    const ctx = rt.context;
    const d = determine(config, {
      ref: ctx.ref ?? '',
      event: ctx.event ?? 'push',
      baseRef: ctx.baseRef,
      deleted: ctx.deleted,
    });
    if (d.operation !== 'apply')
      throw new InputError(
        'environment',
        '',
        `this run applied no environment (${d.reason}); give environment or from-environment`,
      );
    from = findEnvironment(config, d.environment)!;
  }
  const next = config.environments[from.index + 1];
  if (!next)
    throw new InputError(
      fromName ? 'from-environment' : 'environment',
      fromName,
      `${from.name} is the last environment; there is nothing after it to promote to`,
    );
  return next;
}

/** The tag input, checked against the environment's glob; '' when the default name is to be used. */
function givenTag(inputs: Inputs, env: Environment): string {
  if (!('tag' in env.on)) return '';
  const glob = env.on.tag;
  const given = inputs.string('tag');
  if (given) {
    const problem = refNameProblem(given);
    if (problem) throw new InputError('tag', given, problem);
    if (!compileGlob(glob)(given))
      throw new InputError(
        'tag',
        given,
        `it must match ${glob}, the deploy tag of ${env.name}, or it would deploy nothing`,
      );
    return given;
  }
  if (defaultPrefix(glob) === undefined)
    throw new InputError(
      'tag',
      '',
      `${env.name} deploys from tags matching ${glob}; give a tag name that matches it`,
    );
  return '';
}

function defaultPrefix(glob: string): string | undefined {
  const prefix = glob.endsWith('*') ? glob.slice(0, -1) : undefined;
  return prefix === undefined || /[*?[]/.test(prefix) ? undefined : prefix;
}

/**
 * `<prefix><UTC YYYYMMDDHHmmss>`. The time is when the previous environment reported success, when known:
 * two runs promoting the same commit at once then choose the same name, and one tag results.
 */
function defaultTag(env: Environment, when: Date): string {
  const prefix = defaultPrefix((env.on as { tag: string }).tag)!;
  return `${prefix}${when.toISOString().replace(/\D/g, '').slice(0, 14)}`;
}

/** Tags of `env` already on `sha`, oldest name first. */
async function tagsOn(provider: GitProvider, env: Environment, sha: string): Promise<TagRef[]> {
  const glob = (env.on as { tag: string }).tag;
  const prefix = glob.split(/[*?[]/)[0] ?? '';
  const matches = compileGlob(glob);
  const tags = await provider.listTags(prefix);
  return tags.filter((t) => t.sha === sha && matches(t.name)).sort((a, b) => a.name.localeCompare(b.name));
}

async function promoteWithTag(
  rt: Runtime,
  provider: GitProvider,
  config: Config,
  target: Environment,
  sha: string,
  tagName: string,
  requirePrevious: boolean,
): Promise<{ tag: TagRef; created: boolean }> {
  const existing = await tagsOn(provider, target, sha);
  if (existing[0]) return { tag: existing[0], created: false };

  if (!(await provider.isAncestor(sha, config.mainBranch)))
    throw new GitopsError(
      `commit ${sha.slice(0, 12)} is not on ${config.mainBranch}: only merged commits are promoted (nothing was created)`,
    );

  const previous = config.environments[target.index - 1]!;
  let when = new Date();
  if (requirePrevious) {
    const gate = await waitForResult(rt, provider, previous, sha, {
      patterns: config.status.contexts,
      timeoutMs: config.status.timeoutMs,
      intervalMs: config.status.intervalMs,
    });
    if (gate.result.state !== 'success')
      throw new GitopsError(
        `${gateMessage(gate.result, previous, sha, config.status.timeoutMs, config.status.contexts)} (nothing was created)`,
      );
    const times = gate.result.statuses.map((s) => Date.parse(s.createdAt)).filter((t) => !Number.isNaN(t));
    if (times.length) when = new Date(Math.max(...times));
  }
  const name = tagName || defaultTag(target, when);

  const message = `gitops-promote: promote ${sha.slice(0, 12)} to ${target.name}${requirePrevious ? ` (${previous.name} reported success)` : ''}`;
  const { tag, created } = await provider.createTag(name, sha, message);
  // Two runs for the same commit may race with different timestamps: the oldest tag wins, later ones go.
  const all = await tagsOn(provider, target, sha);
  const winner = all[0];
  if (created && winner && winner.name !== tag.name) {
    await provider.deleteTag(tag.name);
    return { tag: winner, created: false };
  }
  return { tag, created };
}
