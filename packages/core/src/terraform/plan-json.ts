import { GitopsError } from '../errors';

/** The parts of `terraform show -json <planfile>` (format 1.x) this project reads. */
export interface PlanJson {
  format_version?: string;
  terraform_version?: string;
  planned_values?: { outputs?: Record<string, PlannedOutputJson> };
  resource_changes?: ResourceChangeJson[];
  output_changes?: Record<string, ChangeJson>;
  errored?: boolean;
}

export interface PlannedOutputJson {
  sensitive?: boolean;
  type?: unknown;
  /** Absent when the value is known only after apply. */
  value?: unknown;
}

export interface ChangeJson {
  actions: string[];
  before?: unknown;
  after?: unknown;
  /** `true`, or a structure like `after` with `true` where a value is known only after apply. */
  after_unknown?: unknown;
  /** `true`, or a structure like the value with `true` where a value is sensitive. */
  before_sensitive?: unknown;
  after_sensitive?: unknown;
  importing?: { id?: string; identity?: unknown };
  /** Attribute paths whose change forces the replacement. */
  replace_paths?: unknown[][];
}

export interface ResourceChangeJson {
  address: string;
  previous_address?: string;
  module_address?: string;
  mode?: 'managed' | 'data';
  type?: string;
  name?: string;
  index?: unknown;
  /** Set for a deposed object (a replacement left half-done). */
  deposed?: string;
  action_reason?: string;
  change: ChangeJson;
}

/** `terraform output -json`. */
export type OutputsJson = Record<string, { sensitive?: boolean; type?: unknown; value?: unknown }>;

/**
 * Parses plan JSON; a clear error when the tool printed something else. The members this project never
 * reads and that hold most of a plan's bytes (every resource's values, planned and prior) are left
 * unparsed when that provably changes nothing else (see withoutBulk); otherwise the whole text is parsed.
 */
export function parsePlanJson(text: string): PlanJson {
  const data = withoutBulk(text) ?? parseJson(text, 'show -json');
  if (!data || typeof data !== 'object' || Array.isArray(data))
    throw new GitopsError('show -json did not print a plan object');
  return data as PlanJson;
}

/** The members of PlanJson, whose absence after the cuts must be real (a new member fails to compile). */
const READ = [
  'format_version',
  'terraform_version',
  'planned_values',
  'resource_changes',
  'output_changes',
  'errored',
] as const satisfies readonly (keyof PlanJson)[];
const everyMemberRead: Exclude<keyof PlanJson, (typeof READ)[number]> extends never ? true : never = true;
void everyMemberRead;

/**
 * The plan parsed with two spans of the text replaced by placeholders: planned_values.root_module (to
 * `,"resource_changes":`) and prior_state with what follows it up to `,"timestamp":` (configuration,
 * relevant_attributes, checks). Undefined when the text does not have that shape: then all is parsed.
 *
 * Why this reads what JSON.parse of the whole text reads, whatever the values in the plan, for text
 * that Terraform or OpenTofu printed (valid JSON, each top-level member once):
 * - Each span starts right after a key and ends right before `,"<key>":`. A quote after a comma is not
 *   escaped, so these are outside strings, and the parser reads the same tokens after a span as in the
 *   whole text.
 * - The text before the first span is parsed as it is, so the placeholders found at
 *   planned_values.root_module and at the top-level prior_state prove where the spans start.
 * - Between the spans, resource_changes and output_changes are members of one object, from
 *   `resource_changes` to `prior_state`: that can only be the plan itself, because every nested object
 *   in a plan has fixed keys or keys in sorted order (Go sorts map keys, cty sorts attributes), and
 *   "prior_state" sorts first. So both spans end at the top level.
 * - A member read here that a span swallowed (only in an order Terraform never prints) is missing from
 *   the result; a missing one is looked for in the spans, and if found all is parsed.
 * The spans themselves are never read, so they are not validated.
 */
function withoutBulk(text: string): PlanJson | undefined {
  const spans = bulkSpans(text);
  if (!spans) return undefined;
  const [[a1, b1], [a2, b2]] = spans;
  let plan: Record<string, unknown>;
  try {
    plan = JSON.parse(`${text.slice(0, a1)}0}${text.slice(b1, a2)}0${text.slice(b2)}`);
  } catch {
    return undefined;
  }
  const planned = isRecord(plan) ? plan.planned_values : undefined;
  if (!isRecord(planned) || planned.root_module !== 0 || plan.prior_state !== 0) return undefined;
  const swallowed = (key: string) => spans.some(([a, b]) => within(text, `"${key}":`, a, b));
  if (READ.some((k) => !Object.hasOwn(plan, k) && swallowed(k))) return undefined;
  // planned_values.outputs could only follow root_module: in the first span.
  if (!Object.hasOwn(planned, 'outputs') && within(text, '"outputs":', a1, b1)) return undefined;
  delete planned.root_module;
  delete plan.prior_state;
  return plan as PlanJson;
}

/** Where planned_values.root_module's and prior_state's values would be, if the text has Terraform's shape. */
function bulkSpans(text: string): [[number, number], [number, number]] | undefined {
  const planned = text.indexOf('"planned_values":{');
  if (planned < 0) return undefined;
  const rootKey = text.indexOf('"root_module":', planned);
  if (rootKey < 0 || (text[rootKey - 1] !== ',' && text[rootKey - 1] !== '{')) return undefined;
  const a1 = rootKey + '"root_module":'.length;
  const b1 = text.indexOf(',"resource_changes":', a1);
  if (b1 < 0) return undefined;
  const priorKey = text.indexOf(',"prior_state":', b1);
  if (priorKey < 0) return undefined;
  const a2 = priorKey + ',"prior_state":'.length;
  // Up to the timestamp, which only Terraform's own members follow; else to the configuration.
  const timestamp = text.lastIndexOf(',"timestamp":');
  const b2 = timestamp > a2 ? timestamp : text.indexOf(',"configuration":', a2);
  if (b2 < 0) return undefined;
  return [
    [a1, b1],
    [a2, b2],
  ];
}

function within(text: string, pattern: string, from: number, to: number): boolean {
  return text.slice(from, to).includes(pattern);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function parseOutputsJson(text: string): OutputsJson {
  const data = parseJson(text, 'output -json');
  if (!data || typeof data !== 'object' || Array.isArray(data))
    throw new GitopsError('output -json did not print an object of outputs');
  return data as OutputsJson;
}

function parseJson(text: string, command: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    // Neither an excerpt nor JSON.parse's message (which quotes the text): plan JSON holds values in clear.
    throw new GitopsError(`${command} did not print valid JSON (${text.length} characters)`);
  }
}
