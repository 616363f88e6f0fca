import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CommitStatus, GitProvider, NewStatus } from '../../src/provider';
import type { Services } from '../../src/runtime';
import { runStep } from '../../src/step';
import { terraformRun } from '../../src/steps/terraform-run';
import {
  CONFIG_YAML,
  holdStateLock,
  makeRepository,
  NO_HOSTING,
  removeTemporaryDirectories,
  requireTerraform,
  TestRuntime,
  TOKEN,
} from './support';

beforeAll(() => {
  requireTerraform();
});
afterAll(removeTemporaryDirectories);

async function run(
  root: string,
  inputs: Record<string, string>,
  services: Services = NO_HOSTING,
  context = {},
) {
  const rt = new TestRuntime(inputs, { workspace: root, ...context });
  await runStep(terraformRun, rt, services);
  return rt;
}

describe('terraform-run: inputs', () => {
  const bad: [string, Record<string, string>, RegExp][] = [
    ['no environment', {}, /^terraform-run: input environment: "" is not valid; it is required$/],
    [
      'an unknown environment',
      { environment: 'prod' },
      /input environment: "prod" is not valid; .* defines ops, apps/,
    ],
    [
      'an unknown operation',
      { environment: 'ops', operation: 'destroy' },
      /input operation: "destroy" .* use one of plan, apply/,
    ],
    [
      'an unknown comment mode',
      { environment: 'ops', comment: 'sometimes' },
      /input comment: .* on-change, always, off/,
    ],
    [
      'an unknown reviewed-plan mode',
      { environment: 'ops', 'require-reviewed-plan': 'yes' },
      /input require-reviewed-plan: .* off, warn, error/,
    ],
    [
      'a bare number as lock-timeout',
      { environment: 'ops', 'lock-timeout': '300' },
      /input lock-timeout: "300" .* 90s/,
    ],
    [
      'a non-boolean summary',
      { environment: 'ops', summary: 'yes' },
      /input summary: "yes" .* true or false/,
    ],
    [
      'a missing working directory',
      { environment: 'ops', 'working-directory': 'nope' },
      /input working-directory: "nope"/,
    ],
    [
      'a missing var file',
      { environment: 'ops', 'var-files': 'ops.tfvars' },
      /input var-files: "ops.tfvars" .* no such file/,
    ],
    [
      'an unclosed quote in init-args',
      { environment: 'ops', 'init-args': '-x="a' },
      /input init-args: .* close the " quote/,
    ],
  ];
  for (const [what, inputs, message] of bad)
    it(`refuses ${what} before running anything`, async () => {
      const { root } = makeRepository(CONFIG_YAML);
      const rt = await run(root, inputs);
      expect(rt.failure).toMatch(message);
      expect(rt.groups).toEqual([]);
      expect(rt.summaries).toEqual([]);
    });
});

