// Files: one commit of several changes through the git data API, and reading a file at a ref.
import { type GitProvider, ProviderError } from '@gitops-promote/core';
import { type GitHubClient, PERMISSION, seg } from './client';
import { moveBranch } from './refs';
import type { GhBlob, GhCommit, GhContent, GhTree } from './types';

/** What `GitProvider.commitFiles` is given. */
export type FilesChange = Parameters<GitProvider['commitFiles']>[0];

export async function commitFiles(
  gh: GitHubClient,
  port: Pick<GitProvider, 'branchSha'>,
  change: FilesChange,
): Promise<string | undefined> {
  const base = await gh.call<GhCommit>(
    'GET',
    `${gh.base}/git/commits/${seg(change.base)}`,
    PERMISSION.readContents,
    undefined,
    { notFound: `base commit ${change.base} does not exist in ${gh.owner}/${gh.name}` },
  );
  const head = await port.branchSha(change.branch);

  const entries = await treeEntries(gh, base.tree.sha, change);
  if (entries.length === 0) return undefined;

  const tree = await gh.call<GhTree>('POST', `${gh.base}/git/trees`, PERMISSION.writeContents, {
    base_tree: base.tree.sha,
    tree: entries,
  });
  if (tree.sha === base.tree.sha) return undefined;
  if (head && head !== change.base) {
    const current = await gh.call<GhCommit>(
      'GET',
      `${gh.base}/git/commits/${seg(head)}`,
      PERMISSION.readContents,
    );
    // The branch already holds exactly this content: no empty commit, no reset.
    if (current.tree.sha === tree.sha) return undefined;
  }

  const commit = await gh.call<GhCommit>('POST', `${gh.base}/git/commits`, PERMISSION.writeContents, {
    message: change.message,
    tree: tree.sha,
    parents: [change.base],
  });
  await moveBranch(gh, change.branch, commit.sha, head !== undefined, change.force === true);
  return commit.sha;
}

export async function readFile(gh: GitHubClient, path: string, ref: string): Promise<string | undefined> {
  const entry = await gh.call<GhContent | GhContent[] | undefined>(
    'GET',
    `${gh.base}/contents/${seg(treePath(path))}`,
    PERMISSION.readContents,
    { ref },
    { notFound: 'absent' },
  );
  if (!entry || Array.isArray(entry) || entry.type !== 'file') return undefined;
  if (entry.encoding === 'base64' && typeof entry.content === 'string') {
    return Buffer.from(entry.content, 'base64').toString('utf8');
  }
  // Over 1 MB the contents API leaves the content out (encoding "none"): read the blob.
  const call = `GET ${gh.base}/git/blobs/${entry.sha}`;
  const answer = await gh.call<GhBlob | string>(
    'GET',
    `${gh.base}/git/blobs/${seg(entry.sha)}`,
    PERMISSION.readContents,
  );
  // Octokit hands back the raw text when its JSON parser gives up on an answer of several MB.
  let blob: GhBlob | undefined;
  try {
    blob = typeof answer === 'string' ? (JSON.parse(answer) as GhBlob) : answer;
  } catch {}
  if (typeof blob?.content !== 'string')
    throw new ProviderError(
      call,
      undefined,
      `GitHub sent no readable content for ${path} (${entry.size} bytes)`,
    );
  return Buffer.from(blob.content, blob.encoding === 'base64' ? 'base64' : 'utf8').toString('utf8');
}

/** The tree entries of the change: the last change to a path wins; deleting what is not there is skipped. */
async function treeEntries(
  gh: GitHubClient,
  baseTree: string,
  change: FilesChange,
): Promise<Record<string, unknown>[]> {
  const files = new Map<string, string | null>();
  for (const f of change.files) files.set(treePath(f.path), f.content);
  // GitHub refuses to delete a path that is not there; such a deletion is already done.
  const deletions = [...files].filter(([, content]) => content === null).map(([path]) => path);
  const present = deletions.length ? await existing(gh, baseTree, change.base, deletions) : new Set();

  const entries: Record<string, unknown>[] = [];
  for (const [path, content] of files) {
    if (content === null) {
      if (present.has(path)) entries.push({ path, mode: '100644', type: 'blob', sha: null });
    } else if (content === '') {
      // An empty `content` reads as "no content" to the trees API: make the blob explicitly.
      const blob = await gh.call<{ sha: string }>('POST', `${gh.base}/git/blobs`, PERMISSION.writeContents, {
        content: '',
        encoding: 'utf-8',
      });
      entries.push({ path, mode: '100644', type: 'blob', sha: blob.sha });
    } else {
      entries.push({ path, mode: '100644', type: 'blob', content });
    }
  }
  return entries;
}

/** Which of `paths` exist in the tree (one recursive tree read; path by path when GitHub truncates it). */
async function existing(
  gh: GitHubClient,
  treeSha: string,
  commit: string,
  paths: string[],
): Promise<Set<string>> {
  const tree = await gh.call<GhTree>('GET', `${gh.base}/git/trees/${seg(treeSha)}`, PERMISSION.readContents, {
    recursive: '1',
  });
  if (!tree.truncated) {
    const all = new Set(tree.tree.filter((e) => e.type !== 'tree').map((e) => e.path));
    return new Set(paths.filter((p) => all.has(p)));
  }
  const found = new Set<string>();
  for (const path of paths) {
    const entry = await gh.call<unknown>(
      'GET',
      `${gh.base}/contents/${seg(path)}`,
      PERMISSION.readContents,
      { ref: commit },
      { notFound: 'absent' },
    );
    if (entry && !Array.isArray(entry)) found.add(path);
  }
  return found;
}

function treePath(path: string): string {
  return path.replace(/^(\.\/|\/)+/, '');
}
