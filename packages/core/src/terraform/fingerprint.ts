import { createHash } from 'node:crypto';
import type { ChangeJson, PlanJson } from './plan-json';

// Markers cannot collide with values: canonical JSON never starts a value with `#`.
const UNKNOWN = '#unknown';
const SENSITIVE = '#sensitive';

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
 */
export function planFingerprint(plan: PlanJson): string {
  const entries: { key: string; text: string }[] = [];
  for (const rc of plan.resource_changes ?? []) {
    const c = rc.change;
    if (isNoOp(c) && !rc.previous_address && !c.importing) continue;
    const key = `${rc.address}\u0000${rc.deposed ?? ''}`;
    const text = [
      'resource',
      JSON.stringify(rc.address),
      JSON.stringify(rc.previous_address ?? null),
      JSON.stringify(rc.deposed ?? null),
      JSON.stringify(c.importing?.id ?? null),
      c.actions.join(','),
      canonical(c.before, undefined, c.before_sensitive),
      canonical(c.after, c.after_unknown, c.after_sensitive),
    ].join('|');
    entries.push({ key, text });
  }
  entries.sort(byKey);
  const outputs: { key: string; text: string }[] = [];
  for (const [name, c] of Object.entries(plan.output_changes ?? {})) {
    if (isNoOp(c)) continue;
    const text = [
      'output',
      JSON.stringify(name),
      c.actions.join(','),
      canonical(c.before, undefined, c.before_sensitive),
      canonical(c.after, c.after_unknown, c.after_sensitive),
    ].join('|');
    outputs.push({ key: name, text });
  }
  outputs.sort(byKey);
  const hash = createHash('sha256');
  hash.update('gitops-promote plan fingerprint v1\n');
  for (const e of entries) hash.update(`${e.text}\n`);
  for (const e of outputs) hash.update(`${e.text}\n`);
  return hash.digest('hex');
}

function isNoOp(c: ChangeJson): boolean {
  return c.actions.length === 1 && c.actions[0] === 'no-op';
}

function byKey(a: { key: string }, b: { key: string }): number {
  // Code-unit order, not localeCompare: the same on every machine, and much faster.
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}

/** Canonical JSON of `value` with unknown and sensitive parts replaced by markers; keys sorted. */
function canonical(value: unknown, unknown: unknown, sensitive: unknown): string {
  if (sensitive === true) return SENSITIVE;
  if (unknown === true) return UNKNOWN;
  if (Array.isArray(value) || Array.isArray(unknown)) {
    const v = Array.isArray(value) ? value : [];
    const u = Array.isArray(unknown) ? unknown : [];
    const s = Array.isArray(sensitive) ? sensitive : [];
    const n = Math.max(v.length, u.length);
    const parts: string[] = [];
    for (let i = 0; i < n; i++) parts.push(canonical(v[i], u[i], s[i]));
    return `[${parts.join(',')}]`;
  }
  const vObj = isObject(value) ? value : undefined;
  const uObj = isObject(unknown) ? unknown : undefined;
  if (vObj || (uObj && value === undefined)) {
    const sObj = isObject(sensitive) ? sensitive : undefined;
    const keys = vObj ? Object.keys(vObj) : [];
    // An attribute known only after apply is absent from `after` and `true` in `after_unknown`.
    if (uObj) for (const k in uObj) if (uObj[k] === true && !(vObj && Object.hasOwn(vObj, k))) keys.push(k);
    keys.sort();
    const parts: string[] = [];
    for (const k of keys)
      parts.push(`${JSON.stringify(k)}:${canonical(own(vObj, k), own(uObj, k), own(sObj, k))}`);
    return `{${parts.join(',')}}`;
  }
  return value === undefined ? 'null' : JSON.stringify(value);
}

/** A property of parsed JSON, never one inherited from Object.prototype (`constructor`, `toString`). */
function own(o: Record<string, unknown> | undefined, k: string): unknown {
  return o && Object.hasOwn(o, k) ? o[k] : undefined;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
