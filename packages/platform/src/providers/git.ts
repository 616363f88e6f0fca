import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type CommitStatus,
  commitIdentityEnv,
  type FileChange,
  GitopsError,
  type GitProvider,
  type NewStatus,
  ProviderError,
  type PullRequest,
  type StatusState,
  TagConflictError,
  type TagRef,
  UnsupportedError,
  writeBlobs,
} from '@gitops-promote/core';

export interface GitRemoteProviderOptions {
  /** A clone of the repository; its working tree, index and checked-out branch are never touched. */
  cwd: string;
  /** The remote to act on: a remote name or a URL. Default `origin`. */
  remote?: string;
}

/** Where statuses live: one note per commit, one JSON line per status, oldest first. */
export const STATUS_NOTES_REF = 'refs/notes/gitops-promote';

const NOTES_PUSH_ATTEMPTS = 6;
const GIT_TIMEOUT_MS = 10 * 60_000;
const FULL_SHA = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/i;
const ABBREVIATED_SHA = /^[0-9a-f]{4,63}$/i;
const STATES: readonly StatusState[] = ['success', 'failure', 'error', 'pending'];
/** A push that lost a race with another writer (worth a fetch and another try). */
const LOST_RACE =
  /\[rejected\]|non-fast-forward|fetch first|cannot lock ref|failed to update ref|incorrect old value/i;
// Flags every fetch takes: no tag auto-following and no remote-tracking updates (the clone's refs stay
// as the user left them), no FETCH_HEAD (concurrent fetches would race on it). Objects are what we want.
const FETCH = ['fetch', '--no-tags', '--no-write-fetch-head', '--refmap='];

interface GitResult {
  code: number;
  stdout: Buffer;
  stderr: string;
}

interface RunOptions {
  input?: string | Buffer;
  env?: Record<string, string>;
}

interface PendingStatus {
  commit: string;
  line: string;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * A GitProvider for any Git server, talking to the remote with the `git` binary (terminal runs,
 * self-hosted servers). Statuses are Git notes under `refs/notes/gitops-promote`; tags and branches
 * are pushed; pull requests are not available.
 *
 * The remote is the source of truth: every read asks it (ls-remote or fetch) and every write is pushed.
 * The local notes ref is a mirror of the remote's and is overwritten on each fetch.
 */
export class GitRemoteProvider implements GitProvider {
  readonly kind = 'git' as const;
  private readonly cwd: string;
  private readonly remote: string;
  private identity?: Promise<Record<string, string>>;
  /** Notes work runs one at a time: concurrent fetches and `git notes add` would fight over the ref. */
  private notesQueue: Promise<unknown> = Promise.resolve();
  private readonly pendingStatuses: PendingStatus[] = [];

  constructor(options: GitRemoteProviderOptions) {
    this.cwd = options.cwd;
    this.remote = options.remote ?? 'origin';
  }

  // --- statuses ---------------------------------------------------------------------------------

  async listStatuses(sha: string): Promise<CommitStatus[]> {
    const commit = FULL_SHA.test(sha) ? sha.toLowerCase() : await this.commitOf(sha);
    const note = await this.serially(async () => {
      await this.fetchNotes();
      return this.readNote(commit);
    });
    return newestPerContext(parseStatusLines(note));
  }

  async setStatus(sha: string, status: NewStatus): Promise<void> {
    const commit = await this.commitOf(sha);
    const line = JSON.stringify({
      context: status.context,
      state: status.state,
      description: status.description,
      ...(status.targetUrl ? { targetUrl: status.targetUrl } : {}),
      createdAt: new Date().toISOString(),
    });
    return new Promise<void>((resolve, reject) => {
      this.pendingStatuses.push({ commit, line, resolve, reject });
      // The first status of a batch schedules the write; statuses set meanwhile ride along in one push.
      if (this.pendingStatuses.length === 1) void this.serially(() => this.flushStatuses());
    });
  }

