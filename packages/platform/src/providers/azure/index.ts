/**
 * GitProvider for Azure DevOps Services / Server through its REST API (api-version 7.1), with plain `fetch`.
 * Every repository call goes to `{collectionUri}{project}/_apis/git/repositories/{repositoryId}/…`
 * (./client.ts); the choices worth knowing stand at the top of each area's module.
 */
import type { CommitStatus, GitProvider, Issue, NewStatus, PullRequest, TagRef } from '@gitops-promote/core';
import { guardAnswers } from '../shared/answers';
import { noIssues } from '../shared/issues';
import { AzureClient, type AzureDevOpsProviderOptions } from './client';
import { commitFiles, type FilesChange, readFile } from './files';
import * as pulls from './pulls';
import * as refs from './refs';
import { listStatuses, setStatus } from './statuses';

export type { AzureDevOpsProviderOptions, AzureRetryOptions } from './client';
export { splitContext } from './statuses';

export class AzureDevOpsProvider implements GitProvider {
  readonly kind = 'azure' as const;
  readonly #az: AzureClient;

  constructor(options: AzureDevOpsProviderOptions) {
    const az = new AzureClient(options);
    this.#az = az;
    guardAnswers(this, 'Azure DevOps', () => az.lastCall);
  }

  listStatuses(sha: string): Promise<CommitStatus[]> {
    return listStatuses(this.#az, sha);
  }
  setStatus(sha: string, status: NewStatus): Promise<void> {
    return setStatus(this.#az, sha, status);
  }

  createTag(name: string, sha: string, message?: string): Promise<{ created: boolean; tag: TagRef }> {
    return refs.createTag(this.#az, this, name, sha, message);
  }
  getTag(name: string): Promise<TagRef | undefined> {
    return refs.getTag(this.#az, name);
  }
  deleteTag(name: string): Promise<void> {
    return refs.deleteTag(this.#az, this, name);
  }
  listTags(prefix: string): Promise<TagRef[]> {
    return refs.listTags(this.#az, prefix);
  }
  newestTags(prefix: string, limit: number): Promise<TagRef[]> {
    return refs.newestTags(this.#az, prefix, limit);
  }
  branchSha(branch: string): Promise<string | undefined> {
    return refs.branchSha(this.#az, branch);
  }
  recentCommits(sha: string, count: number): Promise<string[]> {
    return refs.recentCommits(this.#az, sha, count);
  }
  isAncestor(sha: string, branch: string): Promise<boolean> {
    return refs.isAncestor(this.#az, sha, branch);
  }

  findPullRequests(query: {
    head?: string;
    base?: string;
    state?: 'open' | 'closed' | 'all';
  }): Promise<PullRequest[]> {
    return pulls.findPullRequests(this.#az, query);
  }
  pullRequestForMergeCommit(sha: string): Promise<PullRequest | undefined> {
    return pulls.pullRequestForMergeCommit(this.#az, this, sha);
  }
  getPullRequest(number: number): Promise<PullRequest> {
    return pulls.getPullRequest(this.#az, number);
  }
  createPullRequest(pr: { head: string; base: string; title: string; body: string }): Promise<PullRequest> {
    return pulls.createPullRequest(this.#az, pr);
  }
  updatePullRequest(number: number, change: { title?: string; body?: string }): Promise<PullRequest> {
    return pulls.updatePullRequest(this.#az, this, number, change);
  }
  setAutoMerge(number: number, enabled: boolean): Promise<void> {
    return pulls.setAutoMerge(this.#az, number, enabled);
  }
  upsertComment(number: number, marker: string, body: string): Promise<{ id: string; created: boolean }> {
    return pulls.upsertComment(this.#az, number, marker, body);
  }

  commitFiles(change: FilesChange): Promise<string | undefined> {
    return commitFiles(this.#az, this, change);
  }
  readFile(path: string, ref: string): Promise<string | undefined> {
    return readFile(this.#az, path, ref);
  }

  // Work items are no issue tracker for drift: the build summary and a SucceededWithIssues result say it.
  async findOpenIssues(): Promise<Issue[]> {
    throw noIssues('findOpenIssues', 'azure');
  }
  async createIssue(): Promise<Issue> {
    throw noIssues('createIssue', 'azure');
  }
  async updateIssue(): Promise<Issue> {
    throw noIssues('updateIssue', 'azure');
  }
  async commentOnIssue(): Promise<void> {
    throw noIssues('commentOnIssue', 'azure');
  }
  /** Nothing to start: a tag pushed with the build service's token triggers the pipelines itself. */
  async dispatchWorkflow(): Promise<boolean> {
    return false;
  }
}
