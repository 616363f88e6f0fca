// Tags and branches through the git refs API; annotated tags are peeled to their commit.
import {
  type GitProvider,
  newestTagFirst,
  ProviderError,
  TagConflictError,
  type TagRef,
} from '@gitops-promote/core';
import { type GitHubClient, malformed, PERMISSION, seg } from './client';
import type { GhObject, GhRef, GhTag } from './types';

export async function createTag(
  gh: GitHubClient,
  port: Pick<GitProvider, 'getTag'>,
  name: string,
  sha: string,
  message?: string,
  listed = false,
): Promise<{ created: boolean; tag: TagRef }> {
  const wanted: TagRef = { name, sha };
  let target = sha;
  if (message !== undefined) {
    // An annotated tag is two writes; look first (unless the caller just did) so a re-run leaves no stray
    // tag object behind.
    const existing = listed ? undefined : await port.getTag(name);
    if (existing) return settle(existing, wanted);
    const tag = await gh.call<GhTag>('POST', `${gh.base}/git/tags`, PERMISSION.writeContents, {
      tag: name,
      message: message.endsWith('\n') ? message : `${message}\n`,
      object: sha,
      type: 'commit',
    });
    target = tag.sha;
  }
  try {
    await gh.call('POST', `${gh.base}/git/refs`, PERMISSION.writeContents, {
      ref: `refs/tags/${name}`,
      sha: target,
    });
    return { created: true, tag: wanted };
  } catch (e) {
    if (!(e instanceof ProviderError && e.status === 422 && /already exists/i.test(e.message))) throw e;
    const existing = await port.getTag(name);
    if (!existing) throw e;
    return settle(existing, wanted);
  }
}

export async function getTag(gh: GitHubClient, name: string): Promise<TagRef | undefined> {
  const ref = await exactRef(gh, `tags/${name}`);
  if (!ref) return undefined;
  return { name, sha: await peel(gh, ref.object) };
}

export async function deleteTag(gh: GitHubClient, name: string): Promise<void> {
  try {
    await gh.call(
      'DELETE',
      `${gh.base}/git/refs/${seg(`tags/${name}`)}`,
      PERMISSION.writeContents,
      undefined,
      { notFound: 'absent' },
    );
  } catch (e) {
    // GitHub answers 422 "Reference does not exist" for a tag that is not there: already done.
    if (e instanceof ProviderError && e.status === 422 && /does not exist/i.test(e.message)) return;
    throw e;
  }
}

/** One page of tag refs with their targets, peeled two levels deep (a tag of a tag is rare). */
const TAGS_QUERY = `query($owner: String!, $name: String!, $query: String!, $after: String) {
  repository(owner: $owner, name: $name) {
    refs(refPrefix: "refs/tags/", query: $query, first: 100, after: $after) {
      pageInfo { hasNextPage endCursor }
      nodes { name target { __typename oid ... on Tag { target { __typename oid } } } }
    }
  }
}`;
interface GqlTarget {
  __typename: string;
  oid: string;
  target?: GqlTarget;
}
interface TagsPage {
  repository?: {
    refs?: {
      pageInfo: { hasNextPage: boolean; endCursor?: string };
      nodes: { name: string; target: GqlTarget }[];
    };
  };
}

/**
 * Tags starting with `prefix` and the commits they point at, 100 a request (GraphQL gives annotated tags'
 * commits in the same answer: no request per tag).
 */
export async function listTags(gh: GitHubClient, prefix: string): Promise<TagRef[]> {
  const call = `POST ${gh.graphqlUrl} (refs refs/tags/${prefix})`;
  const tags: TagRef[] = [];
  let after: string | undefined;
  for (;;) {
    const vars = { owner: gh.owner, name: gh.name, query: prefix, after };
    const page = ((await gh.graphql(call, TAGS_QUERY, vars, PERMISSION.readContents)) as TagsPage)?.repository
      ?.refs;
    if (!page) return tags;
    for (const { name, target } of page.nodes) {
      if (!name.startsWith(prefix)) continue;
      const peeled = target.__typename === 'Tag' ? target.target : target;
      const sha =
        peeled?.__typename === 'Tag' ? await peel(gh, { type: 'tag', sha: peeled.oid }) : peeled?.oid;
      if (sha) tags.push({ name, sha });
    }
    if (!page.pageInfo.hasNextPage || !page.pageInfo.endCursor) return tags;
    after = page.pageInfo.endCursor;
  }
}

