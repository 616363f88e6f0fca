import type { PlanJson, ResourceChangeJson } from './plan-json';
import { resourceAction, SENSITIVE_MARKER, UNKNOWN_MARKER } from './plan-summary';

/** One attribute a resource change sets, changes or removes, for reviewers. */
export interface AttributeChange {
  /** Dotted path: `tags.team`, `ingress[0].port`. */
  path: string;
  /** Shown text; absent when the attribute did not exist before (or will not after). */
  before?: string;
  after?: string;
  /** Terraform's `replace_paths` names it: this attribute forces the replacement. */
  forcesReplacement?: boolean;
}

export interface ResourceAttributes {
  address: string;
  action: string;
  attributes: AttributeChange[];
  /** Attributes left out to keep one resource readable. */
  omitted: number;
}

const MAX_DEPTH = 4;
const MAX_VALUE = 120;
const MAX_PER_RESOURCE = 40;

/**
 * What each changed resource does attribute by attribute, in plan order: values Terraform marks sensitive
 * become a marker, values known only after apply say so. Deletions list nothing (the whole object goes).
 */
export function attributeChanges(plan: PlanJson, limit = 300): ResourceAttributes[] {
  const found: ResourceAttributes[] = [];
  for (const rc of plan.resource_changes ?? []) {
    // A comment shows a few hundred resources at most: a huge plan costs no more than that.
    if (found.length >= limit) break;
    const action = resourceAction(rc);
    if (action === 'no-op' || action === 'delete' || action === 'read' || rc.mode === 'data') continue;
    const attributes = diffResource(rc);
    if (attributes.length === 0) continue;
    const omitted = Math.max(0, attributes.length - MAX_PER_RESOURCE);
    found.push({ address: rc.address, action, attributes: attributes.slice(0, MAX_PER_RESOURCE), omitted });
  }
  return found.sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
}

function diffResource(rc: ResourceChangeJson): AttributeChange[] {
  const c = rc.change;
  const before = flatten(c.before, c.before_sensitive, undefined);
  const after = flatten(c.after, c.after_sensitive, c.after_unknown);
  const forcing = new Set(c.replace_paths?.map(pathText) ?? []);
  const paths = [...new Set([...before.keys(), ...after.keys()])].sort();
  const changes: AttributeChange[] = [];
  for (const path of paths) {
    const b = before.get(path);
    const a = after.get(path);
    // Compared by value, shown by text: a sensitive value that changes is still listed, as the marker.
    if (b?.raw === a?.raw && b?.text === a?.text) continue;
    const change: AttributeChange = { path };
    if (b !== undefined) change.before = b.text;
    if (a !== undefined) change.after = a.text;
    if (forcing.has(path) || [...forcing].some((f) => path.startsWith(`${f}.`) || path.startsWith(`${f}[`)))
      change.forcesReplacement = true;
    changes.push(change);
  }
  return changes;
}

/** Leaf paths → shown text. Sensitive or unknown subtrees collapse into one marker at their root. */
function flatten(value: unknown, sensitive: unknown, unknown: unknown): Map<string, Leaf> {
  const out = new Map<string, Leaf>();
  const walk = (v: unknown, s: unknown, u: unknown, path: string, depth: number): void => {
    const at = path || '(whole object)';
    if (s === true) return void out.set(at, { text: SENSITIVE_MARKER, raw: JSON.stringify(v) ?? '' });
    if (u === true) return void out.set(at, { text: UNKNOWN_MARKER, raw: UNKNOWN_MARKER });
    const nested = v !== null && typeof v === 'object';
    if (!nested || depth >= MAX_DEPTH) {
      if (v !== null && v !== undefined && path)
        out.set(path, { text: shown(v), raw: JSON.stringify(v) ?? '' });
      return;
    }
    const entries = Array.isArray(v) ? v.map((x, i) => [i, x] as const) : Object.entries(v);
    const keys = new Set<string | number>(entries.map(([k]) => k));
    // An attribute unknown after apply may be absent from `after`: walk the unknown tree's keys too.
    if (u && typeof u === 'object')
      for (const k of Object.keys(u)) keys.add(Array.isArray(u) ? Number(k) : k);
    for (const k of keys) {
      const child = typeof k === 'number' ? `${path}[${k}]` : path ? `${path}.${k}` : k;
      walk(pick(v, k), pick(s, k), pick(u, k), child, depth + 1);
    }
  };
  walk(value, sensitive, unknown, '', 0);
  return out;
}

interface Leaf {
  text: string;
  raw: string;
}

function pick(v: unknown, k: string | number): unknown {
  if (v === null || typeof v !== 'object') return undefined;
  return (v as Record<string | number, unknown>)[k];
}

function shown(v: unknown): string {
  const text = JSON.stringify(v) ?? String(v);
  return text.length > MAX_VALUE ? `${text.slice(0, MAX_VALUE - 1)}…` : text;
}

function pathText(steps: unknown[]): string {
  return steps.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? String(p) : `.${p}`)).join('');
}

/** A `diff` block per resource, Terraform's way round: `-` what goes, `+` what comes. */
export function attributeDiffText(r: ResourceAttributes): string {
  const lines = [`# ${r.address}: ${r.action}`];
  for (const a of r.attributes) {
    const why = a.forcesReplacement ? '  # forces replacement' : '';
    if (a.before !== undefined) lines.push(`- ${a.path} = ${a.before}${a.after === undefined ? why : ''}`);
    if (a.after !== undefined) lines.push(`+ ${a.path} = ${a.after}${why}`);
  }
  if (r.omitted) lines.push(`  … ${r.omitted} more attributes`);
  return lines.join('\n');
}
