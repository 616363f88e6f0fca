/**
 * A GitProvider for any Git server, talking to the remote with the `git` binary (terminal runs,
 * self-hosted servers). Statuses are Git notes under `refs/notes/gitops-promote` (./notes.ts); tags and
 * branches are pushed; a pull request is a branch plus a record under refs/gitops-promote/pulls (./pulls.ts).
 *
 * The remote is the source of truth: every read asks it (ls-remote or fetch) and every write is pushed.
 */
import type { CommitStatus, GitProvider, Issue, NewStatus, PullRequest, TagRef } from '@gitops-promote/core';
import { noIssues } from '../shared/issues';
import { GitCli } from './cli';
import { commitFiles, readFile } from './files';
import { NoteStatuses } from './notes';
import { GitPullRequests } from './pulls';
import * as refs from './refs';

export { maskCredentials } from './cli';
export { STATUS_NOTES_REF } from './notes';
export { PULLS_REF } from './pulls';

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
  readonly #pulls: GitPullRequests;

  constructor(options: GitRemoteProviderOptions) {
    this.#cli = new GitCli(options.cwd, options.remote ?? 'origin');
    this.#statuses = new NoteStatuses(this.#cli);
    this.#pulls = new GitPullRequests(this.#cli);
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

  // --- pull requests: a branch and a record under refs/gitops-promote/pulls (./pulls.ts) --------

  findPullRequests(query: Parameters<GitProvider['findPullRequests']>[0]): Promise<PullRequest[]> {
    return this.#pulls.find(query);
  }
  pullRequestForMergeCommit(sha: string): Promise<PullRequest | undefined> {
    return this.#pulls.forMergeCommit(sha);
  }
  getPullRequest(number: number): Promise<PullRequest> {
    return this.#pulls.get(number);
  }
  createPullRequest(pr: Parameters<GitProvider['createPullRequest']>[0]): Promise<PullRequest> {
    return this.#pulls.create(pr);
  }
  updatePullRequest(number: number, change: { title?: string; body?: string }): Promise<PullRequest> {
    return this.#pulls.update(number, change);
  }
  setAutoMerge(number: number, enabled: boolean): Promise<void> {
    return this.#pulls.setAutoMerge(number, enabled);
  }
  upsertComment(number: number, marker: string, body: string): Promise<{ id: string; created: boolean }> {
    return this.#pulls.upsertComment(number, marker, body);
  }
  /**
   * Merges a pull request into its base with a merge commit and returns it: on a plain Git remote there
   * is no host to press the button (`gitops-promote promote-tag --merge`; a `git merge` works as well).
   */
  mergePullRequest(number: number): Promise<string> {
    return this.#pulls.merge(number);
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
