// GitHub's JSON, as far as this provider reads it.
import type { StatusState } from '@gitops-promote/core';

export interface GhStatus {
  id: number;
  state: StatusState;
  description: string | null;
  target_url: string | null;
  context: string;
  created_at: string;
}
export interface GhCheckRun {
  id: number;
  name: string;
  status: string;
  conclusion: string | null;
  started_at: string | null;
  completed_at: string | null;
  details_url?: string | null;
  html_url?: string | null;
  output?: { title?: string | null } | null;
}
export interface GhObject {
  sha: string;
  type: string;
}
export interface GhRef {
  ref: string;
  object: GhObject;
}
export interface GhTag {
  sha: string;
  object: GhObject;
}
export interface GhCommit {
  sha: string;
  tree: { sha: string };
}
export interface GhTree {
  sha: string;
  truncated?: boolean;
  tree: { path: string; type: string }[];
}
export interface GhPull {
  number: number;
  node_id: string;
  html_url: string;
  state: 'open' | 'closed';
  title: string;
  body: string | null;
  merged_at: string | null;
  merge_commit_sha: string | null;
  head: { ref: string; sha: string };
  base: { ref: string };
  auto_merge: unknown;
}
export interface GhComment {
  id: number;
  body?: string | null;
}
export interface GhIssue {
  number: number;
  html_url: string;
  title: string;
  body: string | null;
  state: 'open' | 'closed';
  labels: (string | { name?: string })[];
  /** Present when the "issue" is a pull request. */
  pull_request?: unknown;
}
export interface GhContent {
  type: string;
  encoding?: string;
  content?: string;
  sha: string;
  size?: number;
}
export interface GhBlob {
  content?: string;
  encoding?: string;
}
export interface GhRepository {
  allow_merge_commit?: boolean;
  allow_squash_merge?: boolean;
  allow_rebase_merge?: boolean;
}
export interface GraphQLAnswer {
  data?: Record<string, unknown> | null;
  errors?: { type?: string; message?: string }[];
}
