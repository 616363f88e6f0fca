import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { GitopsError } from '../../src/errors';
import { type PlanJson, parsePlanJson } from '../../src/terraform/plan-json';
import { summarisePlan } from '../../src/terraform/plan-summary';
import { buildSyntheticPlan } from './fixtures/synthetic-plan.mjs';
import { requireTerraform } from './support';

/** Everything read from a plan (PlanJson), and what the summary makes of it. */
function read(plan: PlanJson) {
  const { format_version, terraform_version, resource_changes, output_changes, errored } = plan;
  const outputs = plan.planned_values?.outputs;
  const summary = summarisePlan(plan);
  return { format_version, terraform_version, outputs, resource_changes, output_changes, errored, summary };
}

/** Parses like terraform-run does, checks it against JSON.parse of the whole text; true when spans were cut. */
function parsedAsWhole(text: string): boolean {
  const plan = parsePlanJson(text);
  expect(read(plan)).toEqual(read(JSON.parse(text) as PlanJson));
  const cut = !('prior_state' in plan);
  expect(cut).toBe(!('root_module' in (plan.planned_values ?? {})));
  return cut;
}

// What Terraform prints for a user's map: keys sorted, quotes and backslashes escaped.
const AWKWARD = {
  '': ',"resource_changes":[],"prior_state":{}',
  'a"b': '},"resource_changes":[{"address":"x"}],"output_changes":{},"prior_state":',
  configuration: { root_module: {} },
  output_changes: { x: { actions: ['create'] } },
  planned_values: { root_module: 0 },
  prior_state: 0,
  resource_changes: [{ address: 'fake.one', change: { actions: ['delete'] } }],
  root_module: '\\"',
  z: ['\\', '"', '\\",\\"prior_state\\":'],
};

describe('parsePlanJson', () => {
  it('leaves planned and prior values unparsed in what Terraform prints, and reads the rest as JSON.parse does', () => {
    expect(parsedAsWhole(JSON.stringify(buildSyntheticPlan({ resources: 300 })))).toBe(true);
  });

  it('does the same with drift before the changes, and with no outputs at all', () => {
    const plan = buildSyntheticPlan({ resources: 30 });
    // Terraform prints resource_drift right before resource_changes.
    const ordered: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(plan)) {
      if (k === 'resource_changes') ordered.resource_drift = plan.resource_changes.slice(0, 3);
      ordered[k] = v;
    }
    expect(parsedAsWhole(JSON.stringify(ordered))).toBe(true);
    const none = buildSyntheticPlan({ resources: 30 });
    delete none.planned_values.outputs;
    delete none.output_changes;
    expect(parsedAsWhole(JSON.stringify(none))).toBe(true);
  });

  it('reads user values that look like the plan’s own members exactly as JSON.parse does', () => {
    for (const where of ['first', 'middle', 'last', 'every']) {
      const plan = buildSyntheticPlan({ resources: 40 });
      const changes = plan.resource_changes;
      const chosen =
        where === 'every' ? changes : [changes[where === 'first' ? 0 : where === 'middle' ? 20 : 39]];
      // before and after are also the values of prior_state and planned_values.root_module.
      for (const rc of chosen) for (const v of [rc.change.before, rc.change.after]) if (v) v.tags = AWKWARD;
      // Variables are printed with their names sorted, before planned_values.
      const { db_password, region } = plan.variables;
      plan.variables = {
        db_password,
        planned_values: { value: { outputs: {}, root_module: AWKWARD } },
        region,
        resource_changes: { value: AWKWARD },
        root_module: { value: AWKWARD },
      };
      plan.planned_values.outputs.prior_state = { sensitive: false, value: AWKWARD };
      plan.output_changes.prior_state = { actions: ['create'], before: null, after: AWKWARD };
      parsedAsWhole(JSON.stringify(plan));
    }
  });

  it('cuts up to the configuration in plans of Terraform versions that print no timestamp', () => {
    const plan = buildSyntheticPlan({ resources: 30 });
    delete plan.timestamp;
    expect(parsedAsWhole(JSON.stringify(plan))).toBe(true);
    // A value in prior_state naming "timestamp" is not taken for the plan's own.
    const updated = plan.resource_changes[4];
    expect(updated.change.actions).toEqual(['update']);
    updated.change.before.tags = { a: 1, timestamp: ',"timestamp":', z: AWKWARD };
    expect(JSON.stringify(plan.prior_state)).toContain(',"timestamp":');
    expect(parsedAsWhole(JSON.stringify(plan))).toBe(false);
  });

  it('parses the whole text when a member it reads is not where Terraform prints it', () => {
    const plan = buildSyntheticPlan({ resources: 20 });
    const { output_changes, ...rest } = plan;
    // output_changes right after prior_state: inside the span that would be cut.
    const reordered: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(rest)) {
      reordered[k] = v;
      if (k === 'prior_state') reordered.output_changes = output_changes;
    }
    const moved = JSON.stringify(reordered);
    expect(parsedAsWhole(moved)).toBe(false);
    expect(parsePlanJson(moved).output_changes).toEqual(output_changes);
    // Printed with indentation: none of the member patterns match.
    expect(parsedAsWhole(JSON.stringify(plan, null, 2))).toBe(false);
  });

  it('still names invalid JSON as such', () => {
    const text = JSON.stringify(buildSyntheticPlan({ resources: 10 }));
    expect(() => parsePlanJson(text.slice(0, -1))).toThrow(GitopsError);
    expect(() => parsePlanJson(text.slice(0, -1))).toThrow(/did not print valid JSON/);
    expect(() => parsePlanJson('[1]')).toThrow(/did not print a plan object/);
  });
});