  private async flushStatuses(): Promise<void> {
    const batch = this.pendingStatuses.splice(0);
    try {
      await this.writeStatuses(batch);
      for (const pending of batch) pending.resolve();
    } catch (error) {
      for (const pending of batch) pending.reject(error);
    }
  }

  /**
   * Appends the lines to the commits' notes, on top of the remote's notes, and pushes. When another run
   * pushed first, fetches its notes and re-applies ours (bounded).
   */
  private async writeStatuses(batch: PendingStatus[]): Promise<void> {
    const linesByCommit = new Map<string, string[]>();
    for (const { commit, line } of batch) {
      linesByCommit.set(commit, [...(linesByCommit.get(commit) ?? []), line]);
    }
    const env = await this.commitIdentity();
    const push = ['push', this.remote, `${STATUS_NOTES_REF}:${STATUS_NOTES_REF}`];
    for (let attempt = 1; ; attempt++) {
      await this.fetchNotes();
      for (const [commit, lines] of linesByCommit) {
        const existing = (await this.readNote(commit)).split('\n').filter((l) => l.trim() !== '');
        await this.git(['notes', `--ref=${STATUS_NOTES_REF}`, 'add', '--force', '--file=-', commit], {
          input: `${[...existing, ...lines].join('\n')}\n`,
          env,
        });
      }
      const result = await this.run(push);
      if (result.code === 0) return;
      if (attempt >= NOTES_PUSH_ATTEMPTS || !LOST_RACE.test(result.stderr)) {
        throw this.failure(push, result, attempt > 1 ? ` (after ${attempt} attempts)` : '');
      }
      await sleep(attempt * 80 + Math.random() * 120);
    }
  }

  /** Makes the local notes ref equal the remote's (removing it when the remote has none). */
  private async fetchNotes(): Promise<void> {
    const args = [...FETCH, this.remote, `+${STATUS_NOTES_REF}:${STATUS_NOTES_REF}`];
    const result = await this.run(args);
    if (result.code === 0) return;
    if (/couldn't find remote ref/i.test(result.stderr)) {
      await this.run(['update-ref', '-d', STATUS_NOTES_REF]);
      return;
    }
    throw this.failure(args, result);
  }

  private async readNote(commit: string): Promise<string> {
    const args = ['notes', `--ref=${STATUS_NOTES_REF}`, 'show', commit];
    const result = await this.run(args);
    if (result.code === 0) return result.stdout.toString('utf8');
    if (/no note found/i.test(result.stderr)) return '';
    throw this.failure(args, result);
  }

  private serially<T>(work: () => Promise<T>): Promise<T> {
    const run = this.notesQueue.then(work, work);
    this.notesQueue = run.catch(() => undefined);
    return run;
  }

  // --- tags -------------------------------------------------------------------------------------

  async createTag(name: string, sha: string, message?: string): Promise<{ created: boolean; tag: TagRef }> {
    checkRefName('tag', name);
    const ref = `refs/tags/${name}`;
    const commit = await this.commitOf(sha);
    const existing = await this.getTag(name);
    if (existing) return sameTagOrConflict(existing, commit);

    const local = await this.localCommit(ref);
    if (local && local !== commit) {
      throw new ProviderError(
        `git tag ${name}`,
        undefined,
        `a local tag ${name} points at ${local.slice(0, 12)} but ${this.shownRemote} has no such tag; delete it (git tag -d ${name}) or choose another tag name`,
      );
    }
    if (!local) {
      try {
        if (message === undefined) {
          // update-ref with an empty old value: create only, and no tag.gpgSign prompt.
          await this.git(['update-ref', ref, commit, '']);
        } else {
          const tag = ['tag', '--annotate', '--no-sign', '--cleanup=whitespace', '--file=-', name, commit];
          await this.git(tag, { input: message, env: await this.commitIdentity() });
        }
      } catch (e) {
        // Another run in this same clone made the tag a moment ago: the same commit is fine.
        if ((await this.localCommit(ref)) !== commit) throw e;
      }
    }
    const push = ['push', this.remote, ref];
    const pushed = await this.run(push);
    if (pushed.code === 0) return { created: true, tag: { name, sha: commit } };

    // Another run may have pushed the same name since we looked; its tag wins, ours goes.
    const now = await this.getTag(name);
    if (!local) await this.run(['update-ref', '-d', ref]);
    if (now) return sameTagOrConflict(now, commit);
    throw this.failure(push, pushed);
  }

