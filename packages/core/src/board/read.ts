import type { Config, Environment } from '../config/model';
import { environmentResult, type GateState } from '../gate/commit';
import type { CommitStatus, GitProvider, TagRef } from '../provider';
import { compileGlob, deployTagProblem } from '../refs';
import type { BoardEnvironment, BoardState, Waiting } from './model';
import { type BoardSignals, SIGNALS } from './signals';

/**
 * How many of an environment's newest deploy tags the board reads statuses for, looking for the newest
 * one it applied successfully. Deploy tags are listed once per environment (one listing, however many
 * tags); statuses are read for at most this many commits, so the board does not grow with history.
 */
export const MAX_TAGS_READ = 5;

/** Where an environment is: the commit it runs and the newest attempt. */
export interface Position {
  env: Environment;
  sha: string;
  ref: string;
  state: BoardState;
  /** The commit it runs was applied successfully (the state may still be a newer attempt's). */
  applied: boolean;
  statuses: CommitStatus[];
  /** The matching statuses that decided the state. */
  deciding: CommitStatus[];
  attempt?: { sha: string; ref: string; state: BoardState; deciding: CommitStatus[] };
  /** Tag environments: every deploy tag of the environment, newest name first. */
  tags?: TagRef[];
  /** Tag environments: the state of each tag read. */
  tagStates: Map<string, BoardState>;
  description: string;
}

export interface ReadOptions {
  now: Date;
  /** XKS groups whose Flux kustomizations (`kustomization/{group}-{env}`) count. */
  groups: string[];
}

/** Reads statuses once per commit. */
export class StatusCache {
  readonly #seen = new Map<string, Promise<CommitStatus[]>>();
  constructor(private readonly provider: GitProvider) {}
  of(sha: string): Promise<CommitStatus[]> {
    let p = this.#seen.get(sha);
    if (!p) {
      p = this.provider.listStatuses(sha);
      this.#seen.set(sha, p);
    }
    return p;
  }
  get reads(): number {
    return this.#seen.size;
  }
}

/** check-previous-env's rule, over every group's Flux kustomization as well. */
export function resultOf(
  statuses: readonly CommitStatus[],
  env: Environment,
  config: Config,
  groups: readonly string[],
): { state: GateState; deciding: CommitStatus[] } {
  const byContext = new Map<string, CommitStatus>();
  for (const g of [undefined, ...groups])
    for (const s of environmentResult(statuses, env, config.status.contexts, g).statuses)
      byContext.set(s.context, s);
  const mine = [...byContext.values()];
  const has = (...states: string[]) => mine.some((s) => states.includes(s.state));
  let state: GateState = 'missing';
  if (has('failure', 'error')) state = 'failure';
  else if (has('pending')) state = 'pending';
  else if (has('success')) state = 'success';
  return { state, deciding: mine };
}

