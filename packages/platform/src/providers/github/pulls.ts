// Pull requests, their comments (issue comments) and auto-merge (the one GraphQL mutation REST lacks).
import { GitopsError, type GitProvider, ProviderError, type PullRequest } from '@gitops-promote/core';
import { type GitHubClient, PERMISSION, seg } from './client';
import { pathOf } from './octokit';
import type { GhComment, GhPull } from './types';

const COMMENT_MAX = 65_536;
const TRUNCATED_NOTE = '\n\n… (truncated: a GitHub comment holds at most 65,536 characters)';

export async function findPullRequests(
  gh: GitHubClient,
  query: { head?: string; base?: string; state?: 'open' | 'closed' | 'all' },
): Promise<PullRequest[]> {
  const pulls = await gh.all<GhPull>(`${gh.base}/pulls`, PERMISSION.readPulls, {
    state: query.state ?? 'open',
    ...(query.head ? { head: `${gh.owner}:${query.head}` } : {}),
    ...(query.base ? { base: query.base } : {}),
  });
  return (pulls ?? [])
    .filter((p) => (!query.head || p.head.ref === query.head) && (!query.base || p.base.ref === query.base))
    .map(toPullRequest);
}

export async function pullRequestForMergeCommit(
  gh: GitHubClient,
  sha: string,
): Promise<PullRequest | undefined> {
  const pulls = await gh
    .all<GhPull>(`${gh.base}/commits/${seg(sha)}/pulls`, PERMISSION.readPulls, {}, { notFound: 'absent' })
    .catch((e: unknown) => {
      if (e instanceof ProviderError && e.status === 422) return undefined;
      throw e;
    });
  const pr = (pulls ?? []).find((p) => p.merged_at && p.merge_commit_sha === sha);
  return pr && toPullRequest(pr);
}

export async function getPullRequest(gh: GitHubClient, number: number): Promise<PullRequest> {
  return toPullRequest(await readPull(gh, number));
}

export async function createPullRequest(
  gh: GitHubClient,
  pr: { head: string; base: string; title: string; body: string },
): Promise<PullRequest> {
  return toPullRequest(
    await gh.call<GhPull>('POST', `${gh.base}/pulls`, PERMISSION.writePulls, {
      head: pr.head,
      base: pr.base,
      title: pr.title,
      body: pr.body,
    }),
  );
}

export async function updatePullRequest(
  gh: GitHubClient,
  port: Pick<GitProvider, 'getPullRequest'>,
  number: number,
  change: { title?: string; body?: string },
): Promise<PullRequest> {
  const fields: Record<string, unknown> = {};
  if (change.title !== undefined) fields.title = change.title;
  if (change.body !== undefined) fields.body = change.body;
  if (Object.keys(fields).length === 0) return port.getPullRequest(number);
  return toPullRequest(
    await gh.call<GhPull>('PATCH', `${gh.base}/pulls/${pullNumber(number)}`, PERMISSION.writePulls, fields, {
      notFound: noSuchPull(gh, number),
    }),
  );
}

export async function setAutoMerge(gh: GitHubClient, number: number, enabled: boolean): Promise<void> {
  const pr = await readPull(gh, number);
  if ((pr.auto_merge != null) === enabled) return;
  const call = `POST ${pathOf(gh.graphqlUrl)} (${enabled ? 'enable' : 'disable'}PullRequestAutoMerge)`;
  if (enabled && (pr.state !== 'open' || pr.merged_at)) {
    throw new ProviderError(
      call,
      undefined,
      `pull request #${number} is ${pr.merged_at ? 'merged' : pr.state}; auto-merge needs an open pull request`,
    );
  }
  if (enabled) {
    const mergeMethod = await allowedMergeMethod(gh);
    await gh.graphql(
      call,
      `mutation($pullRequestId: ID!, $mergeMethod: PullRequestMergeMethod) {
  enablePullRequestAutoMerge(input: {pullRequestId: $pullRequestId, mergeMethod: $mergeMethod}) {
    pullRequest { number autoMergeRequest { enabledAt mergeMethod } }
  }
}`,
      { pullRequestId: pr.node_id, ...(mergeMethod ? { mergeMethod } : {}) },
    );
  } else {
    await gh.graphql(
      call,
      `mutation($pullRequestId: ID!) {
  disablePullRequestAutoMerge(input: {pullRequestId: $pullRequestId}) {
    pullRequest { number autoMergeRequest { enabledAt } }
  }
}`,
      { pullRequestId: pr.node_id },
    );
  }
}

export async function upsertComment(
  gh: GitHubClient,
  number: number,
  marker: string,
  body: string,
): Promise<{ id: string; created: boolean }> {
  const text = commentText(marker, body);
  const path = `${gh.base}/issues/${pullNumber(number)}/comments`;
  const comments =
    (await gh.all<GhComment>(path, PERMISSION.readPulls, {}, { notFound: noSuchPull(gh, number) })) ?? [];
  const mine = comments.find((c) => c.body?.includes(marker));
  if (mine) {
    if (mine.body !== text) {
      await gh.call('PATCH', `${gh.base}/issues/comments/${mine.id}`, PERMISSION.writePulls, {
        body: text,
      });
    }
    return { id: String(mine.id), created: false };
  }
  const created = await gh.call<GhComment>(
    'POST',
    `${gh.base}/issues/${pullNumber(number)}/comments`,
    PERMISSION.writePulls,
    { body: text },
  );
  return { id: String(created.id), created: true };
}

function readPull(gh: GitHubClient, number: number): Promise<GhPull> {
  return gh.call<GhPull>('GET', `${gh.base}/pulls/${pullNumber(number)}`, PERMISSION.readPulls, undefined, {
    notFound: noSuchPull(gh, number),
  });
}

function noSuchPull(gh: GitHubClient, number: number): string {
  return `pull request #${number} does not exist in ${gh.owner}/${gh.name} (or the token cannot see the repository)`;
}

/** The merge method the repository allows (merge commit first, which keeps merge commits findable). */
async function allowedMergeMethod(gh: GitHubClient): Promise<'MERGE' | 'SQUASH' | 'REBASE' | undefined> {
  const repo = await gh.repositoryInfo();
  if (repo.allow_merge_commit !== false) return repo.allow_merge_commit ? 'MERGE' : undefined;
  if (repo.allow_squash_merge) return 'SQUASH';
  if (repo.allow_rebase_merge) return 'REBASE';
  return undefined;
}

function toPullRequest(p: GhPull): PullRequest {
  const merged = Boolean(p.merged_at);
  return {
    number: p.number,
    url: p.html_url,
    head: p.head.ref,
    headSha: p.head.sha,
    base: p.base.ref,
    title: p.title,
    body: p.body ?? '',
    state: merged ? 'merged' : p.state,
    ...(merged && p.merge_commit_sha ? { mergeCommitSha: p.merge_commit_sha } : {}),
    autoMerge: p.auto_merge != null,
  };
}

/** The comment body: carries the marker, and fits GitHub's limit without losing it. */
function commentText(marker: string, body: string): string {
  let text = body.includes(marker) ? body : `${marker}\n${body}`;
  if (text.length > COMMENT_MAX) {
    const rest = text.replace(marker, '');
    text = `${marker}\n${rest.slice(0, COMMENT_MAX - marker.length - 1 - TRUNCATED_NOTE.length)}${TRUNCATED_NOTE}`;
  }
  return text;
}

function pullNumber(n: number): string {
  if (!Number.isSafeInteger(n) || n <= 0) throw new GitopsError(`pull request number ${n} is not valid`);
  return String(n);
}
