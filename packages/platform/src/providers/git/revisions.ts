// Resolving revisions against the remote: the remote is the source of truth, objects are fetched on demand.
import { ProviderError } from '@gitops-promote/core';
import type { GitCli } from './cli';

export const FULL_SHA = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/i;
const ABBREVIATED_SHA = /^[0-9a-f]{4,63}$/i;
// Flags every fetch takes: no tag auto-following and no remote-tracking updates (the clone's refs stay
// as the user left them), no FETCH_HEAD (concurrent fetches would race on it). Objects are what we want.
export const FETCH = ['fetch', '--no-tags', '--no-write-fetch-head', '--refmap='];

/** The commit `rev` (full sha, branch, tag or `refs/…`) names on the remote, with its objects local. */
export async function commitOf(cli: GitCli, rev: string): Promise<string> {
  if (FULL_SHA.test(rev)) return commitBySha(cli, rev);
  const candidates = rev.startsWith('refs/') ? [rev] : [`refs/tags/${rev}`, `refs/heads/${rev}`];
  const refs = await lsRemote(
    cli,
    candidates.flatMap((c) => [c, `${c}^{}`]),
  );
  for (const candidate of candidates) {
    const sha = refs.get(candidate);
    if (sha) {
      await ensureCommit(cli, sha, candidate);
      return sha;
    }
  }
  if (ABBREVIATED_SHA.test(rev)) {
    const local = await localCommit(cli, rev);
    if (local) return local;
  }
  throw new ProviderError(
    cli.shown(['ls-remote', cli.remote, ...candidates]),
    undefined,
    `no branch, tag or commit named ${JSON.stringify(rev)} on ${cli.shownRemote}`,
  );
}

export async function ensureCommit(cli: GitCli, sha: string, ref: string): Promise<void> {
  if (!(await localCommit(cli, sha))) await fetchRef(cli, ref);
}

export async function fetchRef(cli: GitCli, ref: string): Promise<void> {
  const deepen = (await isShallow(cli)) ? ['--unshallow'] : [];
  await cli.git([...FETCH, ...deepen, cli.remote, ref]);
}

export async function localCommit(cli: GitCli, rev: string): Promise<string | undefined> {
  const result = await cli.run(['rev-parse', '--verify', '--quiet', `${rev}^{commit}`]);
  return result.code === 0 ? result.stdout.toString('utf8').trim() : undefined;
}

export async function isShallow(cli: GitCli): Promise<boolean> {
  return (await cli.git(['rev-parse', '--is-shallow-repository'])) === 'true';
}

/** The remote's refs matching `patterns`, annotated tags peeled to their commit. */
export async function lsRemote(
  cli: GitCli,
  patterns: string[],
  flags: string[] = [],
): Promise<Map<string, string>> {
  const out = await cli.git(['ls-remote', ...flags, cli.remote, ...patterns]);
  const refs = new Map<string, string>();
  const peeled = new Map<string, string>();
  for (const line of out.split('\n')) {
    const [sha, ref] = line.split('\t');
    if (!sha || !ref) continue;
    if (ref.endsWith('^{}')) peeled.set(ref.slice(0, -3), sha);
    else refs.set(ref, sha);
  }
  for (const [ref, sha] of peeled) if (refs.has(ref)) refs.set(ref, sha);
  return refs;
}

async function commitBySha(cli: GitCli, rev: string): Promise<string> {
  const local = await localCommit(cli, rev);
  if (local) return local;
  const fetch = [...FETCH, cli.remote, rev];
  const bySha = await cli.run(fetch);
  // Servers that refuse unadvertised objects still hand over every branch and tag.
  if (bySha.code !== 0 && /not our ref|unadvertised|not allow/i.test(bySha.stderr)) {
    const refs = [...(await lsRemote(cli, [], ['--heads', '--tags'])).keys()];
    await cli.run([...FETCH, '--stdin', cli.remote], { input: `${refs.join('\n')}\n` });
  }
  const fetched = await localCommit(cli, rev);
  if (fetched) return fetched;
  throw new ProviderError(
    cli.shown(fetch),
    undefined,
    `no commit ${rev} on ${cli.shownRemote}${bySha.code !== 0 ? ` (${cli.reason(bySha)})` : ''}`,
  );
}