describe('parsePlanJson on what terraform show -json prints', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  /** show -json of a plan that changes what an apply of `gen = 1` made: prior state and planned values. */
  function realPlan(resources: string): string {
    requireTerraform();
    const dir = mkdtempSync(join(tmpdir(), 'gp-planjson-'));
    dirs.push(dir);
    const tf = (...args: string[]) =>
      execFileSync('terraform', args, { cwd: dir, encoding: 'utf8', maxBuffer: 64 << 20 });
    const write = (gen: number) =>
      writeFileSync(join(dir, 'main.tf'), `variable "gen" {\n  default = ${gen}\n}\n${resources}`);
    write(1);
    tf('init', '-input=false', '-no-color');
    tf('apply', '-auto-approve', '-input=false', '-no-color');
    write(2);
    tf('plan', '-input=false', '-no-color', '-out=tfplan');
    const text = tf('show', '-json', 'tfplan');
    const whole = JSON.parse(text) as PlanJson & { prior_state?: unknown };
    expect(whole.prior_state).toBeDefined();
    expect(whole.resource_changes?.length).toBeGreaterThan(1);
    return text;
  }

  it('cuts the values of a real plan with prior state and reads the rest as JSON.parse does', () => {
    const text = realPlan(`
resource "terraform_data" "app" {
  count = 3
  input = { name = "app-\${count.index}", gen = var.gen, tags = ["a", "b"] }
}
output "names" {
  value = terraform_data.app[*].output.name
}
`);
    expect(parsedAsWhole(text)).toBe(true);
  });

  it('reads a real plan whose values use the plan’s own member names as JSON.parse does', () => {
    const text = realPlan(`
resource "terraform_data" "awkward" {
  count = 2
  input = {
    resource_changes = [{ address = "fake.\${var.gen}" }]
    prior_state      = "},\\"resource_changes\\":[]"
    configuration    = { root_module = var.gen }
    "a\\"b"          = ",\\"prior_state\\":"
  }
}
output "resource_changes" {
  value = terraform_data.awkward[0].output
}
`);
    expect(text).toContain(',"prior_state":{');
    parsedAsWhole(text);
  });
});
