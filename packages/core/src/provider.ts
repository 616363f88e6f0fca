import { GitopsError } from './errors';

/** A commit status, normalised across hosting services. */
export type StatusState = 'success' | 'failure' | 'error' | 'pending';

export interface CommitStatus {
  /**
   * GitHub: the status context (`gitops-promote/ops`, `kustomization/apps-dev/1a2b3c4d`) or a check run's name.
   * Azure DevOps: `<genre>/<name>` (`gitops-promote/ops`, `fluxcd/apps-dev`); genre and name are kept too.
   */
  context: string;
  state: StatusState;
  description: string;
  targetUrl?: string;
  /** ISO 8601. */
  createdAt: string;
  /** Azure DevOps keeps genre and name apart; on GitHub genre is the part before the first `/`. */
  genre?: string;
  name?: string;
}

export interface NewStatus {
  context: string;
  state: StatusState;
  description: string;
  targetUrl?: string;
}

export interface TagRef {
  name: string;
  /** The commit the tag points at (annotated tags peeled). */
  sha: string;
}

export interface PullRequest {
  number: number;
  url: string;
  /** Source branch, short name. */
  head: string;
  headSha: string;
  /** Target branch, short name. */
  base: string;
  title: string;
  body: string;
  state: 'open' | 'closed' | 'merged';
  mergeCommitSha?: string;
  autoMerge: boolean;
}

/** An issue of the hosting service (GitHub); pull requests are never listed as issues. */
export interface Issue {
  number: number;
  url: string;
  title: string;
  body: string;
  state: 'open' | 'closed';
  labels: string[];
}

export interface FileChange {
  path: string;
  /** New content; `null` deletes the file. */
  content: string | null;
}

/**
 * The hosting service behind a repository: statuses, tags, refs, ancestry, pull requests, comments.
 * Implemented for GitHub, Azure DevOps and plain Git; steps talk only to this.
 */
export interface GitProvider {
  readonly kind: 'github' | 'azure' | 'git';
  /** Every status of the commit (all pages), newest first per context, one entry per context. */
  listStatuses(sha: string): Promise<CommitStatus[]>;
  setStatus(sha: string, status: NewStatus): Promise<void>;
  /**
   * Creates `name` on `sha`. Idempotent: an existing tag on the same commit returns `created: false`;
   * a tag on another commit throws TagConflictError and changes nothing.
   */
  createTag(
    name: string,
    sha: string,
    message?: string,
    /** The caller listed the tags just before and `name` was not among them: no need to look first. */
    listed?: boolean,
  ): Promise<{ created: boolean; tag: TagRef }>;
  getTag(name: string): Promise<TagRef | undefined>;
  /** Deletes a tag (used to undo the loser of two concurrent promotions); a missing tag is no error. */
  deleteTag(name: string): Promise<void>;
  listTags(prefix: string): Promise<TagRef[]>;
  /**
   * At most `limit` tags named `prefix…`, the highest name first (newestTagFirst: deploy tag names carry
   * their UTC time). Only these are peeled, so the cost is bounded by `limit`, not by the tags there are.
   */
  newestTags(prefix: string, limit: number): Promise<TagRef[]>;
  /** The newest commit of a branch, or undefined when there is no such branch. */
  branchSha(branch: string): Promise<string | undefined>;
  /**
   * `sha` and the commits before it, newest first, at most `count`: one request however long the history
   * (the gate learns an environment's clusters from them). An unknown commit gives [].
   */
  recentCommits(sha: string, count: number): Promise<string[]>;
  /** Is `sha` reachable from the head of `branch`? */
  isAncestor(sha: string, branch: string): Promise<boolean>;
  findPullRequests(query: {
    head?: string;
    base?: string;
    state?: 'open' | 'closed' | 'all';
  }): Promise<PullRequest[]>;
  /** The pull request whose merge produced `sha`, if any. */
  pullRequestForMergeCommit(sha: string): Promise<PullRequest | undefined>;
  getPullRequest(number: number): Promise<PullRequest>;
  createPullRequest(pr: { head: string; base: string; title: string; body: string }): Promise<PullRequest>;
  updatePullRequest(number: number, change: { title?: string; body?: string }): Promise<PullRequest>;
  setAutoMerge(number: number, enabled: boolean): Promise<void>;
  /** Creates, or updates in place, the one comment on the pull request that carries `marker`. */
  upsertComment(number: number, marker: string, body: string): Promise<{ id: string; created: boolean }>;
  /**
   * Commits `files` on top of `base` (a commit sha) and points `branch` at it (force when `force`).
   * Returns the new commit, or undefined when the files already have that content (no empty commits).
   */
  commitFiles(change: {
    branch: string;
    base: string;
    message: string;
    files: FileChange[];
    force?: boolean;
  }): Promise<string | undefined>;
  /** Reads a file at a ref (branch, tag or sha); undefined when it does not exist there. */
  readFile(path: string, ref: string): Promise<string | undefined>;
  /** Open issues carrying `label` (all pages). GitHub only: the others throw UnsupportedError. */
  findOpenIssues(label: string): Promise<Issue[]>;
  createIssue(issue: { title: string; body: string; labels: string[] }): Promise<Issue>;
  /** Changes title, body or state (closing an issue). */
  updateIssue(
    number: number,
    change: { title?: string; body?: string; state?: 'open' | 'closed' },
  ): Promise<Issue>;
  commentOnIssue(number: number, body: string): Promise<void>;
  /**
   * Starts the workflow `workflow` (its file name) on `ref` (`refs/tags/x`) where the hosting service starts
   * workflows by API (GitHub: workflow_dispatch); false where it does not: Azure DevOps starts pipelines on
   * the pushed tag itself, plain Git has no workflows.
   */
  dispatchWorkflow(workflow: string, ref: string): Promise<boolean>;
}

/** Deploy tag order: names compared with their digit runs as numbers, so `…-10` follows `…-9`. */
export function newestTagFirst(a: { name: string }, b: { name: string }): number {
  return b.name.localeCompare(a.name, 'en', { numeric: true });
}

/** A hosting-service call failed for good; the message names the call, the status and the likely cause. */
export class ProviderError extends GitopsError {
  override name = 'ProviderError';
  constructor(
    readonly call: string,
    readonly status: number | undefined,
    detail: string,
  ) {
    super(`${call} failed${status ? ` (HTTP ${status})` : ''}: ${detail}`);
  }
}

export class TagConflictError extends GitopsError {
  override name = 'TagConflictError';
  constructor(
    readonly tag: string,
    readonly existingSha: string,
    readonly wantedSha: string,
  ) {
    super(
      `tag ${tag} already points at ${existingSha.slice(0, 12)}, not at ${wantedSha.slice(0, 12)}; choose another tag name (nothing was created)`,
    );
  }
}

/** The provider cannot do this (plain Git has no pull requests); says which provider can. */
export class UnsupportedError extends GitopsError {
  override name = 'UnsupportedError';
}
