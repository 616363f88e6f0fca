import type { Environment } from '../config/model';
import type { CommitStatus } from '../provider';

/**
 * An environment's state on the board. `never`: nothing was ever deployed there (no deploy tag, no branch).
 * The rest are check-previous-env's states for the commit it runs (the latest attempt).
 */
export type BoardState = 'success' | 'failure' | 'pending' | 'missing' | 'never';

/** Why a commit applied in the previous environment is not here yet. */
export type WaitReason =
  | 'no-tag'
  | 'pending'
  | 'failed'
  | 'pull-request'
  | 'frozen'
  | 'soaking'
  | 'parity-differs';

export interface Waiting {
  sha: string;
  /** The ref it is known by (the previous environment's deploy tag or branch). */
  ref: string;
  reason: WaitReason;
  /** One sentence for people. */
  detail: string;
}

export type Tristate = 'same' | 'differs' | 'unknown';

export interface BoardEnvironment {
  environment: string;
  /** The commit it runs ('' when never deployed). */
  sha: string;
  /** The deploy tag or branch of that commit. */
  ref: string;
  state: BoardState;
  /** ISO 8601: when the deciding status was written ('' when none). */
  since: string;
  description: string;
  parity: Tristate;
  /** `unknown` until a `gitops-promote/<env>/drift` status exists on the commit. */
  drift: 'none' | 'drifted' | 'unknown';
  /** `frozen` when a freeze window holds now (see BoardSignals), else `unknown`/`open`. */
  freeze: 'frozen' | 'open' | 'unknown';
  /** The newest attempt, when it is not the commit running (a failed or pending deploy tag). */
  attempt?: { sha: string; ref: string; state: BoardState };
  waiting: Waiting[];
}

export interface AppEnvironment {
  environment: string;
  /** The image tag its manifests carry ('' when none found). */
  tag: string;
  /** Open promotion pull request into this environment. */
  pullRequest?: { number: number; url: string; tag: string };
}

export interface BoardApp {
  group: string;
  app: string;
  environments: AppEnvironment[];
}

export interface Board {
  generatedAt: string;
  mainBranch: string;
  environments: BoardEnvironment[];
  apps: BoardApp[];
  /** What the board could not read (kept on the board rather than failing it). */
  notes: string[];
}

/** What one environment's commit looked like when the board read it: given to the signals. */
export interface Observed {
  env: Environment;
  previous?: Environment;
  sha: string;
  /** Every status of that commit. */
  statuses: CommitStatus[];
  /** When the previous environment's success on the waiting commit was written (soak). */
  previousSuccessAt?: string;
}
