// Issues (REST): listed by label, created, updated (also closed) and commented on; pull requests filtered out.
import type { Issue } from '@gitops-promote/core';
import { type GitHubClient, PERMISSION } from './client';
import type { GhIssue } from './types';

const BODY_MAX = 65_536;

export async function findOpenIssues(gh: GitHubClient, label: string): Promise<Issue[]> {
  const issues = await gh.all<GhIssue>(`${gh.base}/issues`, PERMISSION.readIssues, {
    state: 'open',
    labels: label,
  });
  return (issues ?? []).filter((i) => !i.pull_request).map(toIssue);
}

export async function createIssue(
  gh: GitHubClient,
  issue: { title: string; body: string; labels: string[] },
): Promise<Issue> {
  const fields = { title: issue.title, body: clip(issue.body), labels: issue.labels };
  return toIssue(await gh.call<GhIssue>('POST', `${gh.base}/issues`, PERMISSION.writeIssues, fields));
}

export async function updateIssue(
  gh: GitHubClient,
  number: number,
  change: { title?: string; body?: string; state?: 'open' | 'closed' },
): Promise<Issue> {
  const fields: Record<string, unknown> = {};
  if (change.title !== undefined) fields.title = change.title;
  if (change.body !== undefined) fields.body = clip(change.body);
  if (change.state !== undefined) fields.state = change.state;
  const path = `${gh.base}/issues/${issueNumber(number)}`;
  return toIssue(await gh.call<GhIssue>('PATCH', path, PERMISSION.writeIssues, fields));
}

export async function commentOnIssue(gh: GitHubClient, number: number, body: string): Promise<void> {
  const path = `${gh.base}/issues/${issueNumber(number)}/comments`;
  await gh.call('POST', path, PERMISSION.writeIssues, { body: clip(body) });
}

function toIssue(i: GhIssue): Issue {
  return {
    number: i.number,
    url: i.html_url,
    title: i.title,
    body: i.body ?? '',
    state: i.state,
    labels: i.labels.map((l) => (typeof l === 'string' ? l : (l.name ?? ''))),
  };
}

function issueNumber(n: number): string {
  if (!Number.isSafeInteger(n) || n <= 0) throw new RangeError(`issue number ${n} is not a positive integer`);
  return String(n);
}

function clip(body: string): string {
  return body.length <= BODY_MAX ? body : `${body.slice(0, BODY_MAX - 20)}\n\n… (truncated)`;
}