  async deleteTag(name: string): Promise<void> {
    checkRefName('tag', name);
    const ref = `refs/tags/${name}`;
    if (await this.getTag(name)) {
      const push = ['push', this.remote, '--delete', ref];
      const pushed = await this.run(push);
      if (pushed.code !== 0 && (await this.getTag(name))) throw this.failure(push, pushed);
    }
    await this.run(['update-ref', '-d', ref]);
  }

  async getTag(name: string): Promise<TagRef | undefined> {
    const ref = `refs/tags/${name}`;
    const sha = (await this.lsRemote([ref, `${ref}^{}`])).get(ref);
    return sha ? { name, sha } : undefined;
  }

  async listTags(prefix: string): Promise<TagRef[]> {
    // A glob pattern narrows what the server sends; names are still filtered exactly below.
    const patterns = /^[\w./-]*$/.test(prefix) ? [`refs/tags/${prefix}*`] : [];
    const refs = await this.lsRemote(patterns, ['--tags']);
    const tags: TagRef[] = [];
    for (const [ref, sha] of refs) {
      const name = ref.slice('refs/tags/'.length);
      if (ref.startsWith('refs/tags/') && name.startsWith(prefix)) tags.push({ name, sha });
    }
    return tags.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  // --- branches and ancestry --------------------------------------------------------------------

  async branchSha(branch: string): Promise<string | undefined> {
    const ref = `refs/heads/${branch}`;
    return (await this.lsRemote([ref])).get(ref);
  }

  async isAncestor(sha: string, branch: string): Promise<boolean> {
    const ref = `refs/heads/${branch}`;
    const head = (await this.lsRemote([ref])).get(ref);
    if (!head) return false;
    // The whole history of the branch must be local for merge-base to be right (CI clones are shallow).
    if (!(await this.localCommit(head)) || (await this.isShallow())) await this.fetchRef(ref);
    const commit = FULL_SHA.test(sha) ? await this.localCommit(sha) : await this.commitOf(sha);
    // Not here after fetching the branch's full history: it cannot be in that history.
    if (!commit) return false;
    const args = ['merge-base', '--is-ancestor', commit, head];
    const result = await this.run(args);
    if (result.code === 0 || result.code === 1) return result.code === 0;
    throw this.failure(args, result);
  }

  // --- files and commits ------------------------------------------------------------------------

  async commitFiles(change: {
    branch: string;
    base: string;
    message: string;
    files: FileChange[];
    force?: boolean;
  }): Promise<string | undefined> {
    checkRefName('branch', change.branch);
    const ref = `refs/heads/${change.branch}`;
    const base = await this.commitOf(change.base);
    const tree = await this.treeWithFiles(base, change.files);
    if (tree === (await this.git(['rev-parse', `${base}^{tree}`]))) return undefined;

    const head = (await this.lsRemote([ref])).get(ref);
    if (head) {
      await this.ensureCommit(head, ref);
      if (tree === (await this.git(['rev-parse', `${head}^{tree}`]))) return undefined;
    }
    const commit = await this.git(['commit-tree', '--no-gpg-sign', tree, '-p', base, '-F', '-'], {
      input: change.message,
      env: await this.commitIdentity(),
    });
    const push = ['push', ...(change.force ? ['--force'] : []), this.remote, `${commit}:${ref}`];
    const pushed = await this.run(push);
    if (pushed.code !== 0) {
      const diverged = /non-fast-forward|fetch first/.test(pushed.stderr);
      throw this.failure(
        push,
        pushed,
        diverged
          ? `; ${change.branch} has commits that are not on ${base.slice(0, 12)} (force replaces them)`
          : '',
      );
    }
    return commit;
  }

  /** The tree of `base` with `files` written or deleted, built in a temporary index (the clone's stays as it is). */
  private async treeWithFiles(base: string, files: FileChange[]): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), 'gitops-promote-'));
    try {
      const env = { GIT_INDEX_FILE: join(dir, 'index') };
      await this.git(['read-tree', base], { env });
      const changes = files.map((file) => ({ path: repositoryPath(file.path), content: file.content }));
      const writes = changes.filter((c): c is { path: string; content: string } => c.content !== null);
      const blobs = await writeBlobs(
        (args, input) => this.git(args, { input }),
        dir,
        writes.map((w) => w.content),
      );
      const executable = await this.executablePaths(
        base,
        writes.map((w) => w.path),
      );
      const deleted = '0'.repeat(base.length);
      let written = 0;
      const records = changes.map(({ path, content }) => {
        if (content === null) return `0 ${deleted}\t${path}\0`;
        return `${executable.has(path) ? '100755' : '100644'} ${blobs[written++]}\t${path}\0`;
      });
      await this.git(['update-index', '-z', '--index-info'], { input: records.join(''), env });
      return await this.git(['write-tree'], { env });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  /** Which of `paths` are executable files in `base` (their mode is kept when the content changes). */
  private async executablePaths(base: string, paths: string[]): Promise<Set<string>> {
    if (paths.length === 0) return new Set();
    const listing = await this.run(['--literal-pathspecs', 'ls-tree', '-r', '-z', base, '--', ...paths]);
    const executable = new Set<string>();
    for (const entry of listing.stdout.toString('utf8').split('\0')) {
      const tab = entry.indexOf('\t');
      if (tab > 0 && entry.startsWith('100755 ')) executable.add(entry.slice(tab + 1));
    }
    return executable;
  }

  async readFile(path: string, ref: string): Promise<string | undefined> {
    const commit = await this.commitOf(ref);
    const request = `${commit}:${repositoryPath(path)}\n`;
    const result = await this.run(['cat-file', '--batch'], { input: request });
    if (result.code !== 0) throw this.failure(['cat-file', '--batch'], result);
    // `<oid> <type> <size>\n<content>\n`, or `<request> missing` for a path that is not there.
    const headerEnd = result.stdout.indexOf(10);
    const [, type, size] = result.stdout.subarray(0, headerEnd).toString('utf8').split(' ');
    if (type !== 'blob' || size === undefined) return undefined;
    return result.stdout.subarray(headerEnd + 1, headerEnd + 1 + Number(size)).toString('utf8');
  }

  // --- pull requests: not a Git feature ---------------------------------------------------------

  async findPullRequests(): Promise<PullRequest[]> {
    throw noPullRequests('findPullRequests');
  }
  async pullRequestForMergeCommit(): Promise<PullRequest | undefined> {
    throw noPullRequests('pullRequestForMergeCommit');
  }
  async getPullRequest(): Promise<PullRequest> {
    throw noPullRequests('getPullRequest');
  }
  async createPullRequest(): Promise<PullRequest> {
    throw noPullRequests('createPullRequest');
  }
  async updatePullRequest(): Promise<PullRequest> {
    throw noPullRequests('updatePullRequest');
  }
  async setAutoMerge(): Promise<void> {
    throw noPullRequests('setAutoMerge');
  }
  async upsertComment(): Promise<{ id: string; created: boolean }> {
    throw noPullRequests('upsertComment');
  }

  // --- resolving revisions against the remote ---------------------------------------------------

  /** The commit `rev` (full sha, branch, tag or `refs/…`) names on the remote, with its objects local. */
  private async commitOf(rev: string): Promise<string> {
    if (FULL_SHA.test(rev)) {
      const local = await this.localCommit(rev);
      if (local) return local;
      const fetch = [...FETCH, this.remote, rev];
      const bySha = await this.run(fetch);
      // Servers that refuse unadvertised objects still hand over every branch and tag.
      if (bySha.code !== 0 && /not our ref|unadvertised|not allow/i.test(bySha.stderr)) {
        const refs = [...(await this.lsRemote([], ['--heads', '--tags'])).keys()];
        await this.run([...FETCH, '--stdin', this.remote], { input: `${refs.join('\n')}\n` });
      }
      const fetched = await this.localCommit(rev);
      if (fetched) return fetched;
      throw new ProviderError(
        this.shown(fetch),
        undefined,
        `no commit ${rev} on ${this.shownRemote}${bySha.code !== 0 ? ` (${this.reason(bySha)})` : ''}`,
      );
    }
    const candidates = rev.startsWith('refs/') ? [rev] : [`refs/tags/${rev}`, `refs/heads/${rev}`];
    const refs = await this.lsRemote(candidates.flatMap((c) => [c, `${c}^{}`]));
    for (const candidate of candidates) {
      const sha = refs.get(candidate);
      if (sha) {
        await this.ensureCommit(sha, candidate);
        return sha;
      }
    }
    if (ABBREVIATED_SHA.test(rev)) {
      const local = await this.localCommit(rev);
      if (local) return local;
    }
    throw new ProviderError(
      this.shown(['ls-remote', this.remote, ...candidates]),
      undefined,
      `no branch, tag or commit named ${JSON.stringify(rev)} on ${this.shownRemote}`,
    );
  }

  private async ensureCommit(sha: string, ref: string): Promise<void> {
    if (!(await this.localCommit(sha))) await this.fetchRef(ref);
  }

  private async fetchRef(ref: string): Promise<void> {
    const deepen = (await this.isShallow()) ? ['--unshallow'] : [];
    await this.git([...FETCH, ...deepen, this.remote, ref]);
  }

  private async localCommit(rev: string): Promise<string | undefined> {
    const result = await this.run(['rev-parse', '--verify', '--quiet', `${rev}^{commit}`]);
    return result.code === 0 ? result.stdout.toString('utf8').trim() : undefined;
  }

  private async isShallow(): Promise<boolean> {
    return (await this.git(['rev-parse', '--is-shallow-repository'])) === 'true';
  }

  /** The remote's refs matching `patterns`, annotated tags peeled to their commit. */
  private async lsRemote(patterns: string[], flags: string[] = []): Promise<Map<string, string>> {
    const out = await this.git(['ls-remote', ...flags, this.remote, ...patterns]);
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

  /** Author and committer for notes, tags and commits; a clone without `user.name`/`user.email` still works. */
  private commitIdentity(): Promise<Record<string, string>> {
    this.identity ??= commitIdentityEnv((args) => this.run(args));
    return this.identity;
  }

  // --- running git ------------------------------------------------------------------------------

  /** Runs git and returns its trimmed stdout; a non-zero exit is a ProviderError naming the call. */
  private async git(args: string[], options: RunOptions = {}): Promise<string> {
    const result = await this.run(args, options);
    if (result.code !== 0) throw this.failure(args, result);
    return result.stdout.toString('utf8').trim();
  }

  /** Runs git without a shell (arguments are data) and never lets it prompt for credentials. */
  private run(args: string[], options: RunOptions = {}): Promise<GitResult> {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      GIT_TERMINAL_PROMPT: '0',
      GCM_INTERACTIVE: 'never',
      LC_ALL: 'C',
      ...options.env,
    };
    // Inherited from a calling hook these would point git at another repository or index.
    for (const name of ['GIT_DIR', 'GIT_WORK_TREE', 'GIT_INDEX_FILE']) {
      if (!options.env?.[name]) delete env[name];
    }
    return new Promise((resolve, reject) => {
      const child = spawn('git', args, { cwd: this.cwd, env, timeout: GIT_TIMEOUT_MS, stdio: 'pipe' });
      const stdout: Buffer[] = [];
      const stderr: Buffer[] = [];
      child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
      child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
      child.on('error', (error: NodeJS.ErrnoException) => {
        const detail = error.code === 'ENOENT' ? 'git is not installed or not on PATH' : error.message;
        reject(new ProviderError(this.shown(args), undefined, mask(detail)));
      });
      child.on('close', (code, signal) => {
        const err = Buffer.concat(stderr).toString('utf8');
        resolve({
          code: code ?? 128,
          stdout: Buffer.concat(stdout),
          stderr: signal ? `${err}\nfatal: git was stopped (${signal}) after ${GIT_TIMEOUT_MS / 1000}s` : err,
        });
      });
      // git may exit before reading its input (an early error); that is reported by its exit code.
      child.stdin.on('error', () => {});
      child.stdin.end(options.input ?? '');
    });
  }

  private failure(args: string[], result: GitResult, suffix = ''): ProviderError {
    return new ProviderError(this.shown(args), undefined, `${this.reason(result)}${suffix}`);
  }

  /** The line of git's stderr that says what went wrong, credentials masked. */
  private reason(result: GitResult): string {
    const lines = result.stderr
      .split('\n')
      .map((l) => l.replace(/\s+/g, ' ').trim())
      .filter(Boolean);
    const line = lines.find((l) => /^(fatal|error):|\[(remote )?rejected\]/.test(l)) ?? lines[0];
    return mask(line ?? `exit code ${result.code}`);
  }

  private shown(args: string[]): string {
    return mask(
      ['git', ...args].map((a) => (/^[\w./:@^{}=+,*-]+$/.test(a) ? a : JSON.stringify(a))).join(' '),
    );
  }

  private get shownRemote(): string {
    return mask(this.remote);
  }
}

