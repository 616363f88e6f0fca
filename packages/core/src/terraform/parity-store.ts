import type { GitProvider, NewStatus } from '../provider';
import { type ParityRecord, recordHash } from './parity';

/**
 * Where parity records travel (see ARCHITECTURE.md, "Parity records"): the commit status
 * `gitops-promote/<env>/parity` on the recorded commit carries `rec:<hash> <kind> <n> resources`, and the
 * record itself is one JSON file on the branch `gitops-promote/parity/<env>`, a single commit on top of the
 * recorded commit, force-moved by each write: the branch never grows, and the file keeps the newest
 * RECORDS_KEPT records of the environment, so a later environment planning a commit a little behind still
 * finds it. The hash in the status ties the file's record to the commit and says it is the newest one.
 */
export const RECORDS_KEPT = 5;
export const PARITY_FILE = '.gitops-promote/parity.json';

export function parityStatusContext(environment: string): string {
  return `gitops-promote/${environment}/parity`;
}

export function parityBranch(environment: string): string {
  return `gitops-promote/parity/${environment}`;
}

interface StoredFile {
  version: 1;
  environment: string;
  records: ParityRecord[];
}

/** The records of an environment's file (newest first); none for a missing or unreadable file. */
export function parseParityFile(text: string | undefined, environment: string): ParityRecord[] {
  if (!text) return [];
  try {
    const data = JSON.parse(text) as Partial<StoredFile>;
    if (data.version !== 1 || data.environment !== environment || !Array.isArray(data.records)) return [];
    return data.records.filter(
      (r) =>
        r &&
        typeof r.sha === 'string' &&
        (r.kind === 'applied' || r.kind === 'planned') &&
        r.resources &&
        typeof r.resources === 'object',
    );
  } catch {
    return [];
  }
}

/** The file with `record` first, replacing an earlier one for the same commit, keeping RECORDS_KEPT. */
export function withRecord(records: ParityRecord[], record: ParityRecord): string {
  const kept = [record, ...records.filter((r) => r.sha !== record.sha)].slice(0, RECORDS_KEPT);
  const file: StoredFile = { version: 1, environment: record.environment, records: kept };
  return `${JSON.stringify(file)}\n`;
}

/** `rec:0123456789abcdef applied 12 resources` */
export function recordStatusDescription(r: ParityRecord): string {
  return `rec:${recordHash(r)} ${r.kind} ${Object.keys(r.resources).length} resources`;
}

export function parseRecordStatus(description: string): { hash: string; kind: string } | undefined {
  const m = /^rec:([0-9a-f]{16}) (applied|planned)\b/.exec(description);
  return m ? { hash: m[1]!, kind: m[2]! } : undefined;
}

/** The records on the environment's branch (newest first): read while Terraform plans, used after it. */
export async function readRecords(provider: GitProvider, environment: string): Promise<ParityRecord[]> {
  const head = await provider.branchSha(parityBranch(environment));
  if (!head) return [];
  return parseParityFile(await provider.readFile(PARITY_FILE, head), environment);
}

/**
 * Writes `record` unless the environment already has an applied record for the commit and this one is
 * only planned (what was applied is what counts). Returns false when it kept the existing record.
 */
export async function writeParityRecord(provider: GitProvider, record: ParityRecord): Promise<boolean> {
  if (!(await commitParityRecord(provider, record))) return false;
  await provider.setStatus(record.sha, parityStatus(record));
  return true;
}

/**
 * The first half of writeParityRecord: the record on the branch, without its status (which a caller sends
 * along with its own statuses, after this). `records`: the branch's records when already read.
 */
export async function commitParityRecord(
  provider: GitProvider,
  record: ParityRecord,
  records?: Promise<ParityRecord[]>,
): Promise<boolean> {
  const current = await (records ?? readRecords(provider, record.environment));
  const existing = current.find((r) => r.sha === record.sha);
  if (existing?.kind === 'applied' && record.kind === 'planned') return false;
  await provider.commitFiles({
    branch: parityBranch(record.environment),
    base: record.sha,
    // [skip ci]: the record is no change anyone should build or plan.
    message: `gitops-promote: parity record of ${record.environment} (${record.kind}) [skip ci]`,
    files: [{ path: PARITY_FILE, content: withRecord(current, record) }],
    force: true,
  });
  return true;
}

/** The status that names the newest record of the environment on the recorded commit. */
export function parityStatus(record: ParityRecord): NewStatus {
  return {
    context: parityStatusContext(record.environment),
    state: 'success',
    description: recordStatusDescription(record),
  };
}

/** The record of `environment` for `sha`, or why there is none. */
export async function readParityRecord(
  provider: GitProvider,
  environment: string,
  sha: string,
): Promise<ParityRecord | string> {
  const context = parityStatusContext(environment);
  const status = (await provider.listStatuses(sha)).find((s) => s.context === context);
  const stamp = status && parseRecordStatus(status.description);
  const short = sha.slice(0, 12);
  if (!stamp)
    return `${environment} has no parity record for ${short} (no ${context} status): plan or apply ${environment} for this commit first`;
  const record = (await readRecords(provider, environment)).find((r) => r.sha === sha);
  if (!record)
    return `the parity record of ${environment} for ${short} is no longer on the branch ${parityBranch(environment)} (it keeps the newest ${RECORDS_KEPT})`;
  if (recordHash(record) !== stamp.hash)
    return `the parity record of ${environment} for ${short} does not match its status ${context} (written again since?)`;
  return record;
}
