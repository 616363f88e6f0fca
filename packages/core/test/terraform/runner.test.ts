import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { summarisePlan } from '../../src/terraform/plan-summary';
import { renderReport } from '../../src/terraform/report';
import { TerraformError, TerraformRunner } from '../../src/terraform/runner';
import {
  holdStateLock,
  makeRepository,
  removeTemporaryDirectories,
  requireTerraform,
  TestRuntime,
  TOKEN,
} from './support';

beforeAll(() => {
  requireTerraform();
});
afterAll(removeTemporaryDirectories);

/** A runner in a fresh repository, with the ops workspace selected. */
async function prepared(workspace = 'ops') {
  const { root, infra } = makeRepository();
  const rt = new TestRuntime({}, { workspace: root });
  const runner = new TerraformRunner(rt, { binary: 'terraform', cwd: infra, root });
  await runner.init([], []);
  await runner.selectWorkspace(workspace);
  return { root, infra, rt, runner };
}

async function planAndSummarise(
  runner: TerraformRunner,
  infra: string,
  name: string,
  varFiles: string[] = [],
) {
  const planFile = join(infra, `${name}.tfplan`);
  const record = await runner.plan({ planFile, lockTimeout: '2s', varFiles });
  const summary = summarisePlan(await runner.show(planFile));
  return { planFile, record, summary };
}