/** The `limit` newest tags (deploy tag order), from the same one-query-per-100 listing: no call per tag. */
export async function newestTags(gh: GitHubClient, prefix: string, limit: number): Promise<TagRef[]> {
  return (await listTags(gh, prefix)).sort(newestTagFirst).slice(0, Math.max(0, limit));
}

export async function branchSha(gh: GitHubClient, branch: string): Promise<string | undefined> {
  return (await exactRef(gh, `heads/${branch}`))?.object.sha;
}

/** `GET /commits?sha=&per_page=`: one page, newest first. */
export async function recentCommits(gh: GitHubClient, sha: string, count: number): Promise<string[]> {
  const path = `${gh.base}/commits`;
  const list = await gh.call<{ sha?: unknown }[] | undefined>(
    'GET',
    path,
    PERMISSION.readContents,
    { sha, per_page: Math.min(Math.max(count, 1), 100) },
    { notFound: 'absent' },
  );
  if (list !== undefined && (!Array.isArray(list) || list.some((c) => typeof c?.sha !== 'string')))
    throw malformed(`GET ${path}`, 'a commit without a sha');
  return (list ?? []).map((c) => c.sha as string).slice(0, count);
}

export async function isAncestor(gh: GitHubClient, sha: string, branch: string): Promise<boolean> {
  // base = branch, head = sha: "behind" means the branch has every commit of sha (sha is reachable).
  const path = `${gh.base}/compare/${seg(branch)}...${seg(sha)}`;
  const comparison = await gh.call<{ status: string } | undefined>(
    'GET',
    path,
    PERMISSION.readContents,
    { per_page: 1 },
    { notFound: 'absent' },
  );
  return comparison?.status === 'identical' || comparison?.status === 'behind';
}

/** Points `branch` at `sha`: creates it, or moves it (fast-forward unless forced); either may race. */
export async function moveBranch(
  gh: GitHubClient,
  branch: string,
  sha: string,
  exists: boolean,
  force: boolean,
): Promise<void> {
  const update = () =>
    gh.call('PATCH', `${gh.base}/git/refs/${seg(`heads/${branch}`)}`, PERMISSION.writeContents, {
      sha,
      force,
    });
  const create = () =>
    gh.call('POST', `${gh.base}/git/refs`, PERMISSION.writeContents, {
      ref: `refs/heads/${branch}`,
      sha,
    });
  if (exists) {
    try {
      await update();
    } catch (e) {
      // Deleted in the meantime.
      if (!(e instanceof ProviderError && e.status === 422 && /does not exist/i.test(e.message))) throw e;
      await create();
    }
    return;
  }
  try {
    await create();
  } catch (e) {
    // Created in the meantime: move it like an existing branch (fast-forward unless forced).
    if (!(e instanceof ProviderError && e.status === 422 && /already exists/i.test(e.message))) throw e;
    await update();
  }
}

/** `GET /git/ref/<ref>` (exact match), or undefined when there is no such ref. */
function exactRef(gh: GitHubClient, ref: string): Promise<GhRef | undefined> {
  return gh.call<GhRef | undefined>(
    'GET',
    `${gh.base}/git/ref/${seg(ref)}`,
    PERMISSION.readContents,
    undefined,
    {
      notFound: 'absent',
    },
  );
}

/** The commit an object leads to: annotated tags (also tags of tags) are followed. */
async function peel(gh: GitHubClient, object: GhObject): Promise<string> {
  let current = object;
  for (let depth = 0; current.type === 'tag' && depth < 10; depth++) {
    const tag = await gh.call<GhTag>(
      'GET',
      `${gh.base}/git/tags/${seg(current.sha)}`,
      PERMISSION.readContents,
    );
    current = tag.object;
  }
  return current.sha;
}

function settle(existing: TagRef, wanted: TagRef): { created: boolean; tag: TagRef } {
  if (existing.sha !== wanted.sha) throw new TagConflictError(wanted.name, existing.sha, wanted.sha);
  return { created: false, tag: existing };
}
