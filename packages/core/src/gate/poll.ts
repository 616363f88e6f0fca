import { formatDuration, roughDuration } from '../duration';
import { describeClusters } from './clusters';
import type { EnvironmentResult } from './commit';

/** The clock and the pause a gate polls with; tests give their own so no test waits on wall-clock luck. */
export interface GateTiming {
  /** Milliseconds since the epoch. Default `Date.now`. */
  clock?: () => number;
  /** Waits between looks. Default: a timer. */
  sleep?: (ms: number) => Promise<void>;
}

export const realSleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** One look of a gate: `done` when decisive; `waiting` says what was seen, for the log. */
export type Look<T> = { done: true; value: T } | { done: false; value: T; waiting: string };

/**
 * Looks until a look is decisive or the timeout passes; then the last look counts. Between looks it says
 * what it saw, when it looks next and when it gives up.
 */
export async function poll<T>(
  rt: { info(message: string): void },
  o: { timeoutMs: number; intervalMs: number } & GateTiming,
  look: () => Promise<Look<T>>,
): Promise<T> {
  const clock = o.clock ?? Date.now;
  const sleep = o.sleep ?? realSleep;
  const deadline = clock() + o.timeoutMs;
  for (;;) {
    const seen = await look();
    if (seen.done) return seen.value;
    const left = deadline - clock();
    if (left <= 0) return seen.value;
    const wait = Math.min(o.intervalMs, left);
    rt.info(
      `${seen.waiting}, ${formatDuration(roundSeconds(left))} left; next look in ${formatDuration(roundSeconds(wait))}`,
    );
    await sleep(wait);
  }
}

function roundSeconds(ms: number): number {
  return Math.max(1000, Math.round(ms / 1000) * 1000);
}

/** The statuses behind a result that is not decisive yet. */
export function describeState(r: EnvironmentResult): string {
  const clusters = r.clusters.length ? ` (${describeClusters(r.clusters)})` : '';
  if (r.soakLeftMs > 0) return `${soakText(r)}${clusters}`;
  if (r.statuses.length === 0) return 'no status yet';
  return `${r.statuses.map((s) => `${s.context} is ${s.state}`).join(', ')}${clusters}`;
}

/** `succeeded; soaking, 25m left`: the success has not stood its soak yet. */
export function soakText(r: EnvironmentResult): string {
  return `${r.statuses.map((s) => s.context).join(', ')} succeeded; soaking, ${roughDuration(r.soakLeftMs)} left`;
}

/** A decisive result ends the wait: success or failure. */
export function decisive(r: EnvironmentResult): boolean {
  return r.state === 'success' || r.state === 'failure';
}
