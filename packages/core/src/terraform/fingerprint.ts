import { createHash, type Hash } from 'node:crypto';
import type { ChangeJson, PlanJson, ResourceChangeJson } from './plan-json';

// Markers cannot collide with values: canonical JSON never starts a value with `#`.
const UNKNOWN = '#unknown';
const SENSITIVE = '#sensitive';
const VERSION = 'gitops-promote plan fingerprint v1\n';

/**
 * sha256 (hex) of what a plan would change: each resource change that is not a no-op (address,
 * previous address, deposed key, actions, before and after values) and each output change, sorted.
 *
 * Left out, because they differ between two plans of the same state and configuration: the plan's
 * timestamp, terraform_version, prior_state (serial, lineage), variables, drift, file paths and
 * applyable/complete. Unchanged (no-op) resources are left out too: their refreshed values may carry
 * attributes that change on every read, and applying them does nothing.
 *
 * Unknown values hash as an "unknown" marker. Sensitive values hash as a "sensitive" marker, not by
 * value: the fingerprint is published in commit statuses, and a digest of a short secret can be
 * guessed. Reviewers never saw those values either; a changed secret still shows as a changed action.
 *
 * Each change is one line of canonical text, written into the hash as soon as it is built (changes are
 * sorted first), so no line outlives its `update`.
 */
export function planFingerprint(plan: PlanJson): string {
  const hash = createHash('sha256');
  hash.update(VERSION);
  keyTexts.clear();
  ownKeysOnly = !enumerableInherited();
  for (const rc of inKeyOrder(plan.resource_changes ?? [])) hashResource(hash, rc);
  const outputs = plan.output_changes ?? {};
  const names = Object.keys(outputs).filter((name) => !isNoOp(outputs[name]!));
  for (const name of names.sort()) hashOutput(hash, name, outputs[name]!);
  keyTexts.clear();
  return hash.digest('hex');
}

/**
 * The changes that are not no-ops, in the code-unit order of `address NUL deposed`, the same on every
 * machine (not localeCompare). Without a NUL in any address that is the order of address, then deposed
 * key, which compares the parsed strings as they are instead of building a key for each change.
 */
function inKeyOrder(changes: readonly ResourceChangeJson[]): ResourceChangeJson[] {
  const kept: ResourceChangeJson[] = [];
  let plain = true;
  for (const rc of changes) {
    if (isNoOp(rc.change) && !rc.previous_address && !rc.change.importing) continue;
    kept.push(rc);
    const { address, deposed } = rc;
    if (typeof address !== 'string' || address.includes('\u0000')) plain = false;
    if (deposed !== undefined && typeof deposed !== 'string') plain = false;
  }
  if (plain) return kept.sort(byAddressThenDeposed);
  const keyed = kept.map((rc) => ({ key: `${rc.address}\u0000${rc.deposed ?? ''}`, rc }));
  return keyed.sort(byKey).map((e) => e.rc);
}

function byAddressThenDeposed(a: ResourceChangeJson, b: ResourceChangeJson): number {
  if (a.address !== b.address) return a.address < b.address ? -1 : 1;
  const da = a.deposed ?? '';
  const db = b.deposed ?? '';
  return da < db ? -1 : da > db ? 1 : 0;
}

function hashResource(hash: Hash, rc: ResourceChangeJson): void {
  const c = rc.change;
  // `?? ''`: undefined (never in parsed JSON) printed as Array.join printed it.
  const head = `resource|${stringify(rc.address) ?? ''}|${stringify(rc.previous_address ?? null)}|${stringify(rc.deposed ?? null)}`;
  hash.update(`${head}|${stringify(c.importing?.id ?? null)}|${c.actions.join(',')}|${values(c)}\n`);
}

function hashOutput(hash: Hash, name: string, c: ChangeJson): void {
  hash.update(`output|${stringify(name)}|${c.actions.join(',')}|${values(c)}\n`);
}

/** `before|after`, canonical. */
function values(c: ChangeJson): string {
  const before = canonical(c.before, undefined, c.before_sensitive) ?? stringify(c.before);
  const after = canonical(c.after, c.after_unknown, c.after_sensitive) ?? stringify(c.after);
  return `${before}|${after}`;
}

function isNoOp(c: ChangeJson): boolean {
  return c.actions.length === 1 && c.actions[0] === 'no-op';
}

function byKey(a: { key: string }, b: { key: string }): number {
  // Code-unit order, not localeCompare: the same on every machine, and much faster.
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}

/**
 * Canonical JSON of `value` with unknown and sensitive parts replaced by markers, keys sorted; or
 * undefined when that is exactly `JSON.stringify(value)` (no marker inside, keys already in order), so
 * that the largest such subtrees are serialised natively in one call each.
 */
function canonical(value: unknown, unknown: unknown, sensitive: unknown): string | undefined {
  if (sensitive === true) return SENSITIVE;
  if (unknown === true) return UNKNOWN;
  if (Array.isArray(value) || Array.isArray(unknown)) return canonicalArray(value, unknown, sensitive);
  if (isObject(value) || (value === undefined && isObject(unknown)))
    return canonicalObject(value, unknown, sensitive);
  return value === undefined ? 'null' : undefined;
}

const EMPTY: readonly unknown[] = [];

