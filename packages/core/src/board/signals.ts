import type { Config, Environment } from '../config/model';
import type { CommitStatus } from '../provider';
import type { Observed, Tristate } from './model';

/** A signal may need to read (a record through the provider): it may answer later. */
type Maybe<T> = T | Promise<T>;

/**
 * What other parts of gitops-promote know about an environment, asked by the board. Each is one plug
 * point: freeze, soak and parity answer `undefined` (unknown) until their checks are wired in here.
 */
export interface BoardSignals {
  /** Freeze: the sentence naming the window that freezes `env` at `now`; '' when none does; undefined: unknown. */
  freeze(config: Config, env: Environment, now: Date): Maybe<string | undefined>;
  /** Soak: the sentence saying how long the previous environment's success must still stand; '' when done. */
  soak(config: Config, successAt: string, now: Date): Maybe<string | undefined>;
  /** Parity between the environment and its predecessor for the commit it runs. */
  parity(config: Config, observed: Observed): Maybe<Tristate>;
  /** Drift, from `gitops-promote/<env>/drift` on the commit it runs (terraform-run `drift`). */
  drift(observed: Observed): 'none' | 'drifted' | 'unknown';
}

/** The newest status of a context (statuses come newest first per context, one each). */
function statusOf(statuses: readonly CommitStatus[], context: string): CommitStatus | undefined {
  return statuses.find((s) => s.context === context);
}

export function driftOf(o: Observed): 'none' | 'drifted' | 'unknown' {
  const s = statusOf(o.statuses, `gitops-promote/${o.env.name}/drift`);
  if (s?.state === 'success') return 'none';
  if (s?.state === 'failure' || s?.state === 'error') return 'drifted';
  return 'unknown';
}

export const SIGNALS: BoardSignals = {
  freeze: () => undefined,
  soak: () => undefined,
  parity: () => 'unknown',
  drift: driftOf,
};
