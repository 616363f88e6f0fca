import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CommitStatus, GitProvider } from '@gitops-promote/core';
import { GitRemoteProvider } from '@gitops-promote/platform/providers/git';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startAzureApi } from './doubles/azure-api';
import { startGitHubDouble } from './doubles/github-api';
import { type BundleRun, runAzure, runGitHub, runTerminal } from './support/bundle';
import { type GitFixture, git, gitFixture, tempDir } from './support/git';
import {
  azureProviderOn,
  githubProviderOn,
  ok,
  requireTerraform,
  TERRAFORM_GITIGNORE,
} from './support/hosts';

/**
 * Environment parity end to end, through the built terraform-run bundle, the real terraform (terraform_data,
 * local backend) and a real bare remote: ops and apps run in separate clones (separate runners, separate
 * state, separate temp folders), so the only way ops' record reaches apps is through the Git provider.
 */

// `app` is updated in place in ops but replaced in apps when `release` changes; `extra` exists in apps only.
const MAIN_TF = `
variable "release" {
  type    = string
  default = "1"
}
resource "terraform_data" "app" {
  input            = "app-\${var.release}"
  triggers_replace = terraform.workspace == "apps" ? var.release : "fixed"
}
`;
const EXTRA_TF = `
resource "terraform_data" "extra" {
  count = terraform.workspace == "apps" ? 1 : 0
  input = "only in apps"
}
`;
const CONFIG = 'terraform: { working-directory: infra, lock-timeout: 30s }\n';
const IGNORING = `${CONFIG}parity:\n  ignore: ["terraform_data.extra*", "terraform_data.app"]\n`;

beforeAll(requireTerraform);

interface Run {
  ref: string;
  sha: string;
  inputs: Record<string, string>;
}

interface Host {
  name: string;
  provider: GitProvider;
  run(cwd: string, r: Run): Promise<BundleRun>;
  close(): Promise<void>;
}

async function githubHost(fx: GitFixture): Promise<Host> {
  const api = await startGitHubDouble(fx.remote);
  return {
    name: 'github',
    provider: githubProviderOn(api, { writeIntervalMs: 0 }),
    run: (cwd, r) =>
      runGitHub('terraform-run', {
        cwd,
        event: 'push',
        ref: r.ref,
        sha: r.sha,
        env: api.env(),
        inputs: { token: api.token, ...r.inputs },
        payload: { ref: r.ref, deleted: false },
      }),
    close: () => api.close(),
  };
}

async function azureHost(fx: GitFixture): Promise<Host> {
  const api = await startAzureApi({ repo: fx.remote });
  return {
    name: 'azure',
    provider: azureProviderOn(api),
    run: (cwd, r) =>
      runAzure('terraform-run', {
        cwd,
        reason: 'IndividualCI',
        sourceBranch: r.ref,
        sha: r.sha,
        env: api.env(),
        inputs: r.inputs,
      }),
    close: () => api.close(),
  };
}

/** Plain Git from a terminal: each clone its own temp folder (TMPDIR), statuses as notes on the remote. */
async function terminalHost(fx: GitFixture): Promise<Host> {
  return {
    name: 'terminal',
    provider: new GitRemoteProvider({ cwd: fx.work }),
    run: (cwd, r) =>
      runTerminal('terraform-run', { cwd, inputs: r.inputs, env: { TMPDIR: tempDir('gp-tmp-') } }),
    close: async () => {},
  };
}

/** A second clone of the remote: the runner of the other environment. */
function clone(fx: GitFixture): string {
  const dir = join(tempDir('gp-clone-'), 'work');
  git(fx.remote, 'clone', '-q', fx.remote, dir);
  return dir;
}

/** Checks out `sha` in `cwd` as CI would: on main for a branch run, detached at the tag for a tag run. */
function checkout(cwd: string, ref: string, sha: string): void {
  git(cwd, 'fetch', '-q', 'origin', '+refs/heads/main:refs/remotes/origin/main', '--tags');
  if (ref.startsWith('refs/tags/')) git(cwd, 'checkout', '-q', '--detach', ref.slice(10));
  else git(cwd, 'checkout', '-q', '-B', 'main', sha);
}

