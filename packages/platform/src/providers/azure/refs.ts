// Tags and branches through `refs` and `annotatedtags`. `POST refs` answers 200 even when an update is
// rejected: each result's `success`/`updateStatus` is checked. Ancestry: `GET diffs/commits` (GA in 7.1)
// with the commit as base and the branch as target; the commit is an ancestor of the branch exactly when
// it is their common commit (merge base). One call, no preview API.
import {
  type GitProvider,
  newestTagFirst,
  ProviderError,
  TagConflictError,
  type TagRef,
} from '@gitops-promote/core';
import { malformedAnswer } from '../shared/answers';
import { type AzureClient, type Need, PERMISSION, PREVIEW_API_VERSION, sameSha } from './client';
import type { AzRef, AzRefUpdateResult, List } from './types';

export const ZERO_SHA = '0000000000000000000000000000000000000000';

export async function createTag(
  az: AzureClient,
  port: Pick<GitProvider, 'getTag'>,
  name: string,
  sha: string,
  message?: string,
): Promise<{ created: boolean; tag: TagRef }> {
  const settle = (tag: TagRef): { created: boolean; tag: TagRef } => {
    if (sameSha(tag.sha, sha)) return { created: false, tag };
    throw new TagConflictError(name, tag.sha, sha);
  };
  const existing = await port.getTag(name);
  if (existing) return settle(existing);
  try {
    if (message !== undefined) {
      await az.call('POST', 'annotatedtags', {
        body: { name, taggedObject: { objectId: sha }, message },
        apiVersion: PREVIEW_API_VERSION,
        need: 'createTag',
      });
    } else {
      await updateRef(az, `refs/tags/${name}`, ZERO_SHA, sha, 'createTag');
    }
  } catch (e) {
    // Lost a race, or the tag appeared meanwhile: decide on what is there now.
    if (e instanceof ProviderError && (e.status === 400 || e.status === 409)) {
      const now = await port.getTag(name);
      if (now) return settle(now);
    }
    throw e;
  }
  return { created: true, tag: { name, sha } };
}

export async function getTag(az: AzureClient, name: string): Promise<TagRef | undefined> {
  const refs = await listRefs(az, `tags/${name}`);
  const ref = refs.find((r) => r.name === `refs/tags/${name}`);
  return ref ? { name, sha: ref.peeledObjectId || ref.objectId } : undefined;
}

/** `POST refs` to the zero id; Azure DevOps asks "Force push" of whoever deletes a tag. */
export async function deleteTag(
  az: AzureClient,
  port: Pick<GitProvider, 'getTag'>,
  name: string,
): Promise<void> {
  const ref = `refs/tags/${name}`;
  const current = (await listRefs(az, `tags/${name}`)).find((r) => r.name === ref);
  if (!current) return;
  try {
    await updateRef(az, ref, current.objectId, ZERO_SHA, 'forcePush');
  } catch (e) {
    // Someone else deleted it meanwhile: the outcome asked for.
    if (e instanceof ProviderError && e.status === 409 && !(await port.getTag(name))) return;
    throw e;
  }
}

export async function listTags(az: AzureClient, prefix: string): Promise<TagRef[]> {
  const refs = await listRefs(az, `tags/${prefix}`);
  return refs
    .filter((r) => r.name.startsWith(`refs/tags/${prefix}`))
    .map((r) => ({ name: r.name.slice(10), sha: r.peeledObjectId || r.objectId }));
}

/** Azure DevOps peels every tag in the one paged list: sorting and cutting it costs no further call. */
export async function newestTags(az: AzureClient, prefix: string, limit: number): Promise<TagRef[]> {
  return (await listTags(az, prefix)).sort(newestTagFirst).slice(0, Math.max(0, limit));
}

export async function branchSha(az: AzureClient, branch: string): Promise<string | undefined> {
  const refs = await listRefs(az, `heads/${branch}`);
  return refs.find((r) => r.name === `refs/heads/${branch}`)?.objectId;
}

