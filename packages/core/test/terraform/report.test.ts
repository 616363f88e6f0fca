import { describe, expect, it } from 'vitest';
import { attributeChanges } from '../../src/terraform/attribute-diff';
import { addressMatcher, compareParity, parityRecord } from '../../src/terraform/parity';
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

  it('puts the parity lists in the comment next to the plan, within the size limit, even with thousands of differences', () => {
    const here = new Map<string, string>();
    const there = new Map<string, string>();
    for (let i = 0; i < 5_000; i++) {
      here.set(`terraform_data.r[${i}]`, 'replace');
      there.set(`terraform_data.r[${i}]`, 'update');
      there.set(`terraform_data.old[${i}]`, 'no-op');
    }
    const parity = compareParity(
      'apps',
      here,
      parityRecord('ops', 'b'.repeat(40), 'applied', there),
      addressMatcher([]),
    );
    const comment = renderReport(report(10_000, { environment: 'apps', parity }), {
      marker: commentMarker('apps'),
      maxLength: COMMENT_LIMIT,
    });
    expect(comment.length).toBeLessThanOrEqual(COMMENT_LIMIT);
    expect(comment).toContain('#### Parity with ops: differs');
    expect(comment).toContain(
      'Unexercised changes: apps would do what ops did not (applied on `bbbbbbbbbbbb`) (5000):',
    );
    expect(comment).toContain('- `replace` `terraform_data.r[0]` — ops: update');
    expect(comment).toContain('Inventory drift: resources in one environment only (5000):');
    expect(comment).toContain('- `terraform_data.old[0]` — only in ops');
    expect(comment).toContain('- … and 4950 more');
    // The parity section comes before the resource table, so dropping table rows never cuts it.
    expect(comment.indexOf('Parity with ops')).toBeLessThan(comment.indexOf('| action | resource |'));
  });
});

describe('renderReport for reviewers', () => {
  it('names the commit and links the run, and shows no temp folder in the commands', () => {
    const text = renderReport(
      report(3, {
        sha: '0123456789abcdef0123456789abcdef01234567',
        runUrl: 'https://github.example/o/r/actions/runs/42',
        commands: [
          {
            display: 'terraform plan -out=/tmp/gitops-promote-ops-x1/tfplan -var-file=/run/tmp/s.tfvars',
            exitCode: 2,
            durationMs: 5,
          },
        ],
        shortPaths: [
          { path: '/tmp/gitops-promote-ops-x1', as: '' },
          { path: '/run/tmp', as: '$TEMP' },
        ],
      }),
    );
    expect(text).toContain('commit `0123456789ab`');
    expect(text).toContain('[run log](https://github.example/o/r/actions/runs/42)');
    expect(text).toContain('| `terraform plan -out=tfplan -var-file=$TEMP/s.tfvars` | 2 | 5ms |');
    expect(text).not.toContain('/tmp/');
  });

  it('has a note column only when a resource has a note', () => {
    const plain = renderReport(report(3));
    expect(plain).toContain('| action | resource |\n| --- | --- |\n');
    const moved = summarisePlan(buildSyntheticPlan({ resources: 3 }));
    moved.resources[0] = { ...moved.resources[0]!, previousAddress: 'old.name' };
    const noted = renderReport(report(3, { summary: moved }));
    expect(noted).toContain('| action | resource | note |');
    expect(noted).toContain('moved from `old.name`');
  });

  it('lays a refusal out as a headline and two lists, not one run-on line', () => {
    const text = renderReport(
      report(3, {
        operation: 'apply',
        failure:
          'apply refused: the fresh plan for apps differs from the plan recorded for review on abc.\nreviewed plan: +1 ~0 -0 ±0 (fingerprint 1111)\nfresh plan:    +2 ~0 -0 ±0 (fingerprint 2222)\nthe fresh plan would:\n  create a.b\n  create a.c\nNothing was applied. Plan this commit again and have the new plan reviewed, or set require-reviewed-plan: warn.',
        difference: [
          'reviewed plan: +1 ~0 -0 ±0 (fingerprint 1111)',
          'fresh plan:    +2 ~0 -0 ±0 (fingerprint 2222)',
          'the fresh plan would:',
          '  create a.b',
          '  create a.c',
        ],
      }),
    );
    expect(text).toContain(
      '> **Failed:** apply refused: the fresh plan for apps differs from the plan recorded for review on abc.\n\n- Nothing was applied.',
    );
    expect(text).toContain(
      '- **Reviewed plan:** `+1 ~0 -0 ±0` · fingerprint `1111`\n- **Fresh plan:** `+2 ~0 -0 ±0` · fingerprint `2222`',
    );
    expect(text).toContain('**The fresh plan would:**\n\n- `create a.b`\n- `create a.c`');
    expect(text.match(/create a\.b/g)).toHaveLength(1);
  });

  it('shows attribute changes folded, and drops them before the resource table to fit a comment', () => {
    const plan = buildSyntheticPlan({ resources: 20 });
    const attributes = attributeChanges(plan);
    const text = renderReport(report(20, { attributes }));
    expect(text).toContain('<details><summary>What changes, attribute by attribute</summary>\n\n```diff\n# ');
    const huge = renderReport(
      report(10_000, { attributes: attributeChanges(buildSyntheticPlan({ resources: 10_000 })) }),
      {
        marker: commentMarker('ops'),
        maxLength: COMMENT_LIMIT,
      },
    );
    expect(huge.length).toBeLessThanOrEqual(COMMENT_LIMIT);
    expect(huge).not.toContain('attribute by attribute');
  });
});
