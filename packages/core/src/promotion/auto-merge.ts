import type { Environment } from '../config/model';
import { GitopsError } from '../errors';
import type { GitProvider, PullRequest } from '../provider';

/**
 * Auto-merge of a promotion pull request as its environment wants it (`auto: true`: on). Failing to turn
 * it on is reported back, not thrown: the pull request itself is open and the step says what is missing.
 */
export async function autoMergeFor(
  provider: GitProvider,
  pr: PullRequest,
  env: Environment,
): Promise<{ autoMerge: boolean; autoMergeError?: string }> {
  if (pr.autoMerge === env.auto) return { autoMerge: pr.autoMerge };
  try {
    await provider.setAutoMerge(pr.number, env.auto);
    return { autoMerge: env.auto };
  } catch (e) {
    if (!env.auto || !(e instanceof GitopsError)) throw e;
    return { autoMerge: pr.autoMerge, autoMergeError: e.message };
  }
}

/** The end of a promotion's message: what happens to the pull request next. */
export function autoMergeText(env: Environment, autoMerge: boolean): string {
  if (!env.auto) return `${env.name} is not auto: a person merges it`;
  return autoMerge ? 'auto-merge is on' : 'auto-merge could not be enabled';
}
