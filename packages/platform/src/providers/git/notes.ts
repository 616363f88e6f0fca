// Statuses as Git notes: one note per commit under refs/notes/gitops-promote, one JSON line per status,
// oldest first. The local notes ref mirrors the remote's and is overwritten on each fetch.
import { type CommitStatus, type NewStatus, type StatusState, startedEarly } from '@gitops-promote/core';
import type { GitCli } from './cli';
import { commitOf, FETCH, FULL_SHA } from './revisions';

/** Where statuses live: one note per commit, one JSON line per status, oldest first. */
export const STATUS_NOTES_REF = 'refs/notes/gitops-promote';

const NOTES_PUSH_ATTEMPTS = 6;
const STATES: readonly StatusState[] = ['success', 'failure', 'error', 'pending'];
/** A push that lost a race with another writer (worth a fetch and another try). */
const LOST_RACE =
  /\[rejected\]|non-fast-forward|fetch first|cannot lock ref|failed to update ref|incorrect old value/i;

interface PendingStatus {
  commit: string;
  line: string;
  resolve: () => void;
  reject: (error: unknown) => void;
}

interface StoredStatus {
  context: string;
  state: StatusState;
  description: string;
  targetUrl?: string;
  createdAt: string;
}

export class NoteStatuses {
  /** Notes work runs one at a time: concurrent fetches and `git notes add` would fight over the ref. */
  #queue: Promise<unknown> = Promise.resolve();
  readonly #pending: PendingStatus[] = [];
  /** The local notes ref equals the remote's as of this run's last fetch or push: a write may skip the fetch. */
  #synced = false;
  readonly #commits = new Map<string, Promise<string>>();

  constructor(private readonly cli: GitCli) {}

  async list(sha: string): Promise<CommitStatus[]> {
    const commit = FULL_SHA.test(sha) ? sha.toLowerCase() : await commitOf(this.cli, sha);
    const note = await this.#serially(async () => {
      await this.#fetchNotes();
      return this.#readNote(commit);
    });
    return newestPerContext(parseStatusLines(note));
  }

  async set(sha: string, status: NewStatus): Promise<void> {
    // A run sets several statuses on one commit (pending, then success): resolve it once.
    if (!this.#commits.has(sha)) this.#commits.set(sha, commitOf(this.cli, sha));
    const commit = await this.#commits.get(sha)!;
    const line = JSON.stringify({
      context: status.context,
      state: status.state,
      description: status.description,
      ...(status.targetUrl ? { targetUrl: status.targetUrl } : {}),
      createdAt: new Date().toISOString(),
    });
    return new Promise<void>((resolve, reject) => {
      this.#pending.push({ commit, line, resolve, reject });
      // The first status of a batch schedules the write; statuses set meanwhile (in the same turn of the
      // event loop, or while an earlier write runs) ride along in one push.
      if (this.#pending.length === 1) setImmediate(() => void this.#serially(() => this.#flush()));
    });
  }

  async #flush(): Promise<void> {
    const batch = this.#pending.splice(0);
    try {
      await this.#write(batch);
      for (const pending of batch) pending.resolve();
    } catch (error) {
      for (const pending of batch) pending.reject(error);
    }
  }

  /**
   * Appends the lines to the commits' notes, on top of the remote's notes, and pushes. When another run
   * pushed first, fetches its notes and re-applies ours (bounded).
   */
  async #write(batch: PendingStatus[]): Promise<void> {
    const linesByCommit = new Map<string, string[]>();
    for (const { commit, line } of batch) {
      linesByCommit.set(commit, [...(linesByCommit.get(commit) ?? []), line]);
    }
    // Asked for while the notes are fetched and read: it is only needed to add them.
    const identity = startedEarly(this.cli.commitIdentity());
    const push = ['push', this.cli.remote, `${STATUS_NOTES_REF}:${STATUS_NOTES_REF}`];
    // Optimistic when this run fetched or pushed last: a writer that came in between makes the push fail as
    // a lost race, and the next try fetches (at once: that try was not a real attempt).
    let skipFetch = this.#synced;
    for (let attempt = 1; ; attempt++) {
      const skipped = skipFetch;
      skipFetch = false;
      if (!skipped) await this.#fetchNotes();
      for (const [commit, lines] of linesByCommit) {
        const existing = (await this.#readNote(commit)).split('\n').filter((l) => l.trim() !== '');
        await this.cli.git(['notes', `--ref=${STATUS_NOTES_REF}`, 'add', '--force', '--file=-', commit], {
          input: `${[...existing, ...lines].join('\n')}\n`,
          env: await identity,
        });
      }
      const result = await this.cli.run(push);
      if (result.code === 0) {
        this.#synced = true;
        return;
      }
      this.#synced = false;
      if (skipped && LOST_RACE.test(result.stderr)) {
        attempt--;
        continue;
      }
      if (attempt >= NOTES_PUSH_ATTEMPTS || !LOST_RACE.test(result.stderr)) {
        throw this.cli.failure(push, result, attempt > 1 ? ` (after ${attempt} attempts)` : '');
      }
      await sleep(attempt * 80 + Math.random() * 120);
    }
  }

  /** Makes the local notes ref equal the remote's (removing it when the remote has none). */
  async #fetchNotes(): Promise<void> {
    const args = [...FETCH, this.cli.remote, `+${STATUS_NOTES_REF}:${STATUS_NOTES_REF}`];
    const result = await this.cli.run(args);
    this.#synced = result.code === 0;
    if (result.code === 0) return;
    if (/couldn't find remote ref/i.test(result.stderr)) {
      await this.cli.run(['update-ref', '-d', STATUS_NOTES_REF]);
      this.#synced = true;
      return;
    }
    throw this.cli.failure(args, result);
  }

  async #readNote(commit: string): Promise<string> {
    const args = ['notes', `--ref=${STATUS_NOTES_REF}`, 'show', commit];
    const result = await this.cli.run(args);
    if (result.code === 0) return result.stdout.toString('utf8');
    if (/no note found/i.test(result.stderr)) return '';
    throw this.cli.failure(args, result);
  }

  #serially<T>(work: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(work, work);
    this.#queue = run.catch(() => undefined);
    return run;
  }
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
