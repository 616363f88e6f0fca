import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GitRemoteProvider } from '@gitops-promote/platform/providers/git';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type AzureDevOpsApi, startAzureApi } from './doubles/azure-api';
import { type GitHubApiDouble, isWrite, startGitHubDouble } from './doubles/github-api';
import { type BundleRun, runAzure, runGitHub, runTerminal } from './support/bundle';
import { type GitFixture, gitFixture } from './support/git';
import {
  azureProviderOn,
  githubProviderOn,
  ok,
  requireTerraform,
  TERRAFORM_GITIGNORE,
} from './support/hosts';

/**
 * Drift detection end to end, through the built bundles, the real terraform and a real bare remote, once
 * per platform: ops and apps applied at one commit, main moves ahead (ops applies it, apps does not), a
 * schedule gives each environment at its deployed commit, a resource removed from apps' state behind
 * Terraform's back is found (status, issue, result), reported again in place, and cleared after a repair.
 * A drift run never changes the state.
 */

const MAIN_TF = `
resource "terraform_data" "cluster" {
  input = "cluster-\${terraform.workspace}"
}
resource "terraform_data" "node_pool" {
  input = "pool-\${terraform.workspace}"
}
`;
/** What main gets after apps was deployed: apps would create it, which is no drift. */
const INGRESS_TF = 'resource "terraform_data" "ingress" {\n  input = "ingress"\n}\n';
const CONFIG =
  'terraform: { working-directory: infra, lock-timeout: 30s }\nstatus: { timeout: 5s, interval: 1s }\n';
const TAG = 'apps-deploy-20260101000000';
/** Newer by name, on main's head, never applied by apps (as when a tag run failed or has not run yet). */
const UNAPPLIED_TAG = 'apps-deploy-20270101000000';

beforeAll(requireTerraform);

interface Status {
  context: string;
  state: string;
  description: string;
}

type Event = 'push' | 'schedule';

interface Host {
  name: 'github' | 'azure' | 'terminal';
  run(
    step: string,
    o: { event: Event; ref: string; sha: string; inputs: Record<string, string> },
  ): Promise<BundleRun>;
  statuses(sha: string): Promise<Status[]>;
  close(): Promise<void>;
  github?: GitHubApiDouble;
}

async function githubHost(fx: GitFixture): Promise<Host> {
  const api = await startGitHubDouble(fx.remote);
  const provider = githubProviderOn(api);
  return {
    name: 'github',
    github: api,
    run: (step, o) =>
      runGitHub(step, {
        cwd: fx.work,
        event: o.event,
        ref: o.ref,
        sha: o.sha,
        env: api.env(),
        inputs: { token: api.token, ...o.inputs },
        payload: o.event === 'push' ? { ref: o.ref, deleted: false } : { schedule: '17 5 * * *' },
      }),
    statuses: (sha) => provider.listStatuses(sha),
    close: () => api.close(),
  };
}

async function azureHost(fx: GitFixture): Promise<Host> {
  const api: AzureDevOpsApi = await startAzureApi({ repo: fx.remote });
  const provider = azureProviderOn(api);
  return {
    name: 'azure',
    run: (step, o) =>
      runAzure(step, {
        cwd: fx.work,
        reason: o.event === 'push' ? 'IndividualCI' : 'Schedule',
        sourceBranch: o.ref,
        sha: o.sha,
        env: api.env(),
        inputs: o.inputs,
      }),
    statuses: (sha) => provider.listStatuses(sha),
    close: () => api.close(),
  };
}

/** A terminal with the plain Git provider: statuses as notes on the remote. */
async function terminalHost(fx: GitFixture): Promise<Host> {
  const provider = new GitRemoteProvider({ cwd: fx.work });
  return {
    name: 'terminal',
    run: (step, o) => {
      const inputs = { ...o.inputs };
      if (step === 'determine-environment') Object.assign(inputs, { ref: o.ref, event: o.event, sha: o.sha });
      else if (step === 'promote-tag') inputs.sha ??= o.sha;
      return runTerminal(step, { cwd: fx.work, inputs });
    },
    statuses: (sha) => provider.listStatuses(sha),
    close: async () => {},
  };
}

