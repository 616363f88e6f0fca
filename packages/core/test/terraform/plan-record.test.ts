import { describe, expect, it } from 'vitest';
import {
  explainPlanDifference,
  parsePlanStatusDescription,
  planStatusContext,
  planStatusDescription,
  sameFingerprint,
} from '../../src/terraform/plan-record';
import { summarisePlan } from '../../src/terraform/plan-summary';
import { buildSyntheticPlan } from './fixtures/synthetic-plan.mjs';

const FP = 'ab'.repeat(32);

describe('the recorded plan (commit status)', () => {
  it('writes a short description that reads back', () => {
    const counts = { add: 12, change: 3, destroy: 0, replace: 1 };
    const description = planStatusDescription({ fingerprint: FP, counts });
    expect(description).toBe('fp:abababababababab +12 ~3 -0 ±1');
    expect(description.length).toBeLessThanOrEqual(140);
    expect(parsePlanStatusDescription(description)).toEqual({ fingerprint: 'abababababababab', counts });
    expect(planStatusContext('apps')).toBe('gitops-promote/apps/plan');
  });

  it("carries the plan's parity with the previous environment, for the promotion board", () => {
    const counts = { add: 1, change: 0, destroy: 0, replace: 2 };
    const description = planStatusDescription({ fingerprint: FP, counts }, 'differs');
    expect(description).toBe('fp:abababababababab +1 ~0 -0 ±2 parity:differs');
    expect(parsePlanStatusDescription(description)).toEqual({
      fingerprint: 'abababababababab',
      counts,
      parity: 'differs',
    });
  });

  it('ignores descriptions it did not write', () => {
    expect(parsePlanStatusDescription('terraform plan failed with exit code 1')).toBeUndefined();
    expect(parsePlanStatusDescription('fp:xyz +1 ~0 -0 ±0')).toBeUndefined();
    expect(parsePlanStatusDescription('fp:abcdef +1 ~0 -0 ±0')).toBeUndefined();
  });

  it('compares a recorded prefix with a fresh fingerprint', () => {
    expect(sameFingerprint(FP.slice(0, 16), FP)).toBe(true);
    expect(sameFingerprint(FP, FP)).toBe(true);
    expect(sameFingerprint(`${FP.slice(0, 15)}0`, FP)).toBe(false);
    expect(sameFingerprint('', FP)).toBe(false);
  });
});

describe('explainPlanDifference', () => {
  it('lists resources added, removed and with another action', () => {
    const reviewed = summarisePlan({
      resource_changes: [
        { address: 'a.x', change: { actions: ['create'] } },
        { address: 'a.y', change: { actions: ['update'] } },
        { address: 'a.gone', change: { actions: ['delete'] } },
      ],
    });
    const fresh = summarisePlan({
      resource_changes: [
        { address: 'a.x', change: { actions: ['create'] } },
        { address: 'a.y', change: { actions: ['delete', 'create'] } },
        { address: 'a.new', change: { actions: ['create'] } },
      ],
    });
    const lines = explainPlanDifference(reviewed, fresh);
    expect(lines[0]).toMatch(/^reviewed plan: \+1 ~1 -1 ±0 \(fingerprint [0-9a-f]{16}\)$/);
    expect(lines[1]).toMatch(/^fresh plan: {4}\+2 ~0 -0 ±1 /);
    expect(lines.slice(2)).toEqual([
      '+ create a.new (not in the reviewed plan)',
      '~ a.y: update → replace',
      '- delete a.gone (in the reviewed plan, not any more)',
    ]);
  });

  it('says when only the planned values differ', () => {
    const a = summarisePlan(buildSyntheticPlan({ resources: 20, seed: 1 }));
    const b = summarisePlan(buildSyntheticPlan({ resources: 20, seed: 2 }));
    expect(a.fingerprint).not.toBe(b.fingerprint);
    expect(explainPlanDifference(a, b).at(-1)).toMatch(
      /same resources and actions, with different planned values/,
    );
  });

  it('with only the recorded counts, shows them beside what the fresh plan would do, shortened', () => {
    const fresh = summarisePlan(buildSyntheticPlan({ resources: 100 }));
    const lines = explainPlanDifference(
      { fingerprint: FP.slice(0, 16), counts: { add: 1, change: 0, destroy: 0, replace: 0 } },
      fresh,
    );
    expect(lines[0]).toBe('reviewed plan: +1 ~0 -0 ±0 (fingerprint abababababababab)');
    expect(lines[2]).toBe('the fresh plan would:');
    expect(lines.at(-1)).toMatch(/^… and \d+ more$/);
    expect(lines.length).toBeLessThan(40);
  });
});
