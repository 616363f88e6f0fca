import { createHash } from 'node:crypto';
import type { PlanJson } from './plan-json';
import { resourceAction } from './plan-summary';

/**
 * Environment parity (Kubestack's second pitfall: environments drifting apart make the first
 * environment's validation worthless). Pure: what an environment did, and how a later one differs.
 */

/** Every managed resource instance in an environment's state or plan → its action (`no-op`: kept as is). */
export type Inventory = Map<string, string>;

export type ParityResult = 'same' | 'differs' | 'unknown';

/** What an environment applied (or, failing that, planned) for one commit. */
export interface ParityRecord {
  environment: string;
  sha: string;
  kind: 'applied' | 'planned';
  /** address → action, sorted by address. */
  resources: Record<string, string>;
}

/** An (address, action) this plan makes that the previous environment did not. */
export interface UnexercisedChange {
  address: string;
  action: string;
  /** What the previous environment did there: its action, `no-op`, or `absent` (it has no such address). */
  previous: string;
}

export interface InventoryDifference {
  address: string;
  /** The environment that has the address (in state or plan); the other has not. */
  onlyIn: string;
}

export interface ParityReport {
  result: ParityResult;
  environment: string;
  previous: string;
  /** Why the result is `unknown`. */
  reason?: string;
  /** The record compared with. */
  record?: { sha: string; kind: ParityRecord['kind'] };
  unexercised: UnexercisedChange[];
  inventory: InventoryDifference[];
  /** Differences left out by parity.ignore. */
  ignored: number;
}

/** Actions that change nothing in the environment: never an unexercised change. */
const QUIET = new Set(['no-op', 'read']);

/** The inventory of a plan: one pass over its resource changes; data sources and deposed objects left out. */
export function planInventory(plan: PlanJson): Inventory {
  const inventory: Inventory = new Map();
  for (const rc of plan.resource_changes ?? []) {
    if (rc.mode === 'data' || rc.deposed) continue;
    inventory.set(rc.address, resourceAction(rc));
  }
  return inventory;
}

export function parityRecord(
  environment: string,
  sha: string,
  kind: ParityRecord['kind'],
  inventory: Inventory,
): ParityRecord {
  const resources: Record<string, string> = {};
  for (const address of [...inventory.keys()].sort()) resources[address] = inventory.get(address)!;
  return { environment, sha, kind, resources };
}

/** 16 hex digits of sha256 over the record's canonical JSON: what the record status carries. */
export function recordHash(r: ParityRecord): string {
  const canonical = JSON.stringify([r.environment, r.sha, r.kind, r.resources]);
  return createHash('sha256').update(canonical).digest('hex').slice(0, 16);
}

/**
 * Compares this environment's plan with the previous environment's record, in time linear in the number
 * of addresses (one map look-up each, and one regular expression test per address for the ignore globs).
 */
export function compareParity(
  environment: string,
  inventory: Inventory,
  previous: ParityRecord,
  ignore: (address: string) => boolean = () => false,
): ParityReport {
  const before = previous.resources;
  const report: ParityReport = {
    result: 'same',
    environment,
    previous: previous.environment,
    record: { sha: previous.sha, kind: previous.kind },
    unexercised: [],
    inventory: [],
    ignored: 0,
  };
  for (const [address, action] of inventory) {
    const was = Object.hasOwn(before, address) ? before[address] : undefined;
    const unexercised = !QUIET.has(action) && was !== action;
    const missing = was === undefined;
    if (!unexercised && !missing) continue;
    if (ignore(address)) {
      report.ignored++;
      continue;
    }
    if (unexercised) report.unexercised.push({ address, action, previous: was ?? 'absent' });
    if (missing) report.inventory.push({ address, onlyIn: environment });
  }
  for (const address of Object.keys(before)) {
    if (inventory.has(address)) continue;
    if (ignore(address)) report.ignored++;
    else report.inventory.push({ address, onlyIn: previous.environment });
  }
  report.inventory.sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
  if (report.unexercised.length || report.inventory.length) report.result = 'differs';
  return report;
}