function stateFile(fx: GitFixture, workspace: string): string {
  return join(fx.work, 'infra', 'terraform.tfstate.d', workspace, 'terraform.tfstate');
}

function terraform(fx: GitFixture, ...args: string[]): void {
  execFileSync('terraform', args, { cwd: join(fx.work, 'infra'), stdio: 'ignore' });
}

let host: Host | undefined;
afterEach(async () => {
  await host?.close();
  host = undefined;
});

describe.each([
  ['GitHub Actions + GitHub API', githubHost],
  ['Azure Pipelines + Azure DevOps API', azureHost],
  ['terminal + plain Git', terminalHost],
])('drift on %s', (_title, makeHost) => {
  it('matrix at the deployed commits; drift found, reported once and in place, cleared after repair; state untouched', async () => {
    const fx = gitFixture({
      '.gitignore': TERRAFORM_GITIGNORE,
      'gitops-promote.yaml': CONFIG,
      'infra/main.tf': MAIN_TF,
    });
    host = await makeHost(fx);
    const deployed = fx.git('rev-parse', 'HEAD');
    const onMain = (sha: string) => ({ event: 'push' as const, ref: 'refs/heads/main', sha });

    // ops applies, apps is planned, tagged and applied: both run `deployed`.
    ok(
      await host.run('terraform-run', {
        ...onMain(deployed),
        inputs: { environment: 'ops', operation: 'apply' },
      }),
    );
    ok(
      await host.run('terraform-run', {
        ...onMain(deployed),
        inputs: { environment: 'apps', operation: 'plan' },
      }),
    );
    ok(await host.run('promote-tag', { ...onMain(deployed), inputs: { tag: TAG } }));
    if (host.name === 'terminal') fx.git('fetch', '-q', 'origin', 'tag', TAG);
    ok(
      await host.run('terraform-run', {
        event: 'push',
        ref: `refs/tags/${TAG}`,
        sha: deployed,
        inputs: { environment: 'apps', operation: 'apply' },
      }),
    );

    // main moves ahead: ops applies it, apps does not (a newer deploy tag exists, never applied).
    const head = fx.commit({ 'infra/ingress.tf': INGRESS_TF }, 'Add an ingress');
    fx.git('push', '-q', 'origin', 'main');
    ok(
      await host.run('terraform-run', {
        ...onMain(head),
        inputs: { environment: 'ops', operation: 'apply' },
      }),
    );
    fx.git('tag', UNAPPLIED_TAG, head);
    fx.git('push', '-q', 'origin', UNAPPLIED_TAG);

    // The schedule: every environment at its deployed commit; apps at its applied tag, not at main's head.
    const schedule = { event: 'schedule' as const, ref: 'refs/heads/main', sha: head };
    const decided = ok(await host.run('determine-environment', { ...schedule, inputs: {} }));
    expect(decided.operation).toBe('drift');
    expect(JSON.parse(decided.matrix!)).toEqual({
      include: [
        { environment: 'ops', workspace: 'ops', operation: 'drift', ref: 'refs/heads/main', sha: head },
        {
          environment: 'apps',
          workspace: 'apps',
          operation: 'drift',
          ref: `refs/tags/${TAG}`,
          sha: deployed,
        },
      ],
    });
    expect(decided.reason).toContain(`apps at ${TAG}`);

    const driftRun = async (environment: string, at: string) => {
      fx.git('checkout', '-q', '--detach', at);
      try {
        return await host!.run('terraform-run', { ...schedule, inputs: { environment, operation: 'drift' } });
      } finally {
        fx.git('checkout', '-q', 'main');
      }
    };
    const driftStatus = async (environment: string, sha: string) =>
      (await host!.statuses(sha)).find((s) => s.context === `gitops-promote/${environment}/drift`);
    const openIssues = () =>
      (host!.github?.issues() ?? []).filter(
        (i) => i.state === 'open' && JSON.stringify(i.labels).includes('gitops-promote:drift'),
      );

    // No drift anywhere: main being ahead of apps is not drift.
    const opsClean = await driftRun('ops', head);
    expect(ok(opsClean)).toMatchObject({ drift: 'false', exitcode: '0' });
    const appsClean = await driftRun('apps', deployed);
    expect(ok(appsClean)).toMatchObject({ drift: 'false', exitcode: '0', 'has-changes': 'false' });
    expect(await driftStatus('apps', deployed)).toMatchObject({ state: 'success', description: 'no drift' });
    // The status goes on the commit checked out, not on the run's own (main's head).
    expect(await driftStatus('apps', head)).toBeUndefined();
    if (host.name === 'azure') expect(appsClean.result).toBe('Succeeded');
    expect(openIssues()).toEqual([]);

    // A resource removed behind Terraform's back.
    terraform(fx, 'workspace', 'select', 'apps');
    terraform(fx, 'state', 'rm', 'terraform_data.node_pool');
    const before = readFileSync(stateFile(fx, 'apps'));
    const found = await driftRun('apps', deployed);
    expect(ok(found)).toMatchObject({ drift: 'true', exitcode: '2', 'to-add': '1', 'has-changes': 'true' });
    expect(readFileSync(stateFile(fx, 'apps')).equals(before), 'a drift run never changes the state').toBe(
      true,
    );
    expect(`${found.stdout}${found.stderr}`).not.toMatch(/terraform apply/);
    expect(await driftStatus('apps', deployed)).toMatchObject({
      state: 'failure',
      description: 'drift: +1 ~0 -0 ±0',
    });
    if (host.name === 'azure') {
      expect(found.result).toBe('SucceededWithIssues');
      expect(found.summary).toContain('terraform_data.node_pool');
    }
    expect(found.warnings.join('\n')).toContain('apps has drifted from its deployed commit');
    if (host.name === 'github') {
      const [issue, ...more] = openIssues();
      expect(more).toEqual([]);
      expect(issue!.title).toContain('Drift in apps');
      expect(String(issue!.body)).toContain('terraform_data.node_pool');
      expect(String(issue!.body)).toContain(deployed);

      // The next drifted run updates the same issue in place.
      ok(await driftRun('apps', deployed));
      expect(openIssues().map((i) => i.number)).toEqual([issue!.number]);
      expect(host.github!.issues()).toHaveLength(1);
    }
    expect(readFileSync(stateFile(fx, 'apps')).equals(before)).toBe(true);

    // Repaired by applying the deployed commit again: the drift is gone, the issue closed with a comment.
    fx.git('checkout', '-q', '--detach', deployed);
    terraform(fx, 'apply', '-auto-approve', '-input=false');
    fx.git('checkout', '-q', 'main');
    const cleared = await driftRun('apps', deployed);
    expect(ok(cleared)).toMatchObject({ drift: 'false' });
    expect(await driftStatus('apps', deployed)).toMatchObject({ state: 'success', description: 'no drift' });
    if (host.name === 'github') {
      expect(openIssues()).toEqual([]);
      const [closed] = host.github!.issues();
      expect(closed).toMatchObject({ state: 'closed' });
      const comments = host.github!.comments(Number(closed!.number));
      expect(comments.map((c) => String(c.body))).toEqual([
        `The drift run at ${deployed.slice(0, 12)} found no drift in apps: closing.`,
      ]);
    }
  });

  it('leaves out an environment that was never applied, and says so', async () => {
    const fx = gitFixture({ 'gitops-promote.yaml': CONFIG, 'infra/main.tf': MAIN_TF });
    host = await makeHost(fx);
    const head = fx.git('rev-parse', 'HEAD');
    const decided = ok(
      await host.run('determine-environment', {
        event: 'schedule',
        ref: 'refs/heads/main',
        sha: head,
        inputs: {},
      }),
    );
    expect(JSON.parse(decided.matrix!).include).toEqual([
      { environment: 'ops', workspace: 'ops', operation: 'drift', ref: 'refs/heads/main', sha: head },
    ]);
    expect(decided.reason).toContain(
      'Left out, never applied: apps (it has no deploy tag (apps-deploy-*) yet)',
    );
  });

  it('looks at no more than the 20 newest deploy tags, one status read per commit', async () => {
    const fx = gitFixture({ 'gitops-promote.yaml': CONFIG, 'infra/main.tf': MAIN_TF });
    host = await makeHost(fx);
    // 25 deploy tags on 25 commits, none applied by apps.
    for (let i = 10; i < 35; i++) {
      fx.commit({}, `change ${i}`);
      fx.git('tag', `apps-deploy-202601010000${i}`);
    }
    fx.git('push', '-q', 'origin', 'main', '--tags');
    const head = fx.git('rev-parse', 'HEAD');
    const decided = ok(
      await host.run('determine-environment', {
        event: 'schedule',
        ref: 'refs/heads/main',
        sha: head,
        inputs: {},
      }),
    );
    expect(JSON.parse(decided.matrix!).include.map((m: { environment: string }) => m.environment)).toEqual([
      'ops',
    ]);
    expect(decided.reason).toContain(
      'apps (none of its 20 newest deploy tags (apps-deploy-*) is on a commit it applied successfully)',
    );
    if (host.github) expect(host.github.requestsTo('GET', /\/commits\/[0-9a-f]+\/statuses$/).length).toBe(20);
  });
});