/** The deploy tags of a tag environment that gitops-promote could have made, newest name first. */
async function deployTags(provider: GitProvider, env: Environment): Promise<TagRef[]> {
  const glob = (env.on as { tag: string }).tag;
  const matches = compileGlob(glob);
  const tags = await provider.listTags(glob.split(/[*?[]/)[0] ?? '');
  return tags
    .filter((t) => matches(t.name) && !deployTagProblem(t.name))
    .sort((a, b) => b.name.localeCompare(a.name));
}

async function tagPosition(
  provider: GitProvider,
  cache: StatusCache,
  config: Config,
  env: Environment,
  o: ReadOptions,
): Promise<Position> {
  const tags = await deployTags(provider, env);
  const tagStates = new Map<string, BoardState>();
  const base = { env, tags, tagStates };
  if (!tags.length)
    return {
      ...base,
      sha: '',
      ref: '',
      state: 'never',
      applied: false,
      statuses: [],
      deciding: [],
      description: `never deployed: no deploy tag matching ${(env.on as { tag: string }).tag}`,
    };
  let attempt: Position['attempt'];
  for (const tag of tags.slice(0, MAX_TAGS_READ)) {
    const statuses = await cache.of(tag.sha);
    const r = resultOf(statuses, env, config, o.groups);
    tagStates.set(tag.name, r.state);
    const here = { sha: tag.sha, ref: tag.name, state: r.state as BoardState, deciding: r.deciding };
    attempt ??= here;
    if (r.state !== 'success') continue;
    // It runs the newest success; its state is the newest attempt's (a failed deploy tag shows red).
    const newer = attempt.sha === tag.sha ? undefined : attempt;
    return {
      ...base,
      ...here,
      applied: true,
      statuses,
      state: newer?.state ?? 'success',
      deciding: newer?.deciding ?? r.deciding,
      ...(newer ? { attempt: newer } : {}),
      description: newer
        ? `${newer.ref}: ${describe(newer.deciding) || 'no result'}; runs ${tag.name}`
        : describe(r.deciding),
    };
  }
  const newest = attempt!;
  return {
    ...base,
    ...newest,
    applied: false,
    statuses: await cache.of(newest.sha),
    description: `no success among the newest ${Math.min(tags.length, MAX_TAGS_READ)} deploy tags; ${describe(newest.deciding) || 'no result'}`,
  };
}

async function branchPosition(
  provider: GitProvider,
  cache: StatusCache,
  config: Config,
  env: Environment,
  branch: string,
  o: ReadOptions,
): Promise<Position> {
  const sha = await provider.branchSha(branch);
  const base = { env, ref: branch, tagStates: new Map<string, BoardState>() };
  if (!sha)
    return {
      ...base,
      sha: '',
      state: 'never',
      applied: false,
      statuses: [],
      deciding: [],
      description: `never deployed: there is no branch ${branch}`,
    };
  const statuses = await cache.of(sha);
  const r = resultOf(statuses, env, config, o.groups);
  const state = r.state;
  return {
    ...base,
    sha,
    state,
    applied: state === 'success',
    statuses,
    deciding: r.deciding,
    description: describe(r.deciding),
  };
}

/** Where each environment is. XKS keeps every environment on the main branch (one folder each). */
export async function readPositions(
  provider: GitProvider,
  cache: StatusCache,
  config: Config,
  o: ReadOptions,
): Promise<Position[]> {
  const out: Position[] = [];
  for (const env of config.environments) {
    const branch =
      'branch' in env.on ? env.on.branch : config.format === 'gitops-promotion' ? config.mainBranch : '';
    out.push(
      branch
        ? await branchPosition(provider, cache, config, env, branch, o)
        : await tagPosition(provider, cache, config, env, o),
    );
  }
  return out;
}

export function describe(statuses: readonly CommitStatus[]): string {
  return statuses
    .map((s) => `${s.context}: ${s.state}${s.description ? ` — ${s.description}` : ''}`)
    .join('; ');
}

export function newest(statuses: readonly CommitStatus[]): string {
  const times = statuses.map((s) => s.createdAt).filter((t) => !Number.isNaN(Date.parse(t)));
  return times.sort().at(-1) ?? '';
}

/** Commits applied in the previous environment and not here yet, with why. */
export async function waitingFor(
  provider: GitProvider,
  config: Config,
  here: Position,
  previous: Position | undefined,
  signals: BoardSignals,
  now: Date,
): Promise<Waiting[]> {
  if (!previous?.applied || previous.sha === here.sha) return [];
  const sha = previous.sha;
  const ref = previous.ref;
  const short = sha.slice(0, 12);
  if ('branch' in here.env.on && here.sha) {
    if (config.format === 'gitops-promotion') return [];
    if (await provider.isAncestor(sha, here.env.on.branch)) return [];
  }
  const tag = here.tags?.find((t) => t.sha === sha);
  const tagState = tag && here.tagStates.get(tag.name);
  if (tag && tagState === 'success') return [];
  if (tag && (tagState === 'pending' || tagState === 'missing'))
    return [
      { sha, ref, reason: 'pending', detail: `${tag.name} on ${short}: the gate or the apply is pending` },
    ];
  if (tag && tagState === 'failure')
    return [{ sha, ref, reason: 'failed', detail: `${tag.name} on ${short} failed in ${here.env.name}` }];
  if (tag) return [];
  const held = await heldBy(config, here, previous, signals, now);
  if (held) return [{ sha, ref, ...held }];
  const how =
    'branch' in here.env.on
      ? `not merged into ${here.env.on.branch} yet`
      : `no ${here.env.on.tag} tag on ${short} yet`;
  return [{ sha, ref, reason: 'no-tag', detail: how }];
}

/** Freeze, soak and parity, when their signals know: the most blocking first. */
async function heldBy(
  config: Config,
  here: Position,
  previous: Position,
  signals: BoardSignals,
  now: Date,
): Promise<Pick<Waiting, 'reason' | 'detail'> | undefined> {
  const frozen = await signals.freeze(config, here.env, now);
  if (frozen) return { reason: 'frozen', detail: frozen };
  const soaking = await signals.soak(config, newest(previous.deciding), now);
  if (soaking) return { reason: 'soaking', detail: soaking };
  const observed = { env: here.env, previous: previous.env, sha: previous.sha, statuses: previous.statuses };
  if ((await signals.parity(config, observed)) === 'differs')
    return {
      reason: 'parity-differs',
      detail: `${here.env.name}'s plan differs from ${previous.env.name}'s`,
    };
  return undefined;
}

/** The board rows of the chosen environments (the others are read too: a row needs its predecessor). */
export async function readEnvironments(
  provider: GitProvider,
  config: Config,
  chosen: ReadonlySet<string>,
  o: ReadOptions,
  signals: BoardSignals = SIGNALS,
): Promise<BoardEnvironment[]> {
  const positions = await readPositions(provider, new StatusCache(provider), config, o);
  const rows: BoardEnvironment[] = [];
  for (const p of positions) {
    if (!chosen.has(p.env.name)) continue;
    const previous = positions[p.env.index - 1];
    const observed = { env: p.env, previous: previous?.env, sha: p.sha, statuses: p.statuses };
    const frozen = await signals.freeze(config, p.env, o.now);
    rows.push({
      environment: p.env.name,
      sha: p.sha,
      ref: p.ref,
      state: p.state,
      since: newest(p.deciding),
      description: p.description,
      parity: await signals.parity(config, observed),
      drift: p.sha ? signals.drift(observed) : 'unknown',
      freeze: frozen === undefined ? 'unknown' : frozen ? 'frozen' : 'open',
      ...(p.attempt ? { attempt: { sha: p.attempt.sha, ref: p.attempt.ref, state: p.attempt.state } } : {}),
      waiting: await waitingFor(provider, config, p, previous, signals, o.now),
    });
  }
  return rows;
}
