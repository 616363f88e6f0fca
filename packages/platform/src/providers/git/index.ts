/**
 * A GitProvider for any Git server, talking to the remote with the `git` binary (terminal runs,
 * self-hosted servers). Statuses are Git notes under `refs/notes/gitops-promote` (./notes.ts); tags and
 * branches are pushed; pull requests are not available.
 *
 * The remote is the source of truth: every read asks it (ls-remote or fetch) and every write is pushed.
 */
import {
  type CommitStatus,
  type GitProvider,
  type Issue,
  type NewStatus,
  type PullRequest,
  type TagRef,
  UnsupportedError,
} from '@gitops-promote/core';
import { noIssues } from '../shared/issues';
import { GitCli } from './cli';
import { commitFiles, readFile } from './files';
import { NoteStatuses } from './notes';
import * as refs from './refs';

export { maskCredentials } from './cli';
export { STATUS_NOTES_REF } from './notes';

export interface GitRemoteProviderOptions {
  /** A clone of the repository; its working tree, index and checked-out branch are never touched. */
  cwd: string;
  /** The remote to act on: a remote name or a URL. Default `origin`. */
  remote?: string;
}

export class GitRemoteProvider implements GitProvider {
  readonly kind = 'git' as const;
  readonly #cli: GitCli;
  readonly #statuses: NoteStatuses;

  constructor(options: GitRemoteProviderOptions) {
    this.#cli = new GitCli(options.cwd, options.remote ?? 'origin');
    this.#statuses = new NoteStatuses(this.#cli);
  }

  listStatuses(sha: string): Promise<CommitStatus[]> {
    return this.#statuses.list(sha);
  }
  setStatus(sha: string, status: NewStatus): Promise<void> {
    return this.#statuses.set(sha, status);
  }

  createTag(name: string, sha: string, message?: string): Promise<{ created: boolean; tag: TagRef }> {
    return refs.createTag(this.#cli, name, sha, message);
  }
  deleteTag(name: string): Promise<void> {
    return refs.deleteTag(this.#cli, name);
  }
  getTag(name: string): Promise<TagRef | undefined> {
    return refs.getTag(this.#cli, name);
  }
  listTags(prefix: string): Promise<TagRef[]> {
    return refs.listTags(this.#cli, prefix);
  }
  newestTags(prefix: string, limit: number): Promise<TagRef[]> {
    return refs.newestTags(this.#cli, prefix, limit);
  }
  branchSha(branch: string): Promise<string | undefined> {
    return refs.branchSha(this.#cli, branch);
  }
  recentCommits(sha: string, count: number): Promise<string[]> {
    return refs.recentCommits(this.#cli, sha, count);
  }
  isAncestor(sha: string, branch: string): Promise<boolean> {
    return refs.isAncestor(this.#cli, sha, branch);
  }

  commitFiles(change: Parameters<GitProvider['commitFiles']>[0]): Promise<string | undefined> {
    return commitFiles(this.#cli, change);
  }
  readFile(path: string, ref: string): Promise<string | undefined> {
    return readFile(this.#cli, path, ref);
  }
  /** A Git server has no workflows to start; whatever watches the remote sees the pushed tag. */
  async dispatchWorkflow(): Promise<boolean> {
    return false;
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

  // --- issues: not a Git feature either ---------------------------------------------------------

  async findOpenIssues(): Promise<Issue[]> {
    throw noIssues('findOpenIssues', 'git');
  }
  async createIssue(): Promise<Issue> {
    throw noIssues('createIssue', 'git');
  }
  async updateIssue(): Promise<Issue> {
    throw noIssues('updateIssue', 'git');
  }
  async commentOnIssue(): Promise<void> {
    throw noIssues('commentOnIssue', 'git');
  }
}

function noPullRequests(method: string): UnsupportedError {
  return new UnsupportedError(
    `${method}: pull requests need the github or azure provider (provider: github|azure); the git provider has statuses, tags and branches only`,
  );
}
