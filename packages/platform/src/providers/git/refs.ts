// Tags and branches: read with ls-remote, written by pushing; the remote decides.
import {
  GitopsError,
  newestTagFirst,
  ProviderError,
  TagConflictError,
  type TagRef,
} from '@gitops-promote/core';
import type { GitCli } from './cli';
import { commitOf, FULL_SHA, fetchRef, isShallow, localCommit, lsRemote } from './revisions';

export async function createTag(
  cli: GitCli,
  name: string,
  sha: string,
  message?: string,
): Promise<{ created: boolean; tag: TagRef }> {
  checkRefName('tag', name);
  const ref = `refs/tags/${name}`;
  const commit = await commitOf(cli, sha);
  const existing = await getTag(cli, name);
  if (existing) return sameTagOrConflict(existing, commit);

  const local = await localCommit(cli, ref);
  if (local && local !== commit) {
    throw new ProviderError(
      `git tag ${name}`,
      undefined,
      `a local tag ${name} points at ${local.slice(0, 12)} but ${cli.shownRemote} has no such tag; delete it (git tag -d ${name}) or choose another tag name`,
    );
  }
  if (!local) {
    try {
      if (message === undefined) {
        // update-ref with an empty old value: create only, and no tag.gpgSign prompt.
        await cli.git(['update-ref', ref, commit, '']);
      } else {
        const tag = ['tag', '--annotate', '--no-sign', '--cleanup=whitespace', '--file=-', name, commit];
        await cli.git(tag, { input: message, env: await cli.commitIdentity() });
      }
    } catch (e) {
      // Another run in this same clone made the tag a moment ago: the same commit is fine.
      if ((await localCommit(cli, ref)) !== commit) throw e;
    }
  }
  const push = ['push', cli.remote, ref];
  const pushed = await cli.run(push);
  if (pushed.code === 0) return { created: true, tag: { name, sha: commit } };

  // Another run may have pushed the same name since we looked; its tag wins, ours goes.
  const now = await getTag(cli, name);
  if (!local) await cli.run(['update-ref', '-d', ref]);
  if (now) return sameTagOrConflict(now, commit);
  throw cli.failure(push, pushed);
}

export async function deleteTag(cli: GitCli, name: string): Promise<void> {
  checkRefName('tag', name);
  const ref = `refs/tags/${name}`;
  if (await getTag(cli, name)) {
    const push = ['push', cli.remote, '--delete', ref];
    const pushed = await cli.run(push);
    if (pushed.code !== 0 && (await getTag(cli, name))) throw cli.failure(push, pushed);
  }
  await cli.run(['update-ref', '-d', ref]);
}

export async function getTag(cli: GitCli, name: string): Promise<TagRef | undefined> {
  const ref = `refs/tags/${name}`;
  const sha = (await lsRemote(cli, [ref, `${ref}^{}`])).get(ref);
  return sha ? { name, sha } : undefined;
}

export async function listTags(cli: GitCli, prefix: string): Promise<TagRef[]> {
  // A glob pattern narrows what the server sends; names are still filtered exactly below.
  const patterns = /^[\w./-]*$/.test(prefix) ? [`refs/tags/${prefix}*`] : [];
  const refs = await lsRemote(cli, patterns, ['--tags']);
  const tags: TagRef[] = [];
  for (const [ref, sha] of refs) {
    const name = ref.slice('refs/tags/'.length);
    if (ref.startsWith('refs/tags/') && name.startsWith(prefix)) tags.push({ name, sha });
  }
  return tags.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** `ls-remote` answers with every tag peeled at once: sorting and cutting it costs nothing more. */
export async function newestTags(cli: GitCli, prefix: string, limit: number): Promise<TagRef[]> {
  return (await listTags(cli, prefix)).sort(newestTagFirst).slice(0, Math.max(0, limit));
}

export async function branchSha(cli: GitCli, branch: string): Promise<string | undefined> {
  const ref = `refs/heads/${branch}`;
  return (await lsRemote(cli, [ref])).get(ref);
}

/** `git rev-list --max-count`: as deep as the clone's history goes (a shallow clone gives fewer). */
export async function recentCommits(cli: GitCli, sha: string, count: number): Promise<string[]> {
  let commit: string;
  try {
    commit = await commitOf(cli, sha);
  } catch {
    return [];
  }
  const out = await cli.git(['rev-list', `--max-count=${count}`, commit]);
  return out.split('\n').filter(Boolean);
}

export async function isAncestor(cli: GitCli, sha: string, branch: string): Promise<boolean> {
  const ref = `refs/heads/${branch}`;
  const head = (await lsRemote(cli, [ref])).get(ref);
  if (!head) return false;
  // The whole history of the branch must be local for merge-base to be right (CI clones are shallow).
  if (!(await localCommit(cli, head)) || (await isShallow(cli))) await fetchRef(cli, ref);
  const commit = FULL_SHA.test(sha) ? await localCommit(cli, sha) : await commitOf(cli, sha);
  // Not here after fetching the branch's full history: it cannot be in that history.
  if (!commit) return false;
  const args = ['merge-base', '--is-ancestor', commit, head];
  const result = await cli.run(args);
  if (result.code === 0 || result.code === 1) return result.code === 0;
  throw cli.failure(args, result);
}

/** Refuses names Git would reject, and names that would read as options (`-d`). */
export function checkRefName(kind: 'branch' | 'tag', name: string): void {
  const problem =
    name === '' || name === '@'
      ? 'is empty or "@"'
      : name.startsWith('-')
        ? 'starts with "-"'
        : /[\x00-\x20\x7f~^:?*[\\]/.test(name)
          ? 'contains a space, a control character or one of ~ ^ : ? * [ \\'
          : /\.\.|@\{|\/\/|^\/|\/$|\.$/.test(name)
            ? 'contains "..", "@{" or "//", or starts or ends with "/", or ends with "."'
            : name.split('/').some((part) => part.startsWith('.') || part.endsWith('.lock'))
              ? 'has a part that starts with "." or ends with ".lock"'
              : undefined;
  if (problem)
    throw new GitopsError(`${JSON.stringify(name)} is not a valid Git ${kind} name: it ${problem}`);
}

function sameTagOrConflict(existing: TagRef, commit: string): { created: boolean; tag: TagRef } {
  if (existing.sha === commit) return { created: false, tag: existing };
  throw new TagConflictError(existing.name, existing.sha, commit);
}
