// Pull requests on a plain Git remote: a promotion "pull request" is its head branch plus a small record
// under refs/gitops-promote/pulls/<n> (a commit holding pull.json; each change one commit on top, so
// concurrent writers are told apart by the push). Merged with `git merge` (noticed on the next read: the
// head is in the base) or by merge() (what `gitops-promote promote-tag --merge` calls).
import { GitopsError, ProviderError, type PullRequest } from '@gitops-promote/core';
import type { GitCli } from './cli';
import { checkRefName } from './refs';
import { commitOf, FETCH, fetchRef, localCommit, lsRemote } from './revisions';

export const PULLS_REF = 'refs/gitops-promote/pulls';
const ATTEMPTS = 6;
const LOST_RACE =
  /\[rejected\]|non-fast-forward|fetch first|cannot lock ref|failed to update ref|stale info/i;

interface Comment {
  id: string;
  body: string;
}

/** What the remote keeps of a pull request (all but its URL, plus comments); head sha and state are read live while it is open. */
type Record_ = Omit<PullRequest, 'url'> & { comments: Comment[] };

export class GitPullRequests {
  constructor(private readonly cli: GitCli) {}

  async find(q: { head?: string; base?: string; state?: 'open' | 'closed' | 'all' }): Promise<PullRequest[]> {
    const all = await this.#all();
    const wanted = all.filter((r) => (!q.head || r.head === q.head) && (!q.base || r.base === q.base));
    const live = await Promise.all(wanted.map((r) => this.#live(r)));
    const state = q.state ?? 'open';
    return live.filter((r) => state === 'all' || (state === 'open') === (r.state === 'open')).map(view);
  }

  async get(n: number): Promise<PullRequest> {
    return view(await this.#live(await this.#one(n)));
  }

  /** The open (or recorded) pull request whose head came into its base with `sha`. */
  async forMergeCommit(sha: string): Promise<PullRequest | undefined> {
    const commit = await commitOf(this.cli, sha);
    const parent = await localCommit(this.cli, `${commit}^1`);
    for (const r of await this.#all()) {
      if (r.state === 'merged' && r.mergeCommitSha === commit) return view(r);
      if (r.state !== 'open') continue;
      const head = (await this.#headSha(r)) ?? r.headSha;
      if (!(await localCommit(this.cli, head))) continue;
      if ((await this.#contains(commit, head)) && !(parent && (await this.#contains(parent, head))))
        return view(await this.#change(r.number, (x) => merged(x, head, commit)));
    }
    return undefined;
  }

  async create(pr: { head: string; base: string; title: string; body: string }): Promise<PullRequest> {
    checkRefName('branch', pr.head);
    checkRefName('branch', pr.base);
    const headSha = await this.#headSha({ head: pr.head });
    if (!headSha)
      throw new GitopsError(
        `cannot open a pull request from ${pr.head}: no such branch on ${this.cli.shownRemote}`,
      );
    for (let attempt = 1; ; attempt++) {
      const n = Math.max(0, ...(await this.#all()).map((r) => r.number)) + 1;
      const record: Record_ = { number: n, ...pr, headSha, state: 'open', autoMerge: false, comments: [] };
      if (await this.#push(record, undefined)) return view(record);
      if (attempt >= ATTEMPTS)
        throw new ProviderError(
          `git push ${PULLS_REF}/${n}`,
          undefined,
          'another run kept taking the number',
        );
    }
  }

  async update(n: number, change: { title?: string; body?: string }): Promise<PullRequest> {
    return this.get((await this.#change(n, (r) => ({ ...r, ...definedOnly(change) }))).number);
  }

  async setAutoMerge(n: number, enabled: boolean): Promise<void> {
    await this.#change(n, (r) => ({ ...r, autoMerge: enabled }));
  }

  async upsertComment(n: number, marker: string, body: string): Promise<{ id: string; created: boolean }> {
    let result = { id: '', created: false };
    await this.#change(n, (r) => {
      const found = r.comments.find((c) => c.body.includes(marker));
      result = found
        ? { id: found.id, created: false }
        : { id: `${n}-${r.comments.length + 1}`, created: true };
      const comments = found
        ? r.comments.map((c) => (c === found ? { ...c, body } : c))
        : [...r.comments, { id: result.id, body }];
      return { ...r, comments };
    });
    return result;
  }

  /** Merges the head into the base with a merge commit (the host's merge button); returns that commit. */
  async merge(n: number): Promise<string> {
    const r = await this.#live(await this.#one(n));
    if (r.state !== 'open')
      throw new GitopsError(`pull request #${n} is ${r.state}, not open: nothing to merge`);
    const baseRef = `refs/heads/${r.base}`;
    const base = (await lsRemote(this.cli, [baseRef])).get(baseRef);
    if (!base)
      throw new GitopsError(
        `pull request #${n}: its base branch ${r.base} is not on ${this.cli.shownRemote}`,
      );
    await fetchRef(this.cli, baseRef);
    await fetchRef(this.cli, `refs/heads/${r.head}`);
    const tree = await this.cli.run(['merge-tree', '--write-tree', base, r.headSha]);
    if (tree.code !== 0)
      throw new GitopsError(
        `pull request #${n}: ${r.head} does not merge cleanly into ${r.base}; merge it by hand (git merge) and push`,
      );
    const commit = await this.cli.git(
      [
        'commit-tree',
        '--no-gpg-sign',
        tree.stdout.toString('utf8').split('\n')[0]!,
        '-p',
        base,
        '-p',
        r.headSha,
        '-F',
        '-',
      ],
      {
        input: `Merge pull request #${n} from ${r.head}\n\n${r.title}\n`,
        env: await this.cli.commitIdentity(),
      },
    );
    const push = ['push', this.cli.remote, `${commit}:${baseRef}`];
    const pushed = await this.cli.run(push);
    if (pushed.code !== 0) throw this.cli.failure(push, pushed, `; ${r.base} moved meanwhile, try again`);
    await this.#change(n, (x) => merged(x, r.headSha, commit));
    return commit;
  }

  // --- the records -----------------------------------------------------------------------------

  /** Every record, fetched in one go (the remote's refs mirrored locally, gone ones pruned). */
  async #all(): Promise<Record_[]> {
    const spec = `+${PULLS_REF}/*:${PULLS_REF}/*`;
    await this.cli.git([...FETCH, '--prune', this.cli.remote, spec]);
    const refs = (await this.cli.git(['for-each-ref', '--format=%(objectname)', `${PULLS_REF}/`]))
      .split('\n')
      .filter(Boolean);
    if (refs.length === 0) return [];
    const out = await this.cli.run(['cat-file', '--batch'], {
      input: refs.map((c) => `${c}:pull.json\n`).join(''),
    });
    return parseBatch(out.stdout).sort((a, b) => a.number - b.number);
  }

  async #one(n: number): Promise<Record_> {
    const r = (await this.#all()).find((x) => x.number === n);
    if (!r)
      throw new ProviderError(
        `pull request #${n}`,
        404,
        `no pull request #${n} under ${PULLS_REF} on ${this.cli.shownRemote}`,
      );
    return r;
  }

  /** An open record as it is now: its head's newest commit, and merged when the base has it. */
  async #live(r: Record_): Promise<Record_> {
    if (r.state !== 'open') return r;
    const headSha = (await this.#headSha(r)) ?? r.headSha;
    const baseRef = `refs/heads/${r.base}`;
    const base = (await lsRemote(this.cli, [baseRef])).get(baseRef);
    if (base && !(await localCommit(this.cli, base))) await fetchRef(this.cli, baseRef);
    if (base && (await localCommit(this.cli, headSha)) && (await this.#contains(base, headSha)))
      return { ...r, headSha, state: 'merged' };
    return { ...r, headSha };
  }

  async #headSha(r: { head: string }): Promise<string | undefined> {
    const ref = `refs/heads/${r.head}`;
    const sha = (await lsRemote(this.cli, [ref])).get(ref);
    if (sha && !(await localCommit(this.cli, sha))) await fetchRef(this.cli, ref);
    return sha;
  }

  async #contains(commit: string, ancestor: string): Promise<boolean> {
    return (await this.cli.run(['merge-base', '--is-ancestor', ancestor, commit])).code === 0;
  }

  /** Applies `edit` to the newest record and pushes it on top; another writer first means a fresh try. */
  async #change(n: number, edit: (r: Record_) => Record_): Promise<Record_> {
    for (let attempt = 1; ; attempt++) {
      const stored = await this.#one(n);
      // An open record keeps its head's newest commit: the merge is still found when the branch is gone.
      const head = stored.state === 'open' ? await this.#headSha(stored) : undefined;
      const current = head ? { ...stored, headSha: head } : stored;
      const parent = await localCommit(this.cli, `${PULLS_REF}/${n}`);
      const next = edit(current);
      if (await this.#push(next, parent)) return next;
      if (attempt >= ATTEMPTS)
        throw new ProviderError(`git push ${PULLS_REF}/${n}`, undefined, 'another run kept changing it');
    }
  }

  /** Pushes the record as a commit on `parent`; false when another writer got there first. */
  async #push(r: Record_, parent: string | undefined): Promise<boolean> {
    const blob = await this.cli.git(['hash-object', '-w', '--stdin'], {
      input: `${JSON.stringify(r, null, 2)}\n`,
    });
    const tree = await this.cli.git(['mktree'], { input: `100644 blob ${blob}\tpull.json\n` });
    const commit = await this.cli.git(
      [
        'commit-tree',
        '--no-gpg-sign',
        tree,
        ...(parent ? ['-p', parent] : []),
        '-m',
        `pull request #${r.number}`,
      ],
      { env: await this.cli.commitIdentity() },
    );
    const push = ['push', '--porcelain', this.cli.remote, `${commit}:${PULLS_REF}/${r.number}`];
    const pushed = await this.cli.run(push);
    if (pushed.code === 0) return true;
    if (LOST_RACE.test(pushed.stderr) || LOST_RACE.test(pushed.stdout.toString('utf8'))) return false;
    throw this.cli.failure(push, pushed);
  }
}

function merged(r: Record_, headSha: string, mergeCommitSha: string): Record_ {
  return { ...r, headSha, state: 'merged', mergeCommitSha };
}

function definedOnly(change: { title?: string; body?: string }): { title?: string; body?: string } {
  return Object.fromEntries(Object.entries(change).filter(([, v]) => v !== undefined));
}

function view(r: Record_): PullRequest {
  return {
    number: r.number,
    url: `${PULLS_REF}/${r.number}`,
    head: r.head,
    headSha: r.headSha,
    base: r.base,
    title: r.title,
    body: r.body,
    state: r.state,
    ...(r.mergeCommitSha ? { mergeCommitSha: r.mergeCommitSha } : {}),
    autoMerge: r.autoMerge,
  };
}

/** `<oid> blob <size>\n<content>\n` records; a ref whose commit has no pull.json (hand-made) is skipped. */
function parseBatch(out: Buffer): Record_[] {
  const records: Record_[] = [];
  let at = 0;
  while (at < out.length) {
    const end = out.indexOf(10, at);
    if (end < 0) break;
    const [, type, size] = out.subarray(at, end).toString('utf8').split(' ');
    at = end + 1;
    if (type !== 'blob' || size === undefined) continue;
    const text = out.subarray(at, at + Number(size)).toString('utf8');
    at += Number(size) + 1;
    try {
      const r = JSON.parse(text) as Record_;
      if (Number.isInteger(r.number) && typeof r.head === 'string')
        records.push({ ...r, comments: r.comments ?? [] });
    } catch {
      // not a record: skipped
    }
  }
  return records;
}
