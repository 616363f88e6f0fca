import { describe, expect, it } from 'vitest';
import { planFingerprint } from '../../src/terraform/fingerprint';
import type { PlanJson, ResourceChangeJson } from '../../src/terraform/plan-json';
import {
  appliedOutputs,
  outputsForDisplay,
  outputValues,
  SENSITIVE_MARKER,
  sensitiveValues,
  summarisePlan,
} from '../../src/terraform/plan-summary';
import { buildSyntheticPlan, syntheticCounts, syntheticPlanJson } from './fixtures/synthetic-plan.mjs';

function change(address: string, actions: string[], extra: Partial<ResourceChangeJson['change']> = {}) {
  return {
    address,
    mode: 'managed' as const,
    type: 'terraform_data',
    name: address.split('.')[1] ?? address,
    change: { actions, before: null, after: {}, after_unknown: {}, ...extra },
  };
}

describe('summarisePlan', () => {
  it('counts a replacement (either order) as replace only', () => {
    const plan: PlanJson = {
      resource_changes: [
        change('terraform_data.a', ['create']),
        change('terraform_data.b', ['delete', 'create']),
        change('terraform_data.c', ['create', 'delete']),
        change('terraform_data.d', ['update']),
        change('terraform_data.e', ['delete']),
        change('terraform_data.f', ['no-op']),
        change('data.terraform_remote_state.g', ['read']),
      ],
    };
    const s = summarisePlan(plan);
    expect(s.counts).toEqual({ add: 1, change: 1, destroy: 1, replace: 2 });
    expect(s.hasChanges).toBe(true);
    expect(s.resources.map((r) => `${r.action} ${r.address}`)).toEqual([
      'read data.terraform_remote_state.g',
      'create terraform_data.a',
      'replace terraform_data.b',
      'replace terraform_data.c',
      'update terraform_data.d',
      'delete terraform_data.e',
    ]);
  });

  it('shows moves and imports, which are no-ops with something to do', () => {
    const moved = { ...change('terraform_data.new', ['no-op']), previous_address: 'terraform_data.old' };
    const imported = change('terraform_data.imp', ['no-op'], { importing: { id: 'x' } });
    const s = summarisePlan({ resource_changes: [moved, imported] });
    expect(s.counts).toEqual({ add: 0, change: 0, destroy: 0, replace: 0 });
    expect(s.hasChanges).toBe(true);
    expect(s.resources).toEqual([
      { address: 'terraform_data.imp', action: 'import' },
      { address: 'terraform_data.new', action: 'move', previousAddress: 'terraform_data.old' },
    ]);
  });

  it('treats an output-only change as a change, and an empty plan as none', () => {
    expect(summarisePlan({}).hasChanges).toBe(false);
    const s = summarisePlan({
      output_changes: { v: { actions: ['create'], before: null, after: 1, after_unknown: false } },
      planned_values: { outputs: { v: { sensitive: false, value: 1 } } },
    });
    expect(s.hasChanges).toBe(true);
    expect(s.outputs).toEqual([{ name: 'v', sensitive: false, known: true, value: 1, action: 'create' }]);
  });

  it('keeps sensitive outputs out of what is shown, and lists their values for masking', () => {
    const outputs = appliedOutputs({
      plain: { sensitive: false, value: 'hello' },
      password: { sensitive: true, value: 'p4ss-w0rd' },
      cert: { sensitive: true, value: '-----BEGIN-----\nMIIBxyz\n-----END-----' },
      nested: { sensitive: true, value: { user: 'admin-x', port: 5432, tls: true } },
    });
    expect(outputsForDisplay(outputs)).toEqual({
      cert: SENSITIVE_MARKER,
      nested: SENSITIVE_MARKER,
      password: SENSITIVE_MARKER,
      plain: 'hello',
    });
    expect(outputValues(outputs)).toMatchObject({ password: 'p4ss-w0rd', plain: 'hello' });
    const secrets = sensitiveValues(outputs);
    expect(secrets).toEqual(
      expect.arrayContaining([
        'p4ss-w0rd',
        '-----BEGIN-----\nMIIBxyz\n-----END-----',
        'MIIBxyz',
        'admin-x',
        '5432',
        JSON.stringify({ user: 'admin-x', port: 5432, tls: true }),
      ]),
    );
    expect(secrets).not.toContain('hello');
    expect(secrets).not.toContain('true');
  });

  it('summarises the synthetic plan with the counts it was built with', () => {
    const s = summarisePlan(syntheticPlanJson({ resources: 500 }));
    expect(s.counts).toEqual(syntheticCounts(500));
    expect(s.resources).toHaveLength(400);
    const addresses = s.resources.map((r) => r.address);
    expect(addresses).toEqual([...addresses].sort());
    expect(sensitiveValues(s.outputs)).toEqual(['hunter2-synthetic']);
  });

  // How fast is measured by `npm run bench` against JSON.parse, not here: a test must not hang on the
  // machine's speed.
  it('summarises a 10,000-resource plan', () => {
    const s = summarisePlan(syntheticPlanJson({ resources: 10_000 }));
    expect(s.counts).toEqual(syntheticCounts(10_000));
  });
});

