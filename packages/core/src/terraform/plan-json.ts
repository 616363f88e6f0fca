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

/** Parses plan JSON; a clear error when the tool printed something else. */
export function parsePlanJson(text: string): PlanJson {
  const data = parseJson(text, 'show -json');
  if (!data || typeof data !== 'object' || Array.isArray(data))
    throw new GitopsError('show -json did not print a plan object');
  return data as PlanJson;
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
