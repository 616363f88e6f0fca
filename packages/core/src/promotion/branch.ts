import type { Config, Environment } from '../config/model';
import { GitopsError } from '../errors';
import type { GitProvider, PullRequest } from '../provider';
import { autoMergeFor, autoMergeText } from './auto-merge';
import type { PromotionOutcome } from './pull-request';

/**
 * Branch strategy (Fabrikate layout): proposes the merge of the previous environment's branch into the
 * target environment's branch. One open pull request per pair of branches, updated when the source moves;
 * none when the target already has every commit of the source.
 */
export async function promoteBranch(
  provider: GitProvider,
  config: Config,
  target: Environment,
): Promise<PromotionOutcome> {
  const previous = config.environments[target.index - 1]!;
  const source = (previous.on as { branch: string }).branch;
  const dest = (target.on as { branch: string }).branch;
  const sourceSha = await provider.branchSha(source);
  if (!sourceSha)
    throw new GitopsError(
      `branch ${source} of environment ${previous.name} does not exist: there is nothing to promote`,
    );
  if (!(await provider.branchSha(dest)))
    throw new GitopsError(
      `branch ${dest} of environment ${target.name} does not exist; create it from ${source} once (git push origin ${source}:refs/heads/${dest})`,
    );
  const outcome: PromotionOutcome = {
    environment: target.name,
    sha: sourceSha,
    tag: '',
    created: false,
    branch: source,
    autoMerge: false,
    message: '',
    changes: [],
    group: '',
    app: '',
  };
  const open = (await provider.findPullRequests({ head: source, base: dest, state: 'open' })).sort(
    (a, b) => b.number - a.number,
  );
  const existing = open[0];
  const short = sourceSha.slice(0, 12);
  if (await provider.isAncestor(sourceSha, dest)) {
    return {
      ...outcome,
      ...(existing ? { pullRequest: existing, autoMerge: existing.autoMerge } : {}),
      message: `${dest} already has every commit of ${source} (${short}): there is nothing to promote to ${target.name}, so no pull request${existing ? ` (pull request #${existing.number} is still open)` : ''}`,
    };
  }
  const title = `Promote ${previous.name} to ${target.name}`;
  const body = [
    `Promotes environment **${previous.name}** (branch \`${source}\`, now at \`${short}\`) to **${target.name}** (branch \`${dest}\`).`,
    '',
    `This pull request may merge once **${previous.name}** reports success for \`${short}\` (check \`check-previous-env\`).`,
    target.auto
      ? `${target.name} is \`auto: true\`: auto-merge is enabled.`
      : `${target.name} is not \`auto\`: a person reviews and merges.`,
    '',
  ].join('\n');
  let pr: PullRequest;
  if (existing) {
    pr =
      existing.title === title && existing.body === body
        ? existing
        : await provider.updatePullRequest(existing.number, { title, body });
  } else {
    pr = await provider.createPullRequest({ head: source, base: dest, title, body });
  }
  const { autoMerge, autoMergeError } = await autoMergeFor(provider, pr, target);
  return {
    ...outcome,
    created: !existing,
    pullRequest: pr,
    autoMerge,
    ...(autoMergeError ? { autoMergeError } : {}),
    message: `${existing ? 'updated' : 'opened'} pull request #${pr.number} (${pr.url}) from ${source} (${short}) into ${dest}; ${autoMergeText(target, autoMerge)}`,
  };
}

/** Why the branch strategy cannot promote into `target`, or undefined. */
export function branchStrategyProblem(config: Config, target: Environment): string | undefined {
  const previous = config.environments[target.index - 1];
  if (!previous) return `${target.name} is the first environment; nothing is promoted into it`;
  if (!('branch' in target.on))
    return `${target.name} deploys from tags (${target.on.tag}), not from a branch: use strategy git-tag`;
  if (!('branch' in previous.on))
    return `${previous.name} deploys from tags (${previous.on.tag}), so it has no branch to merge into ${target.name}: use strategy git-tag`;
  return undefined;
}
