// Pull requests, auto-complete and comments. Auto-complete (`setAutoMerge`) sets `autoCompleteSetBy` to the
// token's own identity (`GET {collection}_apis/connectionData`); turning it off sets the empty GUID.
// Comments are pull request threads; the thread whose first comment carries the marker is updated in place.
// New threads carry no status, so they never block a "comment resolution" branch policy.
import { type GitProvider, ProviderError, type PullRequest } from '@gitops-promote/core';
import { malformedAnswer } from '../shared/answers';
import { type AzureClient, allPages, enc, PREVIEW_API_VERSION, sameSha } from './client';
import type { AzComment, AzIdentity, AzPullRequest, AzThread, List } from './types';

const EMPTY_GUID = '00000000-0000-0000-0000-000000000000';
/** Azure DevOps refuses pull request descriptions longer than this. */
const MAX_DESCRIPTION = 4000;

export async function findPullRequests(
  az: AzureClient,
  query: { head?: string; base?: string; state?: 'open' | 'closed' | 'all' },
): Promise<PullRequest[]> {
  const state = query.state ?? 'open';
  const top = az.pageSize;
  const found = await allPages(
    top,
    async (skip) => {
      const { data } = await az.call<List<AzPullRequest>>('GET', 'pullrequests', {
        query: {
          'searchCriteria.sourceRefName': query.head ? `refs/heads/${query.head}` : undefined,
          'searchCriteria.targetRefName': query.base ? `refs/heads/${query.base}` : undefined,
          'searchCriteria.status': state === 'open' ? 'active' : 'all',
          $top: top,
          $skip: skip,
        },
        need: 'read',
      });
      return data.value ?? [];
    },
    (p) => p.pullRequestId,
  );
  const prs = found.map((p) => toPullRequest(az, p));
  return state === 'closed' ? prs.filter((p) => p.state !== 'open') : prs;
}

export async function pullRequestForMergeCommit(
  az: AzureClient,
  port: Pick<GitProvider, 'getPullRequest'>,
  sha: string,
): Promise<PullRequest | undefined> {
  const { data } = await az.call<{ results?: Record<string, AzPullRequest[]>[] }>(
    'POST',
    'pullrequestquery',
    {
      body: { queries: [{ type: 'lastMergeCommit', items: [sha] }] },
      apiVersion: PREVIEW_API_VERSION,
      need: 'read',
    },
  );
  const result = data.results?.[0] ?? {};
  const key = Object.keys(result).find((k) => sameSha(k, sha) || sameSha(sha, k));
  const candidates = key ? (result[key] ?? []) : [];
  const merged = candidates.find((p) => (p.status ?? '').toLowerCase() === 'completed') ?? candidates[0];
  if (!merged) return undefined;
  // Query results can be abbreviated: read the whole pull request.
  return port.getPullRequest(merged.pullRequestId);
}

export async function getPullRequest(az: AzureClient, number: number): Promise<PullRequest> {
  const { data } = await az.call<AzPullRequest>('GET', `pullrequests/${number}`, { need: 'read' });
  return toPullRequest(az, data);
}

export async function createPullRequest(
  az: AzureClient,
  pr: { head: string; base: string; title: string; body: string },
): Promise<PullRequest> {
  checkDescription('POST …/pullrequests', pr.body);
  const { data } = await az.call<AzPullRequest>('POST', 'pullrequests', {
    body: {
      sourceRefName: `refs/heads/${pr.head}`,
      targetRefName: `refs/heads/${pr.base}`,
      title: pr.title,
      description: pr.body,
    },
    need: 'pullRequests',
  });
  return toPullRequest(az, data);
}

export async function updatePullRequest(
  az: AzureClient,
  port: Pick<GitProvider, 'getPullRequest'>,
  number: number,
  change: { title?: string; body?: string },
): Promise<PullRequest> {
  const body: Record<string, string> = {};
  if (change.title !== undefined) body.title = change.title;
  if (change.body !== undefined) {
    checkDescription(`PATCH …/pullrequests/${number}`, change.body);
    body.description = change.body;
  }
  if (Object.keys(body).length === 0) return port.getPullRequest(number);
  const { data } = await az.call<AzPullRequest>('PATCH', `pullrequests/${number}`, {
    body,
    need: 'pullRequests',
  });
  return toPullRequest(az, data);
}

