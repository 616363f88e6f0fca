import type { Environment } from '../config/model';
import { formatDuration, roughDuration } from '../duration';
import type { CommitStatus, GitProvider } from '../provider';
import type { StepRuntime } from '../runtime';
import { type Cluster, clusterMemory, clustersOf, describeClusters } from './clusters';
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
  /** Flux's per-cluster results, known clusters that have not reported as `missing`. */
  clusters: Cluster[];
  /** How long the deciding success must still stand (soak); 0 when it has, or there is none. */
  soakLeftMs: number;
}

/** How several results make one: `require` over the clusters, `soak` on the deciding success. */
export interface GateRules {
  require?: 'all' | 'any';
  /** Per-cluster contexts seen on earlier commits (see knownClusters). */
  known?: readonly string[];
  soakMs?: number;
  /** Epoch ms, for the soak. */
  now?: number;
}

/**
 * `all` (default): any failure fails; else anything pending or a known cluster silent waits; else a success
 * passes. `any`: the first success passes; a failure fails once nothing else may still report. No matching
 * status is `missing`. A success younger than `soakMs` reads as pending.
 */
export function environmentResult(
  statuses: readonly CommitStatus[],
  env: Environment,
  patterns: readonly string[],
  group?: string,
  rules: GateRules = {},
): EnvironmentResult {
  const matches = contextMatcher(patterns, env.name, group);
  const mine = statuses.filter((s) => matches(neutralContext(s)));
  const clusters = clustersOf(
    mine.map((s) => ({ context: neutralContext(s), state: s.state })),
    rules.known ?? [],
  );
  const has = (state: string) => mine.some((s) => s.state === state);
  const failed = has('failure') || has('error');
  const waiting = has('pending') || clusters.some((c) => c.state === 'missing');
  let state: GateState = 'missing';
  if (rules.require === 'any' && has('success')) state = 'success';
  else if (failed && (rules.require !== 'any' || !waiting)) state = 'failure';
  else if (has('pending')) state = 'pending';
  else if (waiting) state = 'missing';
  else if (has('success')) state = 'success';
  const result = { environment: env.name, state, statuses: mine, clusters, soakLeftMs: 0 };
  if (state === 'success' && rules.soakMs)
    soak(result, rules.require ?? 'all', rules.soakMs, rules.now ?? Date.now());
  return result;
}

/** The deciding success (`all`: the newest of them, `any`: the oldest) must have stood `soakMs`. */
function soak(r: EnvironmentResult, require: 'all' | 'any', soakMs: number, now: number): void {
  const times = r.statuses
    .filter((s) => s.state === 'success')
    .map((s) => Date.parse(s.createdAt))
    .filter((t) => !Number.isNaN(t));
  if (!times.length) return;
  const decided = require === 'any' ? Math.min(...times) : Math.max(...times);
  const left = decided + soakMs - now;
  if (left > 0) {
    r.state = 'pending';
    r.soakLeftMs = left;
  }
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
  o: { patterns: string[]; timeoutMs: number; intervalMs: number } & GateTiming & GateRules,
): Promise<Gate> {
  const matches = contextMatcher(o.patterns, previous.name);
  const learn = clusterMemory(provider, sha, matches, neutralContext, o.known);
  const clock = o.clock ?? Date.now;
  return poll(rt, o, async () => {
    const all = await provider.listStatuses(sha);
    const rules = {
      known: await learn(all),
      now: clock(),
      ...(o.require ? { require: o.require } : {}),
      soakMs: o.soakMs ?? 0,
    };
    const result = environmentResult(all, previous, o.patterns, undefined, rules);
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
  soakMs = 0,
): string {
  const short = sha.slice(0, 12);
  const after = formatDuration(timeoutMs);
  const clusters = r.clusters.length ? ` (${describeClusters(r.clusters)})` : '';
  if (r.state === 'failure') {
    const bad = r.statuses.filter((s) => s.state === 'failure' || s.state === 'error');
    const detail = bad.map((s) => failedText(s)).join('; ');
    return `${previous.name} failed for commit ${short}: ${detail}${clusters}`;
  }
  if (r.soakLeftMs > 0)
    return `${previous.name} succeeded for commit ${short}, but not ${formatDuration(soakMs)} ago (the soak): ${roughDuration(r.soakLeftMs)} left after waiting ${after}${clusters}; promote later or raise timeout`;
  if (r.state === 'pending')
    return `${previous.name} is still pending for commit ${short} after ${after}: ${describeState(r)}; raise timeout or look at the ${previous.name} run`;
  const silent = r.clusters.filter((c) => c.state === 'missing');
  if (silent.length && r.statuses.length)
    return `${previous.name} has no result from ${silent.map((c) => `cluster ${c.id}`).join(', ')} for commit ${short} after ${after}${clusters}: every cluster that reported on earlier commits must report here; is its Flux running?`;
  return `${previous.name} has no result for commit ${short} after ${after}: was ${short} applied to ${previous.name}? (looked for statuses ${patterns.map((p) => p.replaceAll('{env}', previous.name)).join(', ')})${clusters}`;
}

/** The failed status as its service names it (a Flux context carries the cluster id). */
function failedText(s: CommitStatus): string {
  return `${s.context}: ${s.state}${s.description ? ` — ${s.description}` : ''}${s.targetUrl ? ` (${s.targetUrl})` : ''}`;
}
