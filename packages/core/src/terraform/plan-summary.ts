import { planFingerprint } from './fingerprint';
import {
  type ChangeJson,
  type OutputsJson,
  type PlanJson,
  parsePlanJson,
  type ResourceChangeJson,
} from './plan-json';

/** What a plan does to resources. A replacement counts as `replace` only, never as add + destroy. */
export interface PlanCounts {
  add: number;
  change: number;
  destroy: number;
  replace: number;
}

/**
 * `create`, `update`, `delete`, `replace`, `read` (a data source read during apply), `move`, `import`,
 * `forget`; any action Terraform adds later is shown as its actions joined with `+`.
 */
export type ResourceAction = string;

export interface PlannedResource {
  address: string;
  action: ResourceAction;
  previousAddress?: string;
  deposed?: string;
  /** Terraform's `action_reason`, e.g. `replace_because_cannot_update`. */
  reason?: string;
}

/** A Terraform output: planned (from the plan) or applied (from `output -json`). */
export interface TerraformOutput {
  name: string;
  sensitive: boolean;
  /** false while the value is known only after apply. */
  known: boolean;
  value?: unknown;
  /** Planned outputs: `create`, `update`, `delete` or `no-op`. */
  action?: string;
}

export interface PlanSummary {
  counts: PlanCounts;
  /** Any resource or output would change (moves, imports and forgets included). */
  hasChanges: boolean;
  /** Every resource that is not a no-op, sorted by address. */
  resources: PlannedResource[];
  /** Sorted by name. */
  outputs: TerraformOutput[];
  fingerprint: string;
  terraformVersion?: string;
}

/** Marker shown instead of a sensitive value in summaries, comments and logs. */
export const SENSITIVE_MARKER = '(sensitive value)';
export const UNKNOWN_MARKER = '(known after apply)';

/** Summarises `show -json` output in one pass over the resource changes (plus a sort). */
export function summarisePlan(plan: PlanJson | string): PlanSummary {
  const json = typeof plan === 'string' ? parsePlanJson(plan) : plan;
  const counts: PlanCounts = { add: 0, change: 0, destroy: 0, replace: 0 };
  const resources: PlannedResource[] = [];
  for (const rc of json.resource_changes ?? []) {
    const action = resourceAction(rc);
    if (action === 'no-op') continue;
    if (action === 'create') counts.add++;
    else if (action === 'update') counts.change++;
    else if (action === 'delete') counts.destroy++;
    else if (action === 'replace') counts.replace++;
    const r: PlannedResource = { address: rc.address, action };
    if (rc.previous_address && rc.previous_address !== rc.address) r.previousAddress = rc.previous_address;
    if (rc.deposed) r.deposed = rc.deposed;
    if (rc.action_reason) r.reason = rc.action_reason;
    resources.push(r);
  }
  resources.sort(byAddress);
  const outputs = plannedOutputs(json);
  const hasChanges =
    resources.length > 0 || outputs.some((o) => o.action !== undefined && o.action !== 'no-op');
  const summary: PlanSummary = { counts, hasChanges, resources, outputs, fingerprint: planFingerprint(json) };
  if (json.terraform_version) summary.terraformVersion = json.terraform_version;
  return summary;
}

export function resourceAction(rc: ResourceChangeJson): ResourceAction {
  const a = rc.change.actions;
  if (a.length === 2 && a.includes('delete') && a.includes('create')) return 'replace';
  if (a.length === 1) {
    const [only] = a as [string];
    if (only === 'no-op') {
      if (rc.previous_address && rc.previous_address !== rc.address) return 'move';
      if (rc.change.importing) return 'import';
    }
    return only;
  }
  return a.join('+');
}

function byAddress(a: PlannedResource, b: PlannedResource): number {
  if (a.address !== b.address) return a.address < b.address ? -1 : 1;
  const da = a.deposed ?? '';
  const db = b.deposed ?? '';
  return da < db ? -1 : da > db ? 1 : 0;
}

function plannedOutputs(plan: PlanJson): TerraformOutput[] {
  const planned = plan.planned_values?.outputs ?? {};
  const changes = plan.output_changes ?? {};
  const names = new Set([...Object.keys(planned), ...Object.keys(changes)]);
  const outputs: TerraformOutput[] = [];
  for (const name of [...names].sort()) {
    const p = Object.hasOwn(planned, name) ? planned[name] : undefined;
    const c: ChangeJson | undefined = Object.hasOwn(changes, name) ? changes[name] : undefined;
    const sensitive = p?.sensitive === true || c?.after_sensitive === true || c?.before_sensitive === true;
    const o: TerraformOutput = { name, sensitive, known: p !== undefined && 'value' in p };
    if (o.known) o.value = p!.value;
    if (c) o.action = c.actions.length === 2 ? 'replace' : (c.actions[0] ?? 'no-op');
    outputs.push(o);
  }
  return outputs;
}

/** Outputs of an applied state, from `terraform output -json`. */
export function appliedOutputs(json: OutputsJson): TerraformOutput[] {
  return Object.keys(json)
    .sort()
    .map((name) => {
      const o = json[name]!;
      return { name, sensitive: o.sensitive === true, known: 'value' in o, value: o.value };
    });
}

/** The `outputs` step output: known values in clear (the caller masks the sensitive ones with setSecret). */
export function outputValues(outputs: readonly TerraformOutput[]): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const o of outputs) if (o.known && o.action !== 'delete') values[o.name] = o.value;
  return values;
}

/** Outputs for summaries and comments: sensitive values replaced by a marker, unknown ones marked. */
export function outputsForDisplay(outputs: readonly TerraformOutput[]): Record<string, unknown> {
  const shown: Record<string, unknown> = {};
  for (const o of outputs) {
    if (o.action === 'delete') continue;
    shown[o.name] = o.sensitive ? SENSITIVE_MARKER : o.known ? o.value : UNKNOWN_MARKER;
  }
  return shown;
}

/**
 * Every piece of a sensitive output a log could show: strings (and each line of a multi-line string,
 * since log masking works line by line), numbers, and the JSON of structured values. Booleans are left
 * out: masking every `true` would ruin the log and hide nothing.
 */
export function sensitiveValues(outputs: readonly TerraformOutput[]): string[] {
  const found = new Set<string>();
  const walk = (v: unknown): void => {
    if (typeof v === 'string') {
      if (v === '') return;
      found.add(v);
      if (/[\r\n]/.test(v)) for (const line of v.split(/\r?\n/)) if (line.trim()) found.add(line);
    } else if (typeof v === 'number') {
      found.add(String(v));
    } else if (Array.isArray(v)) {
      found.add(JSON.stringify(v));
      v.forEach(walk);
    } else if (v && typeof v === 'object') {
      found.add(JSON.stringify(v));
      Object.values(v).forEach(walk);
    }
  };
  for (const o of outputs) if (o.sensitive && o.known) walk(o.value);
  return [...found];
}

/** `+1 ~0 -0 ±0`: to add, to change, to destroy, to replace. */
export function countsText(c: PlanCounts): string {
  return `+${c.add} ~${c.change} -${c.destroy} ±${c.replace}`;
}
