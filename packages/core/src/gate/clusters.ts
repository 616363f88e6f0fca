/**
 * Several clusters per environment: Flux writes one status per cluster, `kustomization/<name>/<id>` (the id
 * from its notification Provider; on Azure DevOps the status name carries it). A cluster that has not
 * reported on a commit writes nothing at all, so the set of clusters is learnt from earlier commits too.
 */
import type { CommitStatus, GitProvider, StatusState } from '../provider';

export type ClusterState = StatusState | 'missing';

export interface Cluster {
  /** The Flux Provider's id, e.g. `1a2b3c4d`. */
  id: string;
  /** The neutral context, e.g. `kustomization/apps/1a2b3c4d`. */
  context: string;
  state: ClusterState;
}

/** The cluster id of a neutral context, when it is a per-cluster Flux status. */
export function clusterId(context: string): string | undefined {
  return /^kustomization\/[^/]+\/([^/]+)$/.exec(context)?.[1];
}

/** How many commits back the clusters of an environment are learnt from (this commit included). */
export const CLUSTER_HISTORY = 5;

/**
 * The per-cluster contexts the environment's statuses carried on the commits before `sha` (at most
 * CLUSTER_HISTORY - 1 of them, newest first): one listing of recent commits and one of statuses each,
 * however long the history. A cluster that reported on none of them is not known.
 */
export async function knownClusters(
  provider: GitProvider,
  sha: string,
  matches: (context: string) => boolean,
  neutral: (s: CommitStatus) => string,
): Promise<string[]> {
  const earlier = (await provider.recentCommits(sha, CLUSTER_HISTORY)).filter((c) => c !== sha);
  const known = new Set<string>();
  for (const c of earlier.slice(0, CLUSTER_HISTORY - 1))
    for (const s of await provider.listStatuses(c)) {
      const context = neutral(s);
      if (matches(context) && clusterId(context)) known.add(context);
    }
  return [...known].sort();
}

/**
 * The known clusters, learnt once and only when a commit the gate reads carries a per-cluster status of the
 * environment: a single-cluster setup (or the gate on gitops-promote's own status) then costs no request.
 * While no cluster has reported at all the result waits anyway; the first that reports brings the others.
 */
export function clusterMemory(
  provider: GitProvider,
  sha: string,
  matches: (context: string) => boolean,
  neutral: (s: CommitStatus) => string,
  given?: readonly string[],
): (statuses: readonly CommitStatus[]) => Promise<readonly string[]> {
  let learnt: Promise<string[]> | undefined;
  return async (statuses) => {
    if (given) return given;
    if (learnt) return learnt;
    if (!statuses.some((s) => matches(neutral(s)) && clusterId(neutral(s)))) return [];
    learnt = knownClusters(provider, sha, matches, neutral);
    return learnt;
  };
}

/** Every cluster of the environment: those that reported on this commit, then the known ones that did not. */
export function clustersOf(
  mine: readonly { context: string; state: StatusState }[],
  known: readonly string[],
): Cluster[] {
  const out: Cluster[] = [];
  for (const s of mine) {
    const id = clusterId(s.context);
    if (id) out.push({ id, context: s.context, state: s.state });
  }
  for (const context of known)
    if (!out.some((c) => c.context === context))
      out.push({ id: clusterId(context)!, context, state: 'missing' });
  return out.sort((a, b) => a.context.localeCompare(b.context));
}

/** `cluster eu-1 success, cluster us-1 missing` — each id once, with the kustomization when ids repeat. */
export function describeClusters(clusters: readonly Cluster[]): string {
  const repeated = (id: string) => clusters.filter((c) => c.id === id).length > 1;
  return clusters.map((c) => `cluster ${repeated(c.id) ? c.context : c.id} ${c.state}`).join(', ');
}
