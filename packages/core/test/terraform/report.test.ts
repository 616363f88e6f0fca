import { describe, expect, it } from 'vitest';
import { summarisePlan } from '../../src/terraform/plan-summary';
import { COMMENT_LIMIT, commentMarker, type RunReport, renderReport } from '../../src/terraform/report';
import { buildSyntheticPlan } from './fixtures/synthetic-plan.mjs';

function report(resources: number, extra: Partial<RunReport> = {}): RunReport {
  return {
    tool: 'terraform',
    environment: 'ops',
    workspace: 'ops',
    operation: 'plan',
    commands: [
      { display: 'terraform init -input=false -no-color', exitCode: 0, durationMs: 1234 },
      { display: 'terraform plan -out=/tmp/a|b', exitCode: 2, durationMs: 640 },
    ],
    summary: summarisePlan(buildSyntheticPlan({ resources })),
    ...extra,
  };
}

describe('renderReport', () => {
  it('shows counts, a plain table for a few resources, masked outputs and the commands', () => {
    const text = renderReport(report(10));
    expect(text).toContain('**4 to add, 2 to change, 1 to destroy, 1 to replace** (`+4 ~2 -1 ±1`)');
    expect(text).not.toContain('<details><summary>8 resources');
    expect(text).toContain('| ± replace |');
    expect(text).toContain('"db_password": "(sensitive value)"');
    expect(text).toContain('"instance_ids": "(known after apply)"');
    expect(text).not.toContain('hunter2');
    expect(text).toContain('| `terraform init -input=false -no-color` | 0 | 1.2s |');
    expect(text).toContain('| `terraform plan -out=/tmp/a\\|b` | 2 | 640ms |');
  });

  it('collapses a long table and keeps a comment under the size limit', () => {
    const long = renderReport(report(60));
    expect(long).toContain('<details><summary>48 resources by action</summary>');
    const comment = renderReport(report(10_000), { marker: commentMarker('ops'), maxLength: COMMENT_LIMIT });
    expect(comment.startsWith('<!-- gitops-promote:terraform-run:ops -->\n')).toBe(true);
    expect(comment.length).toBeLessThanOrEqual(COMMENT_LIMIT);
    expect(comment).toMatch(/_\d+ more resources are not listed here/);
    expect(comment).toContain('</details>');
    expect(comment.trimEnd().endsWith('|')).toBe(true);
  });

  it('reports a failure and a plan that changes nothing', () => {
    const empty = renderReport({
      ...report(0),
      summary: summarisePlan({}),
      failure: 'terraform plan failed: *boom*',
    });
    expect(empty).toContain('_No changes: the infrastructure matches the configuration._');
    expect(empty).toContain('> **Failed:** terraform plan failed: \\*boom\\*');
  });
});
