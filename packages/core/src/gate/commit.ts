import type { Environment } from '../config/model';
import { formatDuration } from '../duration';
import type { CommitStatus, GitProvider } from '../provider';
import type { StepRuntime } from '../runtime';
import { decisive, describeState, type GateTiming, poll } from './poll';

export type GateState = 'success' | 'failure' | 'pending' | 'missing';

/**
 * The context a status is matched under. Flux on Azure DevOps writes genre `fluxcd` (or
 * `fluxcd:<summary>`) with the GitHub-style name, so its name alone is compared: one pattern serves both.
 */
export function neutralContext(s: CommitStatus): string {
  if (s.genre !== undefined && /^fluxcd(:|$)/.test(s.genre) && s.name) return s.name;
  return s.context;
}

/**
 * Compiles context patterns for one environment: `{env}` and `{group}` are filled in, `*` matches any
 * run of characters, and a Flux `kustomization/…` pattern also matches its `/<provider id>` suffix.
 * Patterns that need a group are skipped when none is known.
 */
export function contextMatcher(
  patterns: readonly string[],
  env: string,
  group?: string,
): (context: string) => boolean {
  const res: RegExp[] = [];
  for (const p of patterns) {
    if (p.includes('{group}') && !group) continue;
    const filled = p.replaceAll('{env}', env).replaceAll('{group}', group ?? '');
    const body = filled
      .split('*')
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*');
    const suffix = filled.startsWith('kustomization/') ? '(?:/[^/]+)?' : '';
    res.push(new RegExp(`^${body}${suffix}$`));
  }
  return (context) => res.some((re) => re.test(context));
}

export interface EnvironmentResult {
  environment: string;
  state: GateState;
  /** The statuses that decided the state (all matching ones). */
  statuses: CommitStatus[];
}

/** Any failure fails; else any pending waits; else a success passes; no matching status is `missing`. */
export function environmentResult(
  statuses: readonly CommitStatus[],
  env: Environment,
  patterns: readonly string[],
  group?: string,
): EnvironmentResult {
  const matches = contextMatcher(patterns, env.name, group);
  const mine = statuses.filter((s) => matches(neutralContext(s)));
  let state: GateState = 'missing';
  if (mine.some((s) => s.state === 'failure' || s.state === 'error')) state = 'failure';
  else if (mine.some((s) => s.state === 'pending')) state = 'pending';
  else if (mine.some((s) => s.state === 'success')) state = 'success';
  return { environment: env.name, state, statuses: mine };
}

interface Gate {
  result: EnvironmentResult;
  all: CommitStatus[];
}

/** The previous environment's result for one commit, looked for until decisive or the timeout. */
export async function waitForResult(
  rt: Pick<StepRuntime, 'info'>,
  provider: GitProvider,
  previous: Environment,
  sha: string,
  o: { patterns: string[]; timeoutMs: number; intervalMs: number } & GateTiming,
): Promise<Gate> {
  return poll(rt, o, async () => {
    const all = await provider.listStatuses(sha);
    const result = environmentResult(all, previous, o.patterns);
    const waiting = `waiting for ${previous.name} on ${sha.slice(0, 12)}: ${describeState(result)} (contexts ${o.patterns.join(', ')})`;
    return { done: decisive(result), value: { result, all }, waiting };
  });
}

export function gateMessage(
  r: EnvironmentResult,
  previous: Environment,
  sha: string,
  timeoutMs: number,
  patterns: string[],
): string {
  const short = sha.slice(0, 12);
  if (r.state === 'failure') {
    const bad = r.statuses.filter((s) => s.state === 'failure' || s.state === 'error');
    const detail = bad
      .map(
        (s) =>
          `${s.context}: ${s.state}${s.description ? ` — ${s.description}` : ''}${s.targetUrl ? ` (${s.targetUrl})` : ''}`,
      )
      .join('; ');
    return `${previous.name} failed for commit ${short}: ${detail}`;
  }
  if (r.state === 'pending')
    return `${previous.name} is still pending for commit ${short} after ${formatDuration(timeoutMs)}: ${describeState(r)}; raise timeout or look at the ${previous.name} run`;
  return `${previous.name} has no result for commit ${short} after ${formatDuration(timeoutMs)}: was ${short} applied to ${previous.name}? (looked for statuses ${patterns.map((p) => p.replaceAll('{env}', previous.name)).join(', ')})`;
}