function stateAddresses(cwd: string, workspace: string): string[] {
  const file = join(cwd, 'infra', 'terraform.tfstate.d', workspace, 'terraform.tfstate');
  if (!existsSync(file)) return [];
  const state = JSON.parse(readFileSync(file, 'utf8')) as {
    resources: { type: string; name: string; instances: { attributes: { input?: { value?: unknown } } }[] }[];
  };
  return state.resources
    .flatMap((r) =>
      r.instances.map((i) => `${r.type}.${r.name}=${JSON.stringify(i.attributes.input?.value)}`),
    )
    .sort();
}

const status = (all: CommitStatus[], context: string) => all.find((s) => s.context === context);

let host: Host | undefined;
afterEach(async () => {
  await host?.close();
  host = undefined;
});

describe.each([
  ['GitHub Actions + GitHub API', githubHost],
  ['Azure Pipelines + Azure DevOps API', azureHost],
  ['terminal + plain Git', terminalHost],
])('environment parity on %s', (_title, makeHost) => {
  it('same for identical environments; differs naming what apps would do otherwise; error stops the promotion', async () => {
    const fx = gitFixture({
      '.gitignore': TERRAFORM_GITIGNORE,
      'gitops-promote.yaml': CONFIG,
      'gitops-promote-ignoring.yaml': IGNORING,
      'infra/main.tf': MAIN_TF,
    });
    host = await makeHost(fx);
    const opsRunner = fx.work;
    const appsRunner = clone(fx);
    const onMain = (sha: string) => ({ ref: 'refs/heads/main', sha });
    const tagRun = (tag: string, sha: string) => {
      git(appsRunner, 'tag', tag, sha);
      git(appsRunner, 'push', '-q', 'origin', tag);
      checkout(appsRunner, `refs/tags/${tag}`, sha);
      return { ref: `refs/tags/${tag}`, sha };
    };

    // 1. Identical environments: ops applies, apps (another clone) plans the same change.
    const first = git(opsRunner, 'rev-parse', 'HEAD');
    checkout(appsRunner, 'refs/heads/main', first);
    // Before ops has done anything for this commit there is nothing to compare with.
    const early = await host.run(appsRunner, {
      ...onMain(first),
      inputs: { environment: 'apps', operation: 'plan' },
    });
    expect(ok(early).parity).toBe('unknown');
    expect(early.warnings.join('\n')).toContain('ops has no parity record for');
    ok(await host.run(opsRunner, { ...onMain(first), inputs: { environment: 'ops', operation: 'apply' } }));
    const same = ok(
      await host.run(appsRunner, { ...onMain(first), inputs: { environment: 'apps', operation: 'plan' } }),
    );
    expect(same.parity).toBe('same');
    expect(JSON.parse(same['parity-report']!)).toMatchObject({
      result: 'same',
      previous: 'ops',
      record: { sha: first, kind: 'applied' },
      unexercised: [],
      inventory: [],
    });
    const firstStatuses = await host.provider.listStatuses(first);
    expect(status(firstStatuses, 'gitops-promote/ops/parity')?.description).toMatch(
      /^rec:[0-9a-f]{16} applied 1 resources$/,
    );
    // The record travels on one branch that never grows: one commit on top of the recorded one.
    const recordBranch = git(fx.remote, 'rev-parse', 'refs/heads/gitops-promote/parity/ops');
    expect(git(fx.remote, 'rev-parse', `${recordBranch}^`)).toBe(first);
    ok(
      await host.run(appsRunner, {
        ...tagRun('apps-deploy-1', first),
        inputs: { environment: 'apps', operation: 'apply' },
      }),
    );

    // 2. A release that apps would make differently, and a resource only apps has.
    git(opsRunner, 'checkout', '-q', 'main');
    const second = fx.commit(
      { 'infra/main.tf': MAIN_TF.replace('default = "1"', 'default = "2"'), 'infra/extra.tf': EXTRA_TF },
      'Release 2 and an apps-only resource',
    );
    fx.git('push', '-q', 'origin', 'main');
    const opsApplied = ok(
      await host.run(opsRunner, { ...onMain(second), inputs: { environment: 'ops', operation: 'apply' } }),
    );
    expect(opsApplied).toMatchObject({ 'to-change': '1', 'to-replace': '0', 'to-add': '0' });
    expect(git(fx.remote, 'rev-parse', 'refs/heads/gitops-promote/parity/ops^')).toBe(second);

    // error: the plan fails, names both findings, and is not recorded as reviewable.
    checkout(appsRunner, 'refs/heads/main', second);
    const refused = await host.run(appsRunner, {
      ...onMain(second),
      inputs: { environment: 'apps', operation: 'plan', parity: 'error' },
    });
    expect(refused.code).not.toBe(0);
    expect(refused.failure).toContain('apps differs from ops');
    expect(refused.failure).toContain('replace terraform_data.app (ops: update)');
    expect(refused.failure).toContain('create terraform_data.extra[0] (ops: absent)');
    if (host.name !== 'terminal') {
      // The platforms keep the outputs a failed step gave out (the terminal prints JSON only on success).
      const report = JSON.parse(refused.outputs['parity-report']!);
      expect(refused.outputs.parity).toBe('differs');
      expect(report.unexercised).toEqual([
        { address: 'terraform_data.app', action: 'replace', previous: 'update' },
        { address: 'terraform_data.extra[0]', action: 'create', previous: 'absent' },
      ]);
      expect(report.inventory).toEqual([{ address: 'terraform_data.extra[0]', onlyIn: 'apps' }]);
      expect(refused.summary).toContain('Parity with ops: differs');
      expect(refused.summary).toContain('- `replace` `terraform_data.app` — ops: update');
      expect(refused.summary).toContain('- `terraform_data.extra[0]` — only in apps');
    }
    expect(status(await host.provider.listStatuses(second), 'gitops-promote/apps/plan')?.state).toBe(
      'failure',
    );

    // The tag run refuses to apply the plan nobody could review, and applies nothing.
    const before = stateAddresses(appsRunner, 'apps');
    const tagApply = await host.run(appsRunner, {
      ...tagRun('apps-deploy-2', second),
      inputs: { environment: 'apps', operation: 'apply' },
    });
    expect(tagApply.code).not.toBe(0);
    expect(tagApply.failure).toContain('apply refused');
    expect(stateAddresses(appsRunner, 'apps')).toEqual(before);
    expect(before).toEqual(['terraform_data.app="app-1"']);
    expect(status(await host.provider.listStatuses(second), 'gitops-promote/apps')?.state).not.toBe(
      'success',
    );

    // warn: the same findings as a warning; intended differences listed in parity.ignore: same.
    checkout(appsRunner, 'refs/heads/main', second);
    const warned = await host.run(appsRunner, {
      ...onMain(second),
      inputs: { environment: 'apps', operation: 'plan' },
    });
    expect(ok(warned).parity).toBe('differs');
    expect(warned.warnings.join('\n')).toContain('replace terraform_data.app (ops: update)');
    expect(JSON.parse(warned.outputs['parity-report']!).unexercised).toHaveLength(2);
    expect(status(await host.provider.listStatuses(second), 'gitops-promote/apps/plan')).toMatchObject({
      state: 'success',
      description: expect.stringMatching(/^fp:[0-9a-f]{16} \+1 ~0 -0 ±1 parity:differs$/),
    });
    const ignored = ok(
      await host.run(appsRunner, {
        ...onMain(second),
        inputs: { environment: 'apps', operation: 'plan', config: 'gitops-promote-ignoring.yaml' },
      }),
    );
    expect(ignored.parity).toBe('same');
    expect(JSON.parse(ignored['parity-report']!)).toMatchObject({ result: 'same', ignored: 2 });
  });
});