describe('TerraformRunner with the real terraform', () => {
  it('names the real syntax error of a failed init, not its generic opening error', async () => {
    const { root, infra } = makeRepository();
    writeFileSync(join(infra, 'broken.tf'), 'resource "terraform_data" "b" {\n  input = \n}\n');
    const rt = new TestRuntime({}, { workspace: root });
    const runner = new TerraformRunner(rt, { binary: 'terraform', cwd: infra, root });
    const e = (await runner.init([], []).catch((err: unknown) => err)) as TerraformError;
    expect(e).toBeInstanceOf(TerraformError);
    expect(e.message).toMatch(
      /^terraform init failed with exit code 1: Invalid expression \(infra\/broken\.tf line 2\) — /,
    );
    expect(e.message).not.toMatch(/encountered problems/);
    expect(rt.errors.map((x) => x.message)).not.toContainEqual(expect.stringMatching(/encountered problems/));
  });

  it('plans into a saved plan whose summary counts and lists the resources', async () => {
    const { infra, rt, runner } = await prepared();
    const { record, summary, planFile } = await planAndSummarise(runner, infra, 'first');
    expect(record.exitCode).toBe(2);
    expect(existsSync(planFile)).toBe(true);
    expect(summary.counts).toEqual({ add: 4, change: 0, destroy: 0, replace: 0 });
    expect(summary.hasChanges).toBe(true);
    expect(summary.resources.map((r) => [r.action, r.address])).toEqual([
      ['create', 'terraform_data.app'],
      ['create', 'terraform_data.cache[0]'],
      ['create', 'terraform_data.cache[1]'],
      ['create', 'terraform_data.db'],
    ]);
    const token = summary.outputs.find((o) => o.name === 'token');
    expect(token).toMatchObject({ sensitive: true, known: true, value: TOKEN });
    expect(summary.outputs.find((o) => o.name === 'size')).toMatchObject({ known: false });

    // Every command in its own log group, with -no-color and no prompt.
    expect(rt.groups).toEqual([
      'terraform init -input=false -no-color',
      'terraform workspace select -or-create -no-color ops',
      `terraform plan -input=false -no-color -lock-timeout=2s -detailed-exitcode -out=${planFile}`,
      `terraform show -json -no-color ${planFile}`,
    ]);
    expect(runner.commands.map((c) => c.exitCode)).toEqual([0, 0, 2, 0]);
    expect(runner.commands.every((c) => c.durationMs >= 0)).toBe(true);
    // The plan JSON holds the sensitive value in clear: it must never be streamed to the log.
    expect(rt.logText).not.toContain(TOKEN);

    const markdown = renderReport({
      tool: runner.tool,
      environment: 'ops',
      workspace: 'ops',
      operation: 'plan',
      commands: runner.commands,
      summary,
    });
    expect(markdown).toContain('| + create | `terraform_data.app` |');
    expect(markdown).toContain('(sensitive value)');
    expect(markdown).not.toContain(TOKEN);
  });

  it('gives two plans of the same state and configuration the same fingerprint, and a changed variable another', async () => {
    const { infra, runner } = await prepared();
    const a = await planAndSummarise(runner, infra, 'a');
    const b = await planAndSummarise(runner, infra, 'b');
    expect(b.summary.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(b.summary.fingerprint).toBe(a.summary.fingerprint);

    writeFileSync(join(infra, 'big.tfvars'), 'size = "big"\n');
    const c = await planAndSummarise(runner, infra, 'c', ['big.tfvars']);
    expect(runner.commands.at(-2)?.display).toContain('-var-file=big.tfvars');
    expect(c.summary.counts).toEqual(a.summary.counts);
    expect(c.summary.fingerprint).not.toBe(a.summary.fingerprint);
  });

  it('applies exactly the saved plan, then counts updates and replacements apart', async () => {
    const { infra, runner } = await prepared();
    const first = await planAndSummarise(runner, infra, 'first');
    const applied = await runner.apply({ planFile: first.planFile, lockTimeout: '2s' });
    expect(applied.exitCode).toBe(0);
    expect(runner.commands.at(-1)?.display).toBe(
      `terraform apply -input=false -no-color -lock-timeout=2s ${first.planFile}`,
    );
    const outputs = JSON.parse(await runner.outputs()) as Record<
      string,
      { sensitive: boolean; value: unknown }
    >;
    expect(outputs.size).toMatchObject({ sensitive: false, value: 'small' });
    expect(outputs.token).toMatchObject({ sensitive: true, value: TOKEN });

    const again = await planAndSummarise(runner, infra, 'again');
    expect(again.record.exitCode).toBe(0);
    expect(again.summary.hasChanges).toBe(false);
    expect(again.summary.resources).toEqual([]);

    // A new generation replaces db (triggers_replace); a new size updates app in place and db too.
    writeFileSync(join(infra, 'next.tfvars'), 'generation = 2\nsize = "big"\n');
    const next = await planAndSummarise(runner, infra, 'next', ['next.tfvars']);
    expect(next.summary.counts).toEqual({ add: 0, change: 1, destroy: 0, replace: 1 });
    expect(next.summary.resources).toEqual([
      { address: 'terraform_data.app', action: 'update' },
      { address: 'terraform_data.db', action: 'replace', reason: 'replace_because_cannot_update' },
    ]);

    // A saved plan is applied as it is: a stale one is refused by Terraform, and the error says so.
    await runner.apply({ planFile: next.planFile, lockTimeout: '2s' });
    const stale = await runner
      .apply({ planFile: again.planFile, lockTimeout: '2s' })
      .catch((e: unknown) => e);
    expect(stale).toBeInstanceOf(TerraformError);
    expect((stale as TerraformError).kind).toBe('apply');
    expect((stale as TerraformError).message).toMatch(
      /terraform apply failed with exit code 1: Saved plan is stale/,
    );
  });

  it('says who holds the state lock and suggests raising lock-timeout', async () => {
    const { infra, rt, runner } = await prepared();
    const holder = await holdStateLock(infra);
    try {
      const started = Date.now();
      const e = await runner
        .plan({ planFile: join(infra, 'locked.tfplan'), lockTimeout: '1s', varFiles: [] })
        .catch((err: unknown) => err);
      expect(Date.now() - started).toBeGreaterThanOrEqual(900);
      expect(e).toBeInstanceOf(TerraformError);
      const err = e as TerraformError;
      expect(err.kind).toBe('state-lock');
      expect(err.lock?.id).toMatch(/^[0-9a-f-]{36}$/);
      expect(err.lock?.who).toMatch(/@/);
      expect(err.lock?.created).toMatch(/^\d{4}-\d\d-\d\d /);
      expect(err.message).toContain('the state lock is held by another run');
      expect(err.message).toContain(`ID ${err.lock?.id}`);
      expect(err.message).toContain(`Who ${err.lock?.who}`);
      expect(err.message).toContain('Created ');
      expect(err.message).toContain('still held after waiting 1s');
      expect(err.message).toContain('raise lock-timeout');
      expect(err.message).toContain(`terraform force-unlock ${err.lock?.id}`);
      expect(rt.errors).toEqual([]);
    } finally {
      await holder.release();
    }
  });

  it('turns configuration errors into annotations on the file and line', async () => {
    const { infra, rt, runner } = await prepared();
    writeFileSync(
      join(infra, 'broken.tf'),
      'resource "terraform_data" "broken" {\n  input = var.missing\n}\n',
    );
    const e = await runner
      .plan({ planFile: join(infra, 'x.tfplan'), lockTimeout: '1s', varFiles: [] })
      .catch((err: unknown) => err);
    expect(e).toBeInstanceOf(TerraformError);
    expect((e as TerraformError).kind).toBe('plan');
    expect((e as TerraformError).message).toBe(
      'terraform plan failed with exit code 1: Reference to undeclared input variable (infra/broken.tf line 2) — An input variable with the name "missing" has not been declared. This variable can be declared with a variable "missing" {} block.',
    );
    expect(rt.errors).toHaveLength(1);
    expect(rt.errors[0]?.annotation).toEqual({ title: 'terraform plan', file: 'infra/broken.tf', line: 2 });
  });

  it('reports a failed init as an init failure', async () => {
    const { root, infra } = makeRepository();
    writeFileSync(join(infra, 'backend.tf'), 'terraform {\n  backend "nonexistent" {}\n}\n');
    const rt = new TestRuntime({}, { workspace: root });
    const runner = new TerraformRunner(rt, { binary: 'terraform', cwd: infra, root });
    const e = await runner.init([], []).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(TerraformError);
    expect((e as TerraformError).kind).toBe('init');
    expect((e as TerraformError).message).toMatch(/^terraform init failed with exit code 1: /);
  });

  it('names the missing binary and how to get it', async () => {
    const { root, infra } = makeRepository();
    const rt = new TestRuntime({}, { workspace: root });
    const runner = new TerraformRunner(rt, { binary: 'tofu-not-installed', cwd: infra, root });
    const e = await runner.init([], []).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(TerraformError);
    expect((e as TerraformError).kind).toBe('binary-not-found');
    expect((e as TerraformError).message).toMatch(/^tofu-not-installed was not found on PATH: install it/);
    expect((e as TerraformError).message).toContain('binary: tofu');
    expect(runner.commands[0]?.exitCode).toBeUndefined();
  });
});
