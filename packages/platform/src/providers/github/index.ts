/**
 * GitProvider for GitHub (github.com, GHE.com and GitHub Enterprise Server) over the REST API, plus the one
 * GraphQL mutation REST lacks (auto-merge). This module is imported dynamically, only by steps that call
 * the API; Octokit itself is loaded on the first call (HTTP behaviour: ./octokit.ts and ./client.ts).
 */
import type { CommitStatus, GitProvider, Issue, NewStatus, PullRequest, TagRef } from '@gitops-promote/core';
import { guardAnswers } from '../shared/answers';
import { dispatchWorkflow } from './actions';
import { GitHubClient, type GitHubProviderOptions } from './client';
import { commitFiles, type FilesChange, readFile } from './files';
import * as issues from './issues';
import * as pulls from './pulls';
import * as refs from './refs';
import { listStatuses, setStatus } from './statuses';

export type { GitHubProviderOptions, GitHubRetryOptions } from './client';

export class GitHubProvider implements GitProvider {
  readonly kind = 'github' as const;
  readonly apiUrl: string;
  readonly serverUrl: string;
  readonly graphqlUrl: string;
  readonly owner: string;
  readonly name: string;
  readonly #gh: GitHubClient;

  constructor(options: GitHubProviderOptions) {
    const gh = new GitHubClient(options);
    this.#gh = gh;
    this.apiUrl = gh.apiUrl;
    this.serverUrl = gh.serverUrl;
    this.graphqlUrl = gh.graphqlUrl;
    this.owner = gh.owner;
    this.name = gh.name;
    guardAnswers(this, 'GitHub', () => gh.lastCall);
  }

  listStatuses(sha: string): Promise<CommitStatus[]> {
    return listStatuses(this.#gh, sha);
  }
  setStatus(sha: string, status: NewStatus): Promise<void> {
    return setStatus(this.#gh, sha, status);
  }

  createTag(
    name: string,
    sha: string,
    message?: string,
    listed?: boolean,
  ): Promise<{ created: boolean; tag: TagRef }> {
    return refs.createTag(this.#gh, this, name, sha, message, listed);
  }
  getTag(name: string): Promise<TagRef | undefined> {
    return refs.getTag(this.#gh, name);
  }
  deleteTag(name: string): Promise<void> {
    return refs.deleteTag(this.#gh, name);
  }
  listTags(prefix: string): Promise<TagRef[]> {
    return refs.listTags(this.#gh, prefix);
  }
  newestTags(prefix: string, limit: number): Promise<TagRef[]> {
    return refs.newestTags(this.#gh, prefix, limit);
  }
  branchSha(branch: string): Promise<string | undefined> {
    return refs.branchSha(this.#gh, branch);
  }
  recentCommits(sha: string, count: number): Promise<string[]> {
    return refs.recentCommits(this.#gh, sha, count);
  }
  isAncestor(sha: string, branch: string): Promise<boolean> {
    return refs.isAncestor(this.#gh, sha, branch);
  }

  findPullRequests(query: {
    head?: string;
    base?: string;
    state?: 'open' | 'closed' | 'all';
  }): Promise<PullRequest[]> {
    return pulls.findPullRequests(this.#gh, query);
  }
  pullRequestForMergeCommit(sha: string): Promise<PullRequest | undefined> {
    return pulls.pullRequestForMergeCommit(this.#gh, sha);
  }
  getPullRequest(number: number): Promise<PullRequest> {
    return pulls.getPullRequest(this.#gh, number);
  }
  createPullRequest(pr: { head: string; base: string; title: string; body: string }): Promise<PullRequest> {
    return pulls.createPullRequest(this.#gh, pr);
  }
  updatePullRequest(number: number, change: { title?: string; body?: string }): Promise<PullRequest> {
    return pulls.updatePullRequest(this.#gh, this, number, change);
  }
  setAutoMerge(number: number, enabled: boolean): Promise<void> {
    return pulls.setAutoMerge(this.#gh, number, enabled);
  }
  upsertComment(number: number, marker: string, body: string): Promise<{ id: string; created: boolean }> {
    return pulls.upsertComment(this.#gh, number, marker, body);
  }

  commitFiles(change: FilesChange): Promise<string | undefined> {
    return commitFiles(this.#gh, this, change);
  }
  readFile(path: string, ref: string): Promise<string | undefined> {
    return readFile(this.#gh, path, ref);
  }

  findOpenIssues(label: string): Promise<Issue[]> {
    return issues.findOpenIssues(this.#gh, label);
  }
  createIssue(issue: { title: string; body: string; labels: string[] }): Promise<Issue> {
    return issues.createIssue(this.#gh, issue);
  }
  updateIssue(
    number: number,
    change: { title?: string; body?: string; state?: 'open' | 'closed' },
  ): Promise<Issue> {
    return issues.updateIssue(this.#gh, number, change);
  }
  commentOnIssue(number: number, body: string): Promise<void> {
    return issues.commentOnIssue(this.#gh, number, body);
  }
  dispatchWorkflow(workflow: string, ref: string): Promise<boolean> {
    return dispatchWorkflow(this.#gh, workflow, ref);
  }
}