describe('terraform-run with the real terraform and no hosting service', () => {
  it('plans, then applies the saved plan, with outputs, summary and masked secrets', async () => {
    const { root, infra } = makeRepository(CONFIG_YAML);
    const plan = await run(root, { environment: 'ops' });
    expect(plan.failure).toBeUndefined();
    expect(plan.outputs).toMatchObject({
      exitcode: '2',
      'has-changes': 'true',
      'to-add': '4',
      'to-change': '0',
      'to-destroy': '0',
      'to-replace': '0',
    });
    expect(plan.outputs.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    // Planned outputs known before apply; `size` is known only after it.
    expect(JSON.parse(plan.outputs.outputs!)).toEqual({ token: TOKEN });
    expect(plan.secrets).toContain(TOKEN);
    const planFile = plan.outputs['plan-file']!;
    const planJsonFile = plan.outputs['plan-json-file']!;
    expect(planFile.startsWith(tmpdir())).toBe(true);
    expect(existsSync(planFile)).toBe(true);
    expect(statSync(planJsonFile).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(planJsonFile, 'utf8')).format_version).toMatch(/^1\./);
    expect(plan.warnings).toEqual([
      'no hosting service for this run, so no commit statuses, recorded plans or pull request comments: no hosting service in this test',
    ]);
    expect(plan.groups.slice(0, 2)).toEqual([
      'terraform init -input=false -no-color',
      'terraform workspace select -or-create -no-color ops',
    ]);
    expect(plan.groups[2]).toBe(
      `terraform plan -input=false -no-color -lock-timeout=2s -detailed-exitcode -out=${planFile}`,
    );
    expect(plan.summaries).toHaveLength(1);
    const summary = plan.summaries[0]!;
    expect(summary).toContain('### gitops-promote: terraform plan for ops');
    expect(summary).toContain('**4 to add, 0 to change, 0 to destroy, 0 to replace**');
    expect(summary).toContain('| + create | `terraform_data.cache[0]` |  |');
    expect(summary).toMatch(/\| `terraform plan .*` \| 2 \| \d/);
    expect(summary).not.toContain(TOKEN);
    expect(plan.logText).not.toContain(TOKEN);

    const apply = await run(root, { environment: 'ops', operation: 'apply' });
    expect(apply.failure).toBeUndefined();
    expect(apply.outputs).toMatchObject({ exitcode: '0', 'has-changes': 'true', 'to-add': '4' });
    expect(JSON.parse(apply.outputs.outputs!)).toEqual({ size: 'small', token: TOKEN });
    expect(apply.secrets).toContain(TOKEN);
    expect(apply.groups.slice(-2)).toEqual([
      `terraform apply -input=false -no-color -lock-timeout=2s ${apply.outputs['plan-file']}`,
      'terraform output -json -no-color',
    ]);
    expect(existsSync(join(infra, 'terraform.tfstate.d', 'ops', 'terraform.tfstate'))).toBe(true);
    expect(apply.summaries[0]).toContain('### gitops-promote: terraform applied for ops');
    expect(apply.summaries[0]).toContain('"size": "small"');
    expect(apply.summaries[0]).not.toContain(TOKEN);
    expect(apply.logText).not.toContain(TOKEN);

    const again = await run(root, { environment: 'ops' });
    expect(again.outputs).toMatchObject({ exitcode: '0', 'has-changes': 'false', 'to-add': '0' });
    expect(again.summaries[0]).toContain('_No changes: the infrastructure matches the configuration._');

    // Another environment plans in its own workspace, created on first use.
    const apps = await run(root, { environment: 'apps' });
    expect(apps.groups[1]).toBe('terraform workspace select -or-create -no-color apps');
    expect(apps.outputs['to-add']).toBe('4');
  });

  it('fails with the lock holder and the lock-timeout advice, and still writes the summary', async () => {
    const { root, infra } = makeRepository(CONFIG_YAML);
    expect((await run(root, { environment: 'ops' })).failure).toBeUndefined();
    const holder = await holdStateLock(infra);
    try {
      const rt = await run(root, { environment: 'ops', operation: 'apply', 'lock-timeout': '1s' });
      expect(rt.failure).toMatch(
        /^terraform-run: terraform plan: the state lock is held by another run \(ID [0-9a-f-]{36}, Who \S+@\S+, Created \d{4}-.*\), still held after waiting 1s\. .*raise lock-timeout/,
      );
      expect(rt.outputs.exitcode).toBe('1');
      expect(rt.summaries[0]).toContain('> **Failed:** terraform plan: the state lock is held');
      expect(rt.summaries[0]).toMatch(/\| `terraform plan .*` \| 1 \|/);
    } finally {
      await holder.release();
    }
  });

  it('names the missing binary and how to install it', async () => {
    const { root } = makeRepository(CONFIG_YAML);
    const rt = await run(root, { environment: 'ops', binary: 'tofu-not-installed' });
    expect(rt.failure).toMatch(
      /^terraform-run: tofu-not-installed was not found on PATH: install it .*binary: tofu$/,
    );
    expect(rt.summaries[0]).toContain('| `tofu-not-installed init -input=false -no-color` | did not start |');
  });
});

/** Statuses and comments in memory: just what terraform-run uses of a GitProvider. */
class MemoryProvider {
  readonly kind = 'git' as const;
  readonly written: (NewStatus & { sha: string })[] = [];
  readonly comments: { number: number; marker: string; body: string }[] = [];

  async listStatuses(sha: string): Promise<CommitStatus[]> {
    const newest = new Map<string, CommitStatus>();
    for (const s of this.written)
      if (s.sha === sha) newest.set(s.context, { ...s, createdAt: new Date().toISOString() });
    return [...newest.values()];
  }
  async setStatus(sha: string, status: NewStatus): Promise<void> {
    this.written.push({ sha, ...status });
  }
  async upsertComment(number: number, marker: string, body: string) {
    const created = !this.comments.some((c) => c.marker === marker);
    this.comments.push({ number, marker, body });
    return { id: '1', created };
  }
  services(): Services {
    return { provider: async () => this as unknown as GitProvider };
  }
}

