import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
    [
      'a backend file given in init-args, two-word form, outside the repository',
      { environment: 'ops', 'init-args': '-reconfigure -backend-config ../../backend.hcl' },
      /^terraform-run: input init-args: "-backend-config \.\.\/\.\.\/backend\.hcl" is not valid; it leads to .*backend\.hcl, outside the repository /,
    ],
    [
      'a plugin directory in init-args outside the repository',
      { environment: 'ops', 'init-args': '-plugin-dir=/usr/share' },
      /^terraform-run: input init-args: "-plugin-dir=\/usr\/share" is not valid; it leads to \/usr\/share, outside/,
    ],
    [
      'a backend file that does not exist',
      { environment: 'ops', 'backend-config': 'backend.hcl' },
      /input backend-config: "backend.hcl" is not valid; no such file .*; give key=value or the path of a backend configuration file$/,
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
    expect(summary).toContain('| + create | `terraform_data.cache[0]` |');
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

    // Another environment plans in its own workspace, created on first use. Its plan is applied later by
    // promotion, which needs the plan recorded: with no hosting service to record it on, the plan fails.
    const apps = await run(root, { environment: 'apps' });
    expect(apps.groups[1]).toBe('terraform workspace select -or-create -no-color apps');
    expect(apps.outputs['to-add']).toBe('4');
    expect(apps.failure).toBe(
      'terraform-run: could not record the plan of apps for review as gitops-promote/apps/plan on aaaaaaaaaaaa: ' +
        'no hosting service (no hosting service in this test).\nA promoting apply of apps needs this record ' +
        '(require-reviewed-plan: error), so this plan fails. Let the token write commit statuses (GitHub: ' +
        'statuses: write; Azure DevOps: "Contribute" for the build service; plain Git: a push to ' +
        'refs/notes/gitops-promote), or set require-reviewed-plan: warn.',
    );
    const warned = await run(root, { environment: 'apps', 'require-reviewed-plan': 'warn' });
    expect(warned.failure).toBeUndefined();
    expect(warned.outputs['to-add']).toBe('4');
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

describe('terraform-run: an apply that promotes needs a recorded plan (no hosting service to read one)', () => {
  const appsState = (infra: string) => join(infra, 'terraform.tfstate.d', 'apps', 'terraform.tfstate');
  const refused = (env: string, why: string) =>
    `terraform-run: apply refused: no hosting service to read the plan recorded as gitops-promote/${env}/plan on aaaaaaaaaaaa from, ` +
    `and ${why}, so it needs a plan recorded for review (require-reviewed-plan: error).\nNothing was applied. ` +
    `Plan this commit for ${env} first (operation: plan records gitops-promote/${env}/plan on aaaaaaaaaaaa), ` +
    'have the plan reviewed, then run the apply again; or set require-reviewed-plan: warn.';

  it('refuses a later environment under error, on a tag or a branch, and applies nothing', async () => {
    const { root, infra } = makeRepository(CONFIG_YAML);
    const tag = await run(root, { environment: 'apps', operation: 'apply' }, NO_HOSTING, {
      ref: 'refs/tags/apps-deploy-1',
    });
    expect(tag.failure).toBe(refused('apps', 'a deploy tag run (apps-deploy-1) promotes a change to apps'));
    expect(tag.groups.some((g) => g.startsWith('terraform apply'))).toBe(false);
    expect(existsSync(appsState(infra))).toBe(false);
    const branch = await run(root, { environment: 'apps', operation: 'apply' });
    expect(branch.failure).toBe(
      refused('apps', 'apps comes after the first environment and receives changes by promotion'),
    );
    expect(existsSync(appsState(infra))).toBe(false);
  });

  it('refuses the first environment applied from a tag, a pull request or another branch', async () => {
    const { root, infra } = makeRepository(CONFIG_YAML);
    for (const [ref, why] of [
      ['refs/tags/ops-1', 'a deploy tag run (ops-1) promotes a change to ops'],
      [
        'refs/pull/7/merge',
        'ops is applied from pull request refs/pull/7/merge, not from its own branch main',
      ],
      ['refs/heads/feature', 'ops is applied from branch refs/heads/feature, not from its own branch main'],
    ] as const) {
      const rt = await run(root, { environment: 'ops', operation: 'apply' }, NO_HOSTING, { ref });
      expect(rt.failure).toBe(refused('ops', why));
    }
    expect(existsSync(join(infra, 'terraform.tfstate.d', 'ops', 'terraform.tfstate'))).toBe(false);
  });

  it('applies with a warning under warn, and does not look under off', async () => {
    const { root, infra } = makeRepository(CONFIG_YAML);
    const tag = { ref: 'refs/tags/apps-deploy-1' };
    const warned = await run(
      root,
      { environment: 'apps', operation: 'apply', 'require-reviewed-plan': 'warn' },
      NO_HOSTING,
      tag,
    );
    expect(warned.failure).toBeUndefined();
    expect(warned.warnings).toContain(
      'no hosting service to read the plan recorded as gitops-promote/apps/plan on aaaaaaaaaaaa from; ' +
        'applying a plan nobody reviewed (require-reviewed-plan: warn)',
    );
    expect(existsSync(appsState(infra))).toBe(true);
    writeFileSync(join(infra, 'more.tf'), 'resource "terraform_data" "more" {\n  input = 1\n}\n');
    const off = await run(
      root,
      { environment: 'apps', operation: 'apply', 'require-reviewed-plan': 'off' },
      NO_HOSTING,
      tag,
    );
    expect(off.failure).toBeUndefined();
    expect(off.outputs['to-add']).toBe('1');
    expect(off.logText).not.toContain('gitops-promote/apps/plan');
    // Nothing left to change: applying an empty plan cannot do anything nobody saw, so error lets it pass.
    const empty = await run(root, { environment: 'apps', operation: 'apply' }, NO_HOSTING, tag);
    expect(empty.failure).toBeUndefined();
    expect(empty.outputs['has-changes']).toBe('false');
    expect(empty.logText).toContain(
      'no hosting service to read the plan recorded as gitops-promote/apps/plan on aaaaaaaaaaaa from, but the fresh plan changes nothing: applying it is safe',
    );
  });

  it('a plan of a later environment with status: false is not recorded, and says what that means', async () => {
    const { root } = makeRepository(CONFIG_YAML);
    const rt = await run(root, { environment: 'apps', status: 'false' });
    expect(rt.failure).toBeUndefined();
    expect(rt.warnings).toEqual([
      // Parity (on by default) looks for ops' record, so the missing hosting service is said once.
      'no hosting service for this run, so no commit statuses, recorded plans or pull request comments: no hosting service in this test',
      'status: false, so this plan is not recorded as gitops-promote/apps/plan; a promoting apply of apps under require-reviewed-plan: error will refuse it',
    ]);
    expect(rt.logText).toContain('parity with ops: unknown (no hosting service to read the record from)');
  });

  it("a run with no commit can neither record a later environment's plan nor apply it under error", async () => {
    const { root, infra } = makeRepository(CONFIG_YAML);
    const plan = await run(root, { environment: 'apps' }, NO_HOSTING, { sha: undefined });
    expect(plan.failure).toMatch(
      /^terraform-run: could not record the plan of apps for review as gitops-promote\/apps\/plan: the run has no commit to record it on\./,
    );
    const apply = await run(root, { environment: 'apps', operation: 'apply' }, NO_HOSTING, {
      sha: undefined,
    });
    expect(apply.failure).toMatch(
      /^terraform-run: apply refused: the run has no commit, so no plan recorded as gitops-promote\/apps\/plan can be read, and apps comes after/,
    );
    expect(existsSync(appsState(infra))).toBe(false);
  });

  it('applies the first environment on its own branch with nothing recorded', async () => {
    const { root, infra } = makeRepository(CONFIG_YAML);
    const rt = await run(root, { environment: 'ops', operation: 'apply' });
    expect(rt.failure).toBeUndefined();
    expect(rt.logText).toContain(
      'no hosting service to read the plan recorded as gitops-promote/ops/plan on aaaaaaaaaaaa from: nothing to compare',
    );
    expect(existsSync(join(infra, 'terraform.tfstate.d', 'ops', 'terraform.tfstate'))).toBe(true);
  });
});

// Statuses, the pull request comment and the reviewed-plan check against real API doubles:
// test/kubestack-flow.e2e.test.ts (GitHub, Azure DevOps, plain Git) through the built bundles.
