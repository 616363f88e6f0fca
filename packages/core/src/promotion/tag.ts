import type { Config, Environment } from '../config/model';
import { GitopsError, InputError } from '../errors';
import { gateMessage, waitForResult } from '../gate/commit';
import { type GitProvider, TagConflictError, type TagRef } from '../provider';
import { compileGlob, DEPLOY_TAG_CHARACTERS, deployTagProblem } from '../refs';
import type { StepRuntime } from '../runtime';

/** The `tag` input, checked against the environment's glob; '' when the default name is to be used. */
export function givenTag(given: string, env: Environment, config: Config): string {
  if (!('tag' in env.on))
    throw new InputError(
      'strategy',
      'git-tag',
      `${env.name} deploys from branch ${env.on.branch}, not from tags: use strategy branch`,
    );
  const glob = env.on.tag;
  if (given) {
    const problem = deployTagProblem(given);
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
  const sample = defaultTag(env, new Date(0));
  const problem = deployTagProblem(sample);
  if (problem)
    throw new GitopsError(
      `${config.source}: environments[${env.index}].on.tag: the default deploy tag of ${env.name} from ${JSON.stringify(glob)} would be ${JSON.stringify(sample)}, and ${problem}; change the glob (nothing was created)`,
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
export function defaultTag(env: Environment, when: Date): string {
  const prefix = defaultPrefix((env.on as { tag: string }).tag)!;
  return `${prefix}${when.toISOString().replace(/\D/g, '').slice(0, 14)}`;
}

/**
 * Tags of `env` already on `sha`, oldest name first; `hostile` are those whose names no deploy tag may have
 * (pushed by hand): never chosen, as the step would output them.
 */
export async function tagsOn(
  provider: GitProvider,
  env: Environment,
  sha: string,
): Promise<{ tags: TagRef[]; hostile: TagRef[]; names: Map<string, string> }> {
  const glob = (env.on as { tag: string }).tag;
  const prefix = glob.split(/[*?[]/)[0] ?? '';
  const matches = compileGlob(glob);
  const listed = (await provider.listTags(prefix)).filter((t) => matches(t.name));
  const all = listed.filter((t) => t.sha === sha).sort((a, b) => a.name.localeCompare(b.name));
  return {
    tags: all.filter((t) => !deployTagProblem(t.name)),
    hostile: all.filter((t) => deployTagProblem(t.name)),
    names: new Map(listed.map((t) => [t.name, t.sha])),
  };
}

/**
 * Git-tag strategy (Kubestack): the deploy tag of `target` on `sha`, created unless one is there. The commit
 * must be on the main branch and, with `requirePrevious`, reported successful by the previous environment.
 */
export async function promoteWithTag(
  rt: Pick<StepRuntime, 'info'>,
  provider: GitProvider,
  config: Config,
  target: Environment,
  sha: string,
  tagName: string,
  requirePrevious: boolean,
): Promise<{ tag: TagRef; created: boolean }> {
  // Ancestry and the previous environment first, always: a tag pushed by hand proves neither.
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
      require: config.status.require,
      soakMs: config.status.soakMs,
    });
    if (gate.result.state !== 'success')
      throw new GitopsError(
        `${gateMessage(gate.result, previous, sha, config.status.timeoutMs, config.status.contexts, config.status.soakMs)} (nothing was created)`,
      );
    const times = gate.result.statuses.map((s) => Date.parse(s.createdAt)).filter((t) => !Number.isNaN(t));
    if (times.length) when = new Date(Math.max(...times));
  }
  const existing = await tagsOn(provider, target, sha);
  const hostile = existing.hostile[0];
  if (hostile)
    throw new GitopsError(
      `tag ${JSON.stringify(hostile.name)} on ${sha.slice(0, 12)} matches the deploy tags of ${target.name} but uses characters outside ${DEPLOY_TAG_CHARACTERS}; gitops-promote made no such tag: delete it, then run again (nothing was created)`,
    );
  if (existing.tags[0]) return { tag: existing.tags[0], created: false };
  const name = tagName || defaultTag(target, when);

  const message = `gitops-promote: promote ${sha.slice(0, 12)} to ${target.name}${requirePrevious ? ` (${previous.name} reported success)` : ''}`;
  // Every tag of the environment was just listed: a name on another commit is a conflict, said before any
  // write, and the provider need not look the name up again.
  const other = existing.names.get(name);
  if (other !== undefined && other !== sha) throw new TagConflictError(name, other, sha);
  const { tag, created } = await provider.createTag(name, sha, message, other === undefined);
  // Two runs for the same commit may race with different timestamps: the oldest tag wins, later ones go.
  const winner = (await tagsOn(provider, target, sha)).tags[0];
  if (created && winner && winner.name !== tag.name) {
    await provider.deleteTag(tag.name);
    return { tag: winner, created: false };
  }
  return { tag, created };
}
