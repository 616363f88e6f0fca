import type { Config, Environment } from '../config/model';
import { roughDuration } from '../duration';
import { activeFreeze, describeFreeze } from '../gate/freeze';
import type { CommitStatus } from '../provider';
import { parsePlanStatusDescription, planStatusContext } from '../terraform/plan-record';
import type { Observed, Tristate } from './model';

/** A signal may need to read (a record through the provider): it may answer later. */
type Maybe<T> = T | Promise<T>;

/**
 * What other parts of gitops-promote know about an environment, asked by the board: the same freeze
 * windows and soak the gate applies, the parity the plan recorded, the drift the scheduled run recorded.
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

/** The freeze window the gate would refuse a promotion into `env` with, at `now`. */
export function freezeOf(config: Config, env: Environment, now: Date): string {
  const active = activeFreeze(config.freeze ?? [], env.name, now.getTime());
  return active ? `frozen by ${describeFreeze(active)}` : '';
}

/** How long the previous environment's success must still stand before the gate lets it through. */
export function soakOf(config: Config, successAt: string, now: Date): string | undefined {
  const soakMs = config.status.soakMs ?? 0;
  if (soakMs <= 0) return '';
  const at = Date.parse(successAt);
  if (Number.isNaN(at)) return undefined;
  const left = at + soakMs - now.getTime();
  return left > 0 ? `soaking: ${roughDuration(left)} left of ${roughDuration(soakMs)}` : '';
}

/** The parity the environment's own plan recorded for the commit (terraform-run writes it with the plan). */
export function parityOf(o: Observed): Tristate {
  const plan = statusOf(o.statuses, planStatusContext(o.env.name));
  return (plan && parsePlanStatusDescription(plan.description)?.parity) || 'unknown';
}

export const SIGNALS: BoardSignals = {
  freeze: freezeOf,
  soak: soakOf,
  parity: (_config, observed) => parityOf(observed),
  drift: driftOf,
};