/** `GET commits?searchCriteria.itemVersion…&searchCriteria.$top=`: one page, newest first. */
export async function recentCommits(az: AzureClient, sha: string, count: number): Promise<string[]> {
  const { status, data } = await az.call<{ value?: { commitId?: unknown }[] }>('GET', 'commits', {
    query: {
      'searchCriteria.itemVersion.version': sha,
      'searchCriteria.itemVersion.versionType': 'commit',
      'searchCriteria.$top': count,
    },
    need: 'read',
    accept: [404],
  });
  if (status === 404) return [];
  const value = data.value ?? [];
  if (value.some((c) => typeof c?.commitId !== 'string'))
    throw malformedAnswer(
      'GET …/commits',
      'Azure DevOps',
      'a commit without a commitId',
      'SYSTEM_COLLECTIONURI',
    );
  return value.map((c) => c.commitId as string).slice(0, count);
}

export async function isAncestor(az: AzureClient, sha: string, branch: string): Promise<boolean> {
  const { status, data } = await az.call<{ commonCommit?: string }>('GET', 'diffs/commits', {
    query: {
      baseVersion: sha,
      baseVersionType: 'commit',
      targetVersion: branch,
      targetVersionType: 'branch',
      $top: 1,
    },
    need: 'read',
    accept: [404],
  });
  if (status === 404) return false; // no such branch or commit
  return sameSha(data.commonCommit, sha);
}

/** Moves a ref from `oldObjectId` to `newObjectId` (the zero id creates or deletes it). */
export async function updateRef(
  az: AzureClient,
  name: string,
  oldObjectId: string,
  newObjectId: string,
  need: Need,
): Promise<void> {
  const call = 'POST …/refs';
  const { data } = await az.call<List<AzRefUpdateResult>>('POST', 'refs', {
    body: [{ name, oldObjectId, newObjectId }],
    need,
  });
  const result = data.value?.[0];
  if (result?.success) return;
  const why = result?.updateStatus ?? 'unknown';
  // The answer is HTTP 200 with the rejection inside; report it with the status it amounts to.
  const status = /permission|forcepush/i.test(why) ? 403 : /stale|conflict|locked/i.test(why) ? 409 : 400;
  const reason = refRejection(az, name, why, newObjectId === ZERO_SHA, result?.customMessage);
  throw new ProviderError(call, status, az.redact(reason));
}

/** `GET refs?filter=<prefix>&peelTags=true`, every page (`x-ms-continuationtoken`). The filter is a prefix. */
async function listRefs(az: AzureClient, filter: string): Promise<AzRef[]> {
  const refs: AzRef[] = [];
  const tokens = new Set<string>();
  let continuationToken: string | undefined;
  do {
    const { data, headers } = await az.call<List<AzRef>>('GET', 'refs', {
      query: { filter, peelTags: true, continuationToken },
      need: 'read',
    });
    refs.push(...(data.value ?? []));
    continuationToken = headers.get('x-ms-continuationtoken') ?? undefined;
    if (continuationToken && tokens.has(continuationToken)) break;
    if (continuationToken) tokens.add(continuationToken);
  } while (continuationToken);
  return refs;
}

function refRejection(
  az: AzureClient,
  name: string,
  updateStatus: string,
  deleting: boolean,
  custom?: string | null,
): string {
  const perm = (p: string) => `${az.lacks(p)} (Project settings → Repositories → Security)`;
  const reasons: Record<string, string> = {
    staleoldobjectid: `${name} was moved by someone else meanwhile; run again`,
    forcepushrequired: deleting
      ? `deleting ${name} was refused: ${perm(PERMISSION.forcePush)}`
      : `${name} would lose commits: ${perm(PERMISSION.forcePush)}`,
    createtagpermissionrequired: perm(PERMISSION.createTag),
    createbranchpermissionrequired: perm(PERMISSION.createBranch),
    writepermissionrequired: perm(PERMISSION.contribute),
    invalidrefname: `${name} is not a valid ref name`,
    unresolvabletocommit: 'the new object is not a commit in this repository',
    locked: `${name} is locked`,
    rejectedbyplugin: `a server-side check rejected the update of ${name}`,
    refnameconflict: `${name} conflicts with an existing ref that differs only in case`,
  };
  const reason =
    reasons[updateStatus.toLowerCase()] ?? `the update of ${name} was rejected (${updateStatus})`;
  return custom ? `${reason}: ${custom}` : reason;
}