/** Hides the user-info part of URLs (`https://user:token@host` → `https://***@host`). */
export function maskCredentials(text: string): string {
  return text.replace(/\b([a-z][a-z0-9+.-]*:\/\/)[^\s/@'"]+@/gi, '$1***@');
}
const mask = maskCredentials;

function sameTagOrConflict(existing: TagRef, commit: string): { created: boolean; tag: TagRef } {
  if (existing.sha === commit) return { created: false, tag: existing };
  throw new TagConflictError(existing.name, existing.sha, commit);
}

function noPullRequests(method: string): UnsupportedError {
  return new UnsupportedError(
    `${method}: pull requests need the github or azure provider (provider: github|azure); the git provider has statuses, tags and branches only`,
  );
}

/** Refuses names Git would reject, and names that would read as options (`-d`). */
function checkRefName(kind: 'branch' | 'tag', name: string): void {
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

/** A path inside the repository, `/`-separated, relative to its root. */
function repositoryPath(path: string): string {
  const parts = path.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.length === 0 || parts.some((p) => p === '..' || p === '.git') || /[\0\n]/.test(path)) {
    throw new GitopsError(`${JSON.stringify(path)} is not a file path inside the repository`);
  }
  return parts.join('/');
}

interface StoredStatus {
  context: string;
  state: StatusState;
  description: string;
  targetUrl?: string;
  createdAt: string;
}

/** Reads a note's JSON lines; lines that are not a status (hand edits, future fields gone wrong) are skipped. */
function parseStatusLines(note: string): StoredStatus[] {
  const statuses: StoredStatus[] = [];
  for (const line of note.split('\n')) {
    if (!line.trim()) continue;
    try {
      const value = JSON.parse(line) as Partial<StoredStatus>;
      if (
        typeof value.context === 'string' &&
        STATES.includes(value.state as StatusState) &&
        typeof value.description === 'string'
      ) {
        statuses.push({
          context: value.context,
          state: value.state as StatusState,
          description: value.description,
          ...(typeof value.targetUrl === 'string' ? { targetUrl: value.targetUrl } : {}),
          createdAt: typeof value.createdAt === 'string' ? value.createdAt : '',
        });
      }
    } catch {
      // not JSON: skip
    }
  }
  return statuses;
}

/**
 * One status per context, newest first. Newest means last in the note: lines are appended in the order
 * they reached the remote, which clock skew between runners cannot reorder.
 */
function newestPerContext(statuses: StoredStatus[]): CommitStatus[] {
  const latest = new Map<string, StoredStatus>();
  for (const status of statuses) {
    latest.delete(status.context);
    latest.set(status.context, status);
  }
  return [...latest.values()].reverse();
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
