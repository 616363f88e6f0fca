import type { Config, Environment } from './config/model';
import type { MatrixEntry } from './determine';
import type { CommitStatus, GitProvider } from './provider';
import { compileGlob, deployTagProblem } from './refs';
import { environmentStatusContext } from './terraform/plan-record';

/**
 * How many of an environment's newest deploy tags a drift schedule looks at for one its environment
 * applied successfully: the cost stays bounded (one status read per distinct commit) however many
 * tags the repository has collected.
 */
export const DRIFT_TAGS_CHECKED = 20;

/** Where an environment runs now, or why that is not known. */
export type Deployed = { ref: string; sha: string } | { missing: string };

/**
 * The environment's deployed commit: the head of its branch, or the newest of its deploy tags (highest
 * name; default names carry their UTC time) whose commit its own status `gitops-promote/<env>` reports
 * applied (`success`). A newer commit on main that was never promoted is not deployed, so it is never
 * mistaken for drift.
 */
export async function deployedCommit(provider: GitProvider, env: Environment): Promise<Deployed> {
  if ('branch' in env.on) {
    const sha = await provider.branchSha(env.on.branch);
    return sha
      ? { ref: `refs/heads/${env.on.branch}`, sha }
      : { missing: `its branch ${env.on.branch} does not exist` };
  }
  const glob = env.on.tag;
  const matches = compileGlob(glob);
  const prefix = glob.split(/[*?[]/)[0] ?? '';
  const tags = (await provider.newestTags(prefix, DRIFT_TAGS_CHECKED)).filter(
    (t) => matches(t.name) && !deployTagProblem(t.name),
  );
  const seen = new Map<string, boolean>();
  for (const tag of tags) {
    let applied = seen.get(tag.sha);
    if (applied === undefined) {
      applied = appliedHere(await provider.listStatuses(tag.sha), env.name);
      seen.set(tag.sha, applied);
    }
    if (applied) return { ref: `refs/tags/${tag.name}`, sha: tag.sha };
  }
  return {
    missing: tags.length
      ? `none of its ${tags.length} newest deploy tags (${glob}) is on a commit it applied successfully`
      : `it has no deploy tag (${glob}) yet`,
  };
}

function appliedHere(statuses: CommitStatus[], environment: string): boolean {
  const own = environmentStatusContext(environment);
  return statuses.some((s) => s.context === own && s.state === 'success');
}

/**
 * The drift matrix: every environment at its deployed commit, in promotion order. An environment that was
 * never applied (no deployed commit) is left out, and named in `leftOut` with the reason.
 */
export async function driftMatrix(
  provider: GitProvider,
  config: Config,
): Promise<{ include: MatrixEntry[]; leftOut: { environment: string; why: string }[] }> {
  const include: MatrixEntry[] = [];
  const leftOut: { environment: string; why: string }[] = [];
  for (const env of config.environments) {
    const at = await deployedCommit(provider, env);
    if ('missing' in at) leftOut.push({ environment: env.name, why: at.missing });
    else
      include.push({
        environment: env.name,
        workspace: env.workspace,
        operation: 'drift',
        ref: at.ref,
        sha: at.sha,
      });
  }
  return { include, leftOut };
}
