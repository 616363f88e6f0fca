import { countsText, type PlanCounts, type PlannedResource, type PlanSummary } from './plan-summary';

/** How many hex digits of the fingerprint a plan status carries. */
export const RECORDED_FINGERPRINT_LENGTH = 16;

/** The commit status context a plan is recorded under, for review before apply. */
export function planStatusContext(environment: string): string {
  return `gitops-promote/${environment}/plan`;
}

/** The commit status context of an environment's result (what check-previous-env reads). */
export function environmentStatusContext(environment: string): string {
  return `gitops-promote/${environment}`;
}

/** A plan as recorded in its commit status: a fingerprint prefix and the counts. */
export interface RecordedPlan {
  fingerprint: string;
  counts: PlanCounts;
  /** The plan's parity with the previous environment, when it was compared (read by the promotion board). */
  parity?: 'same' | 'differs' | 'unknown';
}

/**
 * `fp:0123456789abcdef +1 ~0 -0 ±2`: 16 hex digits of the fingerprint (64 bits: a different plan with the
 * same prefix cannot be arranged) and the counts, well under GitHub's 140 characters.
 */
export function planStatusDescription(
  summary: Pick<PlanSummary, 'fingerprint' | 'counts'>,
  parity?: RecordedPlan['parity'],
): string {
  const fp = `fp:${summary.fingerprint.slice(0, RECORDED_FINGERPRINT_LENGTH)} ${countsText(summary.counts)}`;
  return parity ? `${fp} parity:${parity}` : fp;
}

const RECORDED =
  /(?:^|\s)fp:([0-9a-f]{16,64})\s+\+(\d+)\s+~(\d+)\s+-(\d+)\s+±(\d+)(?:\s+parity:(same|differs|unknown))?(?:\s|$)/;

/** Reads a description written by planStatusDescription; undefined for anything else. */
export function parsePlanStatusDescription(description: string): RecordedPlan | undefined {
  const m = RECORDED.exec(description);
  if (!m) return undefined;
  const recorded: RecordedPlan = {
    fingerprint: m[1]!,
    counts: { add: Number(m[2]), change: Number(m[3]), destroy: Number(m[4]), replace: Number(m[5]) },
  };
  if (m[6]) recorded.parity = m[6] as RecordedPlan['parity'];
  return recorded;
}

/** Does the fresh plan match the recorded one? The recorded side may hold only a prefix. */
export function sameFingerprint(recorded: string, fresh: string): boolean {
  return recorded.length >= RECORDED_FINGERPRINT_LENGTH && fresh.startsWith(recorded);
}

const MAX_LINES = 30;

/**
 * Says how two plans differ, for the "apply refused" message. With both resource lists: the resources
 * only in one plan and those whose action changed. With only the recorded counts (a commit status):
 * the counts side by side and what the fresh plan would do.
 */
export function explainPlanDifference(recorded: RecordedPlan | PlanSummary, fresh: PlanSummary): string[] {
  const lines: string[] = [
    `reviewed plan: ${countsText(recorded.counts)} (fingerprint ${recorded.fingerprint.slice(0, RECORDED_FINGERPRINT_LENGTH)})`,
    `fresh plan:    ${countsText(fresh.counts)} (fingerprint ${fresh.fingerprint.slice(0, RECORDED_FINGERPRINT_LENGTH)})`,
  ];
  const detail: string[] = [];
  if ('resources' in recorded) {
    const before = byAddress(recorded.resources);
    const after = byAddress(fresh.resources);
    for (const [key, r] of after) {
      const was = before.get(key);
      if (!was) detail.push(`+ ${r.action} ${label(r)} (not in the reviewed plan)`);
      else if (was.action !== r.action) detail.push(`~ ${label(r)}: ${was.action} → ${r.action}`);
    }
    for (const [key, r] of before)
      if (!after.has(key)) detail.push(`- ${r.action} ${label(r)} (in the reviewed plan, not any more)`);
    if (detail.length === 0)
      detail.push(
        'the same resources and actions, with different planned values (a variable, a data source or the state changed)',
      );
  } else {
    if (fresh.resources.length) detail.push('the fresh plan would:');
    for (const r of fresh.resources) detail.push(`  ${r.action} ${label(r)}`);
  }
  if (detail.length > MAX_LINES) {
    const more = detail.length - MAX_LINES;
    detail.length = MAX_LINES;
    detail.push(`… and ${more} more`);
  }
  return [...lines, ...detail];
}

function key(r: PlannedResource): string {
  return r.deposed ? `${r.address} (deposed ${r.deposed})` : r.address;
}

function label(r: PlannedResource): string {
  return r.previousAddress ? `${key(r)} (from ${r.previousAddress})` : key(r);
}

function byAddress(resources: readonly PlannedResource[]): Map<string, PlannedResource> {
  return new Map(resources.map((r) => [key(r), r]));
}