function canonicalArray(value: unknown, unknown: unknown, sensitive: unknown): string | undefined {
  const v = Array.isArray(value) ? value : EMPTY;
  const u = Array.isArray(unknown) ? unknown : EMPTY;
  const s = Array.isArray(sensitive) ? sensitive : EMPTY;
  const n = Math.max(v.length, u.length);
  // Unknown elements past the value's end are elements of their own: not what JSON.stringify would print.
  let text: string | undefined = Array.isArray(value) && u.length <= v.length ? undefined : '[';
  for (let i = 0; i < n; i++) {
    const t = canonical(v[i], u[i], s[i]);
    if (text === undefined) {
      if (t === undefined) continue;
      text = `[${v.slice(0, i).map(stringify).join(',')}`;
    }
    text += `${i > 0 ? ',' : ''}${t ?? stringify(v[i])}`;
  }
  return text === undefined ? undefined : `${text}]`;
}

function canonicalObject(value: unknown, unknown: unknown, sensitive: unknown): string | undefined {
  const vObj = isObject(value) ? value : undefined;
  const uObj = isObject(unknown) ? unknown : undefined;
  const sObj = isObject(sensitive) ? sensitive : undefined;
  if (vObj && ownKeysOnly && inOrder(vObj) && !unknownBeside(uObj, vObj)) return inOwnOrder(vObj, uObj, sObj);
  const keys = vObj ? Object.keys(vObj) : [];
  // An attribute known only after apply is absent from `after` and `true` in `after_unknown`.
  if (uObj) for (const k in uObj) if (uObj[k] === true && !(vObj && Object.hasOwn(vObj, k))) keys.push(k);
  sortKeys(keys);
  let text = '{';
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!;
    const t = canonical(own(vObj, k), own(uObj, k), own(sObj, k));
    text += `${i > 0 ? ',' : ''}${keyText(k)}${t ?? stringify(vObj![k])}`;
  }
  return `${text}}`;
}

/**
 * An object whose keys are in order already (Terraform sorts them) and that gains none from
 * `after_unknown`: walked without a key array, and undefined (JSON.stringify) while nothing inside differs.
 */
function inOwnOrder(
  vObj: Record<string, unknown>,
  uObj: Record<string, unknown> | undefined,
  sObj: Record<string, unknown> | undefined,
): string | undefined {
  let text: string | undefined;
  let i = 0;
  for (const k in vObj) {
    const t = canonical(vObj[k], own(uObj, k), own(sObj, k));
    if (text === undefined && t !== undefined) text = `{${firstMembers(vObj, i)}`;
    if (text !== undefined) text += `${i > 0 ? ',' : ''}${keyText(k)}${t ?? stringify(vObj[k])}`;
    i++;
  }
  return text === undefined ? undefined : `${text}}`;
}

/** The first `n` members of an object, as JSON.stringify prints them. */
function firstMembers(o: Record<string, unknown>, n: number): string {
  let text = '';
  let i = 0;
  for (const k in o) {
    if (i === n) break;
    text += `${i > 0 ? ',' : ''}${keyText(k)}${stringify(o[k])}`;
    i++;
  }
  return text;
}

/** Keys in code-unit order (integer-like keys, which objects list first, break it unless alone). */
function inOrder(o: Record<string, unknown>): boolean {
  let previous: string | undefined;
  for (const k in o) {
    if (previous !== undefined && previous > k) return false;
    previous = k;
  }
  return true;
}

/** `after_unknown` names an attribute that `after` lacks: the object gets a member of its own. */
function unknownBeside(uObj: Record<string, unknown> | undefined, vObj: Record<string, unknown>): boolean {
  if (uObj) for (const k in uObj) if (uObj[k] === true && !Object.hasOwn(vObj, k)) return true;
  return false;
}

/**
 * `for…in` lists exactly an object's own keys while nothing has added an enumerable property to
 * Object.prototype; checked at each fingerprint, else every object takes the Object.keys path.
 */
let ownKeysOnly = true;

/** JSON.stringify of a parsed value, without a call into the runtime for the common small ones. */
function stringify(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v === 'string') return ESCAPE.test(v) ? JSON.stringify(v) : `"${v}"`;
  if (typeof v === 'number') return `${v}`;
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  return JSON.stringify(v);
}

// What JSON.stringify escapes in a string: quote, backslash, control characters, lone surrogates.
const ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

/** `"key":`, the same for many objects of a plan: computed once per call of planFingerprint. */
const keyTexts = new Map<string, string>();

function keyText(k: string): string {
  let t = keyTexts.get(k);
  if (t === undefined) {
    t = `${stringify(k)}:`;
    keyTexts.set(k, t);
  }
  return t;
}

/**
 * Code-unit order of distinct keys, as Array.prototype.sort gives it. Few keys are sorted by insertion:
 * the builtin allocates kilobytes of scratch space on every call, which a plan makes thousands of.
 */
function sortKeys(keys: string[]): void {
  if (keys.length > 32) {
    keys.sort();
    return;
  }
  for (let i = 1; i < keys.length; i++) {
    const k = keys[i]!;
    let j = i - 1;
    for (; j >= 0 && keys[j]! > k; j--) keys[j + 1] = keys[j]!;
    keys[j + 1] = k;
  }
}

function enumerableInherited(): boolean {
  for (const _ in {}) return true;
  return false;
}

/** A property of parsed JSON, never one inherited from Object.prototype (`constructor`, `toString`). */
function own(o: Record<string, unknown> | undefined, k: string): unknown {
  return o && Object.hasOwn(o, k) ? o[k] : undefined;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
