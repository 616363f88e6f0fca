// Files: one push of several changes, and reading a file at a ref. Pushes build on the ref's `oldObjectId`:
// a new branch is created by pushing with the base commit as `oldObjectId`; `force` first moves the ref
// back to the base (`POST refs`, needs "Force push").
import { type GitProvider, ProviderError } from '@gitops-promote/core';
import { type AzureClient, sameSha } from './client';
import { updateRef } from './refs';
import type { AzError, AzItem } from './types';

/** What `GitProvider.commitFiles` is given. */
export type FilesChange = Parameters<GitProvider['commitFiles']>[0];

type Item = { kind: 'file'; content: string } | { kind: 'missing' } | { kind: 'unresolvable' };
type VersionType = 'branch' | 'tag' | 'commit';

export async function commitFiles(
  az: AzureClient,
  port: Pick<GitProvider, 'branchSha'>,
  change: FilesChange,
): Promise<string | undefined> {
  const wanted = new Map<string, string | null>();
  for (const f of change.files) wanted.set(itemPath(f.path), f.content);
  const changes = await changesFrom(az, change.base, wanted);
  if (changes.length === 0) return undefined;
  const changedPaths = changes.map((c) => (c as { item: { path: string } }).item.path);

  const ref = `refs/heads/${change.branch}`;
  const head = await port.branchSha(change.branch);
  if (head && !sameSha(head, change.base)) {
    // The branch may already be base + these files (an earlier run): nothing to do, force or not.
    if (await holdsExactly(az, head, change.base, wanted, changedPaths)) return undefined;
    if (change.force) await updateRef(az, ref, head, change.base, 'forcePush');
  }
  const { data } = await az.call<{
    commits?: { commitId?: string }[];
    refUpdates?: { newObjectId?: string }[];
  }>('POST', 'pushes', {
    body: {
      refUpdates: [{ name: ref, oldObjectId: change.base }],
      commits: [{ comment: change.message, changes }],
    },
    need: head ? 'contribute' : 'createBranch',
  });
  const sha = data.commits?.at(-1)?.commitId ?? data.refUpdates?.[0]?.newObjectId;
  if (!sha) throw new ProviderError('POST …/pushes', undefined, 'the push was accepted but named no commit');
  return sha;
}

export async function readFile(az: AzureClient, path: string, ref: string): Promise<string | undefined> {
  const p = itemPath(path);
  let tries: { version: string; type: VersionType }[];
  if (/^[0-9a-f]{40}$/i.test(ref)) tries = [{ version: ref, type: 'commit' }];
  else if (ref.startsWith('refs/heads/')) tries = [{ version: ref.slice(11), type: 'branch' }];
  else if (ref.startsWith('refs/tags/')) tries = [{ version: ref.slice(10), type: 'tag' }];
  else {
    tries = [
      { version: ref, type: 'branch' },
      { version: ref, type: 'tag' },
    ];
    if (/^[0-9a-f]{7,39}$/i.test(ref)) tries.push({ version: ref, type: 'commit' });
  }
  for (const t of tries) {
    const item = await readItem(az, p, t.version, t.type);
    if (item.kind === 'file') return item.content;
    if (item.kind === 'missing') return undefined;
  }
  throw new ProviderError('GET …/items', 404, `${ref} is no branch, tag or commit of the repository`);
}

/** The push's changes: an add, edit or delete per path whose content at `base` differs from the wanted one. */
async function changesFrom(
  az: AzureClient,
  base: string,
  wanted: Map<string, string | null>,
): Promise<unknown[]> {
  const changes: unknown[] = [];
  for (const [path, content] of wanted) {
    const current = await readItem(az, path, base, 'commit');
    if (current.kind === 'unresolvable') {
      throw new ProviderError('GET …/items', 404, `the base commit ${base} is not in the repository`);
    }
    const exists = current.kind === 'file';
    if (content === null) {
      if (exists) changes.push({ changeType: 'delete', item: { path } });
    } else if (!exists || current.content !== content) {
      changes.push({
        changeType: exists ? 'edit' : 'add',
        item: { path },
        newContent: { content, contentType: 'rawtext' },
      });
    }
  }
  return changes;
}

/**
 * Is `head` the tree of `base` with exactly `wanted` applied? `GET diffs/commits` (base against head, not
 * against their merge base) must list exactly the changed paths, and each must have the wanted content.
 */
async function holdsExactly(
  az: AzureClient,
  head: string,
  base: string,
  wanted: Map<string, string | null>,
  changedPaths: string[],
): Promise<boolean> {
  // Folders are listed among the changes too, and count towards `$top`: read pages until the files are known.
  const paths: string[] = [];
  const top = 100;
  for (let skip = 0; ; skip += top) {
    const { status, data } = await az.call<{
      changes?: { item?: { path?: string; isFolder?: boolean; gitObjectType?: string } }[];
    }>('GET', 'diffs/commits', {
      query: {
        baseVersion: base,
        baseVersionType: 'commit',
        targetVersion: head,
        targetVersionType: 'commit',
        diffCommonCommit: false,
        $top: top,
        $skip: skip,
      },
      need: 'read',
      accept: [404],
    });
    if (status === 404) return false;
    const page = data.changes ?? [];
    for (const c of page) {
      if (!c.item?.isFolder && (c.item?.gitObjectType ?? 'blob').toLowerCase() === 'blob')
        paths.push(c.item?.path ?? '');
    }
    if (paths.length > changedPaths.length) return false;
    if (page.length < top) break;
  }
  if (paths.length !== changedPaths.length || !changedPaths.every((p) => paths.includes(p))) return false;
  for (const path of changedPaths) {
    const atHead = await readItem(az, path, head, 'commit');
    const content = wanted.get(path);
    const same =
      content === null ? atHead.kind !== 'file' : atHead.kind === 'file' && atHead.content === content;
    if (!same) return false;
  }
  return true;
}

async function readItem(az: AzureClient, path: string, version: string, type: VersionType): Promise<Item> {
  const { status, data } = await az.call<AzItem & AzError>('GET', 'items', {
    query: {
      path,
      'versionDescriptor.version': version,
      'versionDescriptor.versionType': type,
      includeContent: true,
      $format: 'json',
    },
    need: 'read',
    accept: [404],
  });
  if (status === 404) {
    const unresolvable =
      /unresolvable/i.test(data.typeKey ?? '') || /TF401175|could not be resolved/i.test(data.message ?? '');
    return unresolvable ? { kind: 'unresolvable' } : { kind: 'missing' };
  }
  if ((data.gitObjectType ?? 'blob').toLowerCase() !== 'blob') return { kind: 'missing' };
  return { kind: 'file', content: data.content ?? '' };
}

/** Repository paths as the API wants them: `/dir/file`. */
function itemPath(path: string): string {
  return `/${path
    .replace(/\\/g, '/')
    .replace(/^(\.\/)+/, '')
    .replace(/^\/+/, '')}`;
}