describe('drift on GitHub: what is refused, and the one-step recipe', () => {
  it('a token without issues: write still reports drift (status, warning) and says which permission is missing', async () => {
    const fx = gitFixture({ 'gitops-promote.yaml': CONFIG, 'infra/main.tf': MAIN_TF });
    host = await githubHost(fx);
    const sha = fx.git('rev-parse', 'HEAD');
    const push = { event: 'push' as const, ref: 'refs/heads/main', sha };
    ok(await host.run('terraform-run', { ...push, inputs: { environment: 'ops', operation: 'apply' } }));
    terraform(fx, 'workspace', 'select', 'ops');
    terraform(fx, 'state', 'rm', 'terraform_data.cluster');
    host.github!.deny('issues:write');
    const r = await host.run('terraform-run', {
      event: 'schedule',
      ref: 'refs/heads/main',
      sha,
      inputs: { environment: 'ops', operation: 'drift' },
    });
    expect(ok(r)).toMatchObject({ drift: 'true', 'to-add': '1' });
    expect(r.warnings.join('\n')).toContain('could not keep the drift issue of ops');
    expect(r.warnings.join('\n')).toContain('issues: write');
    expect(host.github!.issues()).toEqual([]);
    expect((await host.statuses(sha)).find((s) => s.context === 'gitops-promote/ops/drift')).toMatchObject({
      state: 'failure',
    });
  });

  it('the one-step recipe on a schedule runs nothing and writes nothing: drift needs a checkout per environment', async () => {
    const fx = gitFixture({ 'gitops-promote.yaml': CONFIG, 'infra/main.tf': MAIN_TF });
    host = await githubHost(fx);
    const sha = fx.git('rev-parse', 'HEAD');
    const r = await host.run('pipeline', { event: 'schedule', ref: 'refs/heads/main', sha, inputs: {} });
    expect(ok(r)).toMatchObject({ operation: 'drift', environment: '' });
    expect(`${r.stdout}${r.stderr}`).toContain('terraform-run with operation: drift for each entry');
    expect(host.github!.requests.filter(isWrite)).toEqual([]);
    expect(existsSync(join(fx.work, 'infra', '.terraform'))).toBe(false);
  });
});