describe('terraform-run with a hosting service', () => {
  const pr = { pullRequestNumber: 7, headSha: 'b'.repeat(40), event: 'pull_request' };

  it('records the plan as a commit status and comments on the pull request', async () => {
    const { root } = makeRepository(CONFIG_YAML);
    const hosting = new MemoryProvider();
    const rt = await run(root, { environment: 'ops' }, hosting.services(), pr);
    expect(rt.failure).toBeUndefined();
    expect(rt.warnings).toEqual([]);
    expect(hosting.written).toEqual([
      {
        sha: pr.headSha,
        context: 'gitops-promote/ops/plan',
        state: 'success',
        description: `fp:${rt.outputs.fingerprint!.slice(0, 16)} +4 ~0 -0 ±0`,
      },
    ]);
    expect(hosting.comments).toHaveLength(1);
    expect(hosting.comments[0]).toMatchObject({
      number: 7,
      marker: '<!-- gitops-promote:terraform-run:ops -->',
    });
    expect(hosting.comments[0]!.body.startsWith('<!-- gitops-promote:terraform-run:ops -->\n')).toBe(true);
    expect(hosting.comments[0]!.body).not.toContain(TOKEN);

    // status: false and comment: off write nothing.
    await run(root, { environment: 'ops', status: 'false', comment: 'off' }, hosting.services(), pr);
    expect(hosting.written).toHaveLength(1);
    expect(hosting.comments).toHaveLength(1);
  });

  it('applies when the fresh plan is the reviewed one, with pending then success', async () => {
    const { root } = makeRepository(CONFIG_YAML);
    const hosting = new MemoryProvider();
    const sha = 'c'.repeat(40);
    await run(root, { environment: 'ops' }, hosting.services(), { sha });
    const rt = await run(root, { environment: 'ops', operation: 'apply' }, hosting.services(), { sha });
    expect(rt.failure).toBeUndefined();
    expect(hosting.written.slice(1).map((s) => [s.context, s.state, s.description])).toEqual([
      ['gitops-promote/ops', 'pending', 'applying +4 ~0 -0 ±0'],
      ['gitops-promote/ops', 'success', 'applied +4 ~0 -0 ±0'],
    ]);
    expect(rt.summaries[0]).toContain('The plan matches the plan recorded for review');

    // No pull request comment for a plan that changes nothing (comment: on-change).
    const quiet = await run(root, { environment: 'ops' }, hosting.services(), { ...pr, sha });
    expect(quiet.outputs['has-changes']).toBe('false');
    expect(hosting.comments).toEqual([]);
  });

  it('refuses to apply a plan other than the reviewed one, and only warns when asked to', async () => {
    const { root, infra } = makeRepository(CONFIG_YAML);
    const hosting = new MemoryProvider();
    const sha = 'd'.repeat(40);
    await run(root, { environment: 'ops' }, hosting.services(), { sha });
    writeFileSync(join(infra, 'big.tfvars'), 'size = "big"\n');
    const refused = await run(
      root,
      { environment: 'ops', operation: 'apply', 'var-files': 'big.tfvars' },
      hosting.services(),
      { sha },
    );
    expect(refused.failure).toMatch(
      /^terraform-run: apply refused: the fresh plan for ops differs from the plan recorded for review on dddddddddddd\.\nreviewed plan: \+4 ~0 -0 ±0 /,
    );
    expect(refused.failure).toContain('create terraform_data.app');
    expect(refused.groups.some((g) => g.startsWith('terraform apply'))).toBe(false);
    expect(existsSync(join(infra, 'terraform.tfstate.d', 'ops', 'terraform.tfstate'))).toBe(false);
    expect(hosting.written.at(-1)).toMatchObject({ context: 'gitops-promote/ops', state: 'failure' });
    expect(hosting.written.at(-1)!.description).toMatch(/^apply refused: /);
    expect(hosting.written.at(-1)!.description.length).toBeLessThanOrEqual(140);
    expect(refused.summaries[0]).toContain('**Difference from the reviewed plan:**');

    const warned = await run(
      root,
      { environment: 'ops', operation: 'apply', 'var-files': 'big.tfvars', 'require-reviewed-plan': 'warn' },
      hosting.services(),
      { sha },
    );
    expect(warned.failure).toBeUndefined();
    expect(warned.warnings[0]).toMatch(/differs from the plan recorded for review .* applying anyway/);
    expect(hosting.written.at(-1)).toMatchObject({ state: 'success', description: 'applied +4 ~0 -0 ±0' });
  });
});