export async function setAutoMerge(az: AzureClient, number: number, enabled: boolean): Promise<void> {
  const body = enabled
    ? {
        autoCompleteSetBy: { id: await identityId(az) },
        completionOptions: az.options.completionOptions ?? { deleteSourceBranch: true },
      }
    : { autoCompleteSetBy: { id: EMPTY_GUID } };
  await az.call('PATCH', `pullrequests/${number}`, { body, need: 'pullRequests' });
}

export async function upsertComment(
  az: AzureClient,
  number: number,
  marker: string,
  body: string,
): Promise<{ id: string; created: boolean }> {
  const { data } = await az.call<List<AzThread>>('GET', `pullRequests/${number}/threads`, {
    need: 'read',
  });
  const threads = [...(data.value ?? [])].sort((a, b) => a.id - b.id);
  for (const thread of threads) {
    if (thread.isDeleted) continue;
    const first = firstComment(thread);
    if (!first || first.isDeleted || isSystem(first) || !(first.content ?? '').includes(marker)) continue;
    if (first.content !== body) {
      await az.call('PATCH', `pullRequests/${number}/threads/${thread.id}/comments/${first.id}`, {
        body: { content: body },
        need: 'pullRequests',
      });
    }
    return { id: String(thread.id), created: false };
  }
  const { data: created } = await az.call<AzThread>('POST', `pullRequests/${number}/threads`, {
    body: { comments: [{ parentCommentId: 0, content: body, commentType: 'text' }] },
    need: 'pullRequests',
  });
  return { id: String(created.id), created: true };
}

function checkDescription(call: string, body: string): void {
  if (body.length > MAX_DESCRIPTION) {
    throw new ProviderError(
      call,
      undefined,
      `the pull request description has ${body.length} characters; Azure DevOps accepts at most ${MAX_DESCRIPTION}`,
    );
  }
}

function identityId(az: AzureClient): Promise<string> {
  az.identity ??= az
    .call<{ authenticatedUser?: AzIdentity }>('GET', '_apis/connectionData', {
      scope: 'collection',
      apiVersion: null,
      need: 'read',
    })
    .then(({ data }) => {
      const id = data.authenticatedUser?.id;
      if (!id || id === EMPTY_GUID) {
        throw new ProviderError(
          'GET _apis/connectionData',
          undefined,
          'the token has no identity to set auto-complete with (anonymous connection)',
        );
      }
      return id;
    });
  az.identity.catch(() => {
    az.identity = undefined;
  });
  return az.identity;
}

function toPullRequest(az: AzureClient, p: AzPullRequest): PullRequest {
  if (!Number.isSafeInteger(p?.pullRequestId) || typeof p.sourceRefName !== 'string') {
    throw malformedAnswer(
      az.lastCall ?? 'Azure DevOps',
      'Azure DevOps',
      'a pull request without its id or source branch',
      'SYSTEM_COLLECTIONURI',
    );
  }
  const status = (p.status ?? '').toLowerCase();
  const state: PullRequest['state'] =
    status === 'completed' ? 'merged' : status === 'abandoned' ? 'closed' : 'open';
  const project = p.repository?.project?.name ?? az.options.project;
  const repo = p.repository?.name ?? az.options.repositoryId;
  const autoBy = p.autoCompleteSetBy?.id;
  const pr: PullRequest = {
    number: p.pullRequestId,
    url: `${az.collection}${enc(project)}/_git/${enc(repo)}/pullrequest/${p.pullRequestId}`,
    head: shortBranch(p.sourceRefName),
    headSha: p.lastMergeSourceCommit?.commitId ?? '',
    base: shortBranch(p.targetRefName),
    title: p.title ?? '',
    body: p.description ?? '',
    state,
    autoMerge: Boolean(autoBy && autoBy !== EMPTY_GUID),
  };
  if (state === 'merged' && p.lastMergeCommit?.commitId) pr.mergeCommitSha = p.lastMergeCommit.commitId;
  return pr;
}

function shortBranch(ref: string | undefined): string {
  if (!ref) return '';
  return ref.startsWith('refs/heads/') ? ref.slice(11) : ref;
}

function firstComment(thread: AzThread): AzComment | undefined {
  const comments = [...(thread.comments ?? [])].sort((a, b) => a.id - b.id);
  return comments.find((c) => !c.parentCommentId) ?? comments[0];
}

function isSystem(c: AzComment): boolean {
  return c.commentType === 'system' || c.commentType === 3;
}
