// Commit statuses, read together with other apps' check runs; written as statuses only.
import { type CommitStatus, type NewStatus, ProviderError, type StatusState } from '@gitops-promote/core';
import { type GitHubClient, malformed, PERMISSION, seg } from './client';
import type { GhCheckRun, GhStatus } from './types';

const STATUS_DESCRIPTION_MAX = 140;
/** The contexts gitops-promote itself writes (`gitops-promote/<env>`, `…/plan`). */
const OWN_CONTEXT_PREFIX = 'gitops-promote/';

export async function listStatuses(gh: GitHubClient, sha: string): Promise<CommitStatus[]> {
  const [statuses, runs] = await Promise.all([commitStatuses(gh, sha), checkRuns(gh, sha)]);
  const newest = new Map<string, CommitStatus>();
  // Lists come newest first; on equal timestamps the earlier entry is the newer one.
  for (const s of [...statuses, ...runs]) {
    const seen = newest.get(s.context);
    if (!seen || Date.parse(s.createdAt) > Date.parse(seen.createdAt)) newest.set(s.context, s);
  }
  return [...newest.values()].sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt));
}

export async function setStatus(gh: GitHubClient, sha: string, status: NewStatus): Promise<void> {
  await gh.call('POST', `${gh.base}/statuses/${seg(sha)}`, PERMISSION.writeStatuses, {
    state: status.state,
    context: status.context,
    description: clip(status.description, STATUS_DESCRIPTION_MAX),
    ...(status.targetUrl ? { target_url: status.targetUrl } : {}),
  });
}

async function commitStatuses(gh: GitHubClient, sha: string): Promise<CommitStatus[]> {
  const path = `${gh.base}/commits/${seg(sha)}/statuses`;
  const list = await gh.all<GhStatus>(path, PERMISSION.readStatuses, {}, { notFound: 'absent' });
  if (list?.some((s) => typeof s?.context !== 'string' || typeof s.state !== 'string'))
    throw malformed(`GET ${path}`, 'a status without a context or a state');
  return (list ?? []).map((s) =>
    withGenre({
      context: s.context,
      state: s.state,
      description: s.description ?? '',
      ...(s.target_url ? { targetUrl: s.target_url } : {}),
      createdAt: s.created_at,
    }),
  );
}

async function checkRuns(gh: GitHubClient, sha: string): Promise<CommitStatus[]> {
  const path = `${gh.base}/commits/${seg(sha)}/check-runs`;
  let runs: GhCheckRun[] | undefined;
  try {
    runs = await gh.all<GhCheckRun>(
      path,
      PERMISSION.readChecks,
      { filter: 'latest' },
      { notFound: 'absent' },
    );
  } catch (e) {
    // A token without checks:read still reads statuses; say so instead of failing the whole read.
    if (e instanceof ProviderError && e.status === 403 && /lacks permission/.test(e.message)) {
      gh.log(`warning: check runs of ${sha.slice(0, 12)} not read (${e.message})`);
      return [];
    }
    // GitHub answers 422 for a commit it does not know.
    if (e instanceof ProviderError && e.status === 422) return [];
    throw e;
  }
  if (runs?.some((run) => typeof run?.name !== 'string'))
    throw malformed(`GET ${path}`, 'a check run without a name');
  // gitops-promote writes commit statuses, never check runs: any app with checks:write could otherwise
  // post a check run named like our plan record or environment result and stand in for it.
  const foreign = (runs ?? []).filter((run) => !run.name.startsWith(OWN_CONTEXT_PREFIX));
  return foreign.map((run) =>
    withGenre({
      context: run.name,
      state: checkRunState(run),
      description: run.output?.title || [run.status, run.conclusion].filter(Boolean).join(': '),
      ...(run.details_url || run.html_url ? { targetUrl: (run.details_url || run.html_url)! } : {}),
      createdAt: run.completed_at ?? run.started_at ?? new Date(0).toISOString(),
    }),
  );
}

function checkRunState(run: GhCheckRun): StatusState {
  if (run.status !== 'completed') return 'pending';
  if (run.conclusion === 'success') return 'success';
  if (run.conclusion === 'failure' || run.conclusion === 'cancelled' || run.conclusion === 'timed_out') {
    return 'failure';
  }
  return 'pending';
}

/** GitHub has no genre: the part before the first `/` stands in for it. */
function withGenre(status: CommitStatus): CommitStatus {
  const i = status.context.indexOf('/');
  return i > 0 ? { ...status, genre: status.context.slice(0, i), name: status.context.slice(i + 1) } : status;
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