export function unknownParity(environment: string, previous: string, reason: string): ParityReport {
  return { result: 'unknown', environment, previous, reason, unexercised: [], inventory: [], ignored: 0 };
}

/** Why `glob` is no resource address glob, or undefined. */
export function addressGlobProblem(glob: string): string | undefined {
  if (glob.trim() === '') return 'it is empty';
  if (/[\r\n\0]/.test(glob)) return 'it spans lines';
  return undefined;
}

/**
 * One matcher for all `parity.ignore` globs: `*` is any characters (also `.` and `[`), `?` one; everything
 * else is literal, so `aws_instance.web[0]` and `module.legacy.*` mean what they say.
 */
export function addressMatcher(globs: readonly string[]): (address: string) => boolean {
  if (globs.length === 0) return () => false;
  const alternatives = globs.map((g) =>
    g
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '[^]*')
      .replace(/\?/g, '[^]'),
  );
  const re = new RegExp(`^(?:${alternatives.join('|')})$`);
  return (address) => re.test(address);
}

const MAX_LISTED = 50;

/** The two lists for the job summary and the pull request comment. */
export function renderParity(r: ParityReport): string {
  const title = `#### Parity with ${r.previous}: ${r.result}`;
  if (r.result === 'unknown') return `${title}\n\n${r.reason ?? ''}`;
  const on = r.record ? ` (${r.record.kind} on \`${r.record.sha.slice(0, 12)}\`)` : '';
  const lines = [title, ''];
  if (r.result === 'same')
    lines.push(`${r.environment} makes the changes ${r.previous} made${on}, on the same resources.`);
  lines.push(
    ...list(
      `Unexercised changes: ${r.environment} would do what ${r.previous} did not${on}`,
      r.unexercised.map(
        (u) =>
          `- \`${u.action}\` \`${code(u.address)}\` — ${r.previous}: ${u.previous === 'absent' ? 'no such resource' : u.previous}`,
      ),
    ),
    ...list(
      `Inventory drift: resources in one environment only`,
      r.inventory.map((d) => `- \`${code(d.address)}\` — only in ${d.onlyIn}`),
    ),
  );
  if (r.ignored) lines.push('', `${r.ignored} difference(s) left out by parity.ignore.`);
  return lines.join('\n');
}

/** An address inside a code span: a backtick in a string key cannot close it. */
function code(text: string): string {
  return text.replace(/`/g, "'");
}

function list(heading: string, items: string[]): string[] {
  if (items.length === 0) return [];
  const shown = items.slice(0, MAX_LISTED);
  if (items.length > MAX_LISTED) shown.push(`- … and ${items.length - MAX_LISTED} more`);
  return ['', `${heading} (${items.length}):`, '', ...shown];
}

/** One line for a log or a failure message. */
export function parityHeadline(r: ParityReport): string {
  if (r.result === 'unknown') return `parity with ${r.previous}: unknown (${r.reason})`;
  if (r.result === 'same') return `parity with ${r.previous}: same`;
  const names = (xs: { address: string }[]) =>
    xs
      .slice(0, 5)
      .map((x) => x.address)
      .join(', ') + (xs.length > 5 ? ', …' : '');
  const parts: string[] = [];
  if (r.unexercised.length)
    parts.push(
      `${r.unexercised.length} unexercised change(s): ${r.unexercised
        .slice(0, 5)
        .map((u) => `${u.action} ${u.address} (${r.previous}: ${u.previous})`)
        .join(', ')}${r.unexercised.length > 5 ? ', …' : ''}`,
    );
  if (r.inventory.length) parts.push(`${r.inventory.length} in one environment only: ${names(r.inventory)}`);
  return `${r.environment} differs from ${r.previous}: ${parts.join('; ')}`;
}