describe('planFingerprint', () => {
  it('ignores what varies between two plans of the same state and configuration', () => {
    const a = buildSyntheticPlan({ resources: 200 });
    const b = buildSyntheticPlan({
      resources: 200,
      timestamp: '2030-06-01T12:00:00Z',
      terraformVersion: '1.11.5',
      serial: 99,
    });
    expect(planFingerprint(b)).toBe(planFingerprint(a));
  });

  it('does not depend on the order of resource changes or of object keys', () => {
    const a = buildSyntheticPlan({ resources: 50 });
    const b = buildSyntheticPlan({ resources: 50 });
    b.resource_changes.reverse();
    const first = b.resource_changes[0].change.after;
    b.resource_changes[0].change.after = Object.fromEntries(Object.entries(first).reverse());
    expect(planFingerprint(b)).toBe(planFingerprint(a));
  });

  it('changes with any planned change: a value, an action, an address, an output', () => {
    const base = planFingerprint(buildSyntheticPlan({ resources: 50 }));
    const value = buildSyntheticPlan({ resources: 50 });
    value.resource_changes[0].change.after.name = 'other';
    const action = buildSyntheticPlan({ resources: 50 });
    action.resource_changes[4].change.actions = ['delete', 'create'];
    const address = buildSyntheticPlan({ resources: 50 });
    address.resource_changes[1].address = 'terraform_data.renamed';
    const output = buildSyntheticPlan({ resources: 50 });
    output.output_changes.instance_ids.actions = ['delete'];
    const fingerprints = [value, action, address, output].map(planFingerprint);
    expect(new Set([base, ...fingerprints]).size).toBe(5);
  });

  it('leaves out no-op resources, and hashes unknown and sensitive values as markers', () => {
    const plan = buildSyntheticPlan({ resources: 50 });
    const before = planFingerprint(plan);
    // A no-op resource whose refreshed values differ: nothing would be applied, same fingerprint.
    const noop = plan.resource_changes.find((r: ResourceChangeJson) => r.change.actions[0] === 'no-op');
    noop.change.after.name = 'refreshed';
    expect(planFingerprint(plan)).toBe(before);
    // A sensitive value is not hashed by value: the fingerprint is public, the secret is not.
    plan.resource_changes[0].change.after.password = 'another secret';
    expect(planFingerprint(plan)).toBe(before);
    // An unknown value turning known is a different plan.
    plan.resource_changes[0].change.after.id = 'now-known';
    delete plan.resource_changes[0].change.after_unknown.id;
    expect(planFingerprint(plan)).not.toBe(before);
  });
});
