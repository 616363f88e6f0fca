import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GitRemoteProvider } from '@gitops-promote/platform/providers/git';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type AzureDevOpsApi, startAzureApi } from './doubles/azure-api';
import { GITHUB_ERRORS, type GitHubApiDouble, startGitHubDouble } from './doubles/github-api';
import { type BundleRun, runAzure, runGitHub, runTerminal } from './support/bundle';
import { type GitFixture, git, gitFixture } from './support/git';
import {
  azureProviderOn,
  githubProviderOn,
  ok,
  requireTerraform,
  TERRAFORM_GITIGNORE,
} from './support/hosts';

/**
 * The Kubestack flow end to end, through the built bundles, the real terraform and a real bare remote:
 * feature branch plan → merge → ops applied → apps planned (fingerprint recorded) → promote-tag →
 * tag run: gate passes → apps applied with the reviewed plan. Once per platform.
 */

const MAIN_TF = `
variable "replicas" {
  type    = number
  default = 2
}
resource "terraform_data" "cluster" {
  input = "cluster-\${terraform.workspace}"
}
resource "terraform_data" "node_pool" {
  input = { name = "pool-\${terraform.workspace}", replicas = var.replicas }
}
output "cluster" {
  value = terraform_data.cluster.output
}
output "kubeconfig" {
  value     = "secret-kubeconfig-\${terraform.workspace}"
  sensitive = true
}
`;

const FEATURE_TF = `
resource "terraform_data" "ingress" {
  input = "ingress-\${terraform.workspace}"
}
`;

const CONFIG =
  'terraform: { working-directory: infra, lock-timeout: 30s }\nstatus: { timeout: 5s, interval: 1s }\n';

beforeAll(requireTerraform);

interface Status {
  context: string;
  state: string;
  description: string;
}

/** One platform's way of running a step and of looking at what the hosting service received. */
interface Host {
  name: string;
  run(
    step: string,
    o: {
      event: 'push' | 'pull-request';
      ref: string;
      sha: string;
      inputs: Record<string, string>;
      pr?: { number: number; base: string; head: string };
    },
  ): Promise<BundleRun>;
  statuses(sha: string): Promise<Status[]>;
  openPullRequest(head: string, base: string): Promise<number>;
  merge(pr: number, head: string): Promise<string>;
  comments(pr: number): string[];
  /** Writes a commit status as another run (or a person) would. */
  record(sha: string, status: Status): Promise<void>;
  /** From now on, commit status writes are refused as the service refuses a token without the permission. */
  refuseStatusWrites(): void;
  /** The next commit status write is answered 401, as for a token the service does not accept. */
  rejectNextStatusWrite(): void;
  /** The permission the refusal names. */
  statusPermission: string;
  close(): Promise<void>;
  /** The token the hosting service accepts (GitHub), for tests about tokens. */
  token?: string;
}

async function githubHost(fx: GitFixture): Promise<Host> {
  const api: GitHubApiDouble = await startGitHubDouble(fx.remote);
  const provider = githubProviderOn(api, { writeIntervalMs: 0 });
  return {
    name: 'github',
    token: api.token,
    run: (step, o) =>
      runGitHub(step, {
        cwd: fx.work,
        event: o.event === 'push' ? 'push' : 'pull_request',
        ref: o.ref,
        sha: o.sha,
        env: { ...api.env() },
        inputs: { token: api.token, ...o.inputs },
        payload: o.pr
          ? {
              number: o.pr.number,
              pull_request: {
                number: o.pr.number,
                base: { ref: o.pr.base },
                head: { ref: o.pr.head, sha: o.sha },
              },
            }
          : { ref: o.ref, deleted: false },
      }),
    statuses: (sha) => provider.listStatuses(sha),
    openPullRequest: async (head, base) =>
      (await provider.createPullRequest({ head, base, title: `Merge ${head}`, body: '' })).number,
    merge: (pr) => api.mergePullRequest(pr),
    comments: (pr) => api.comments(pr).map((c) => String(c.body)),
    record: (sha, st) => provider.setStatus(sha, { ...st, state: st.state as 'success' }),
    // 403 "Resource not accessible by integration", GitHub's answer to a token without statuses: write.
    refuseStatusWrites: () => api.deny('statuses:write'),
    rejectNextStatusWrite: () =>
      api.failNext({ method: 'POST', path: '/statuses/', ...GITHUB_ERRORS.badCredentials }),
    statusPermission: 'GitHub: `permissions: { statuses: write }`',
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
        reason: o.event === 'push' ? 'IndividualCI' : 'PullRequest',
        sourceBranch: o.ref,
        sha: o.sha,
        env: { ...api.env() },
        inputs: o.inputs,
        ...(o.pr
          ? {
              pullRequest: {
                id: o.pr.number,
                target: `refs/heads/${o.pr.base}`,
                source: `refs/heads/${o.pr.head}`,
                sourceCommit: o.sha,
              },
            }
          : {}),
      }),
    statuses: (sha) => provider.listStatuses(sha),
    openPullRequest: async (head, base) =>
      (await provider.createPullRequest({ head, base, title: `Merge ${head}`, body: '' })).number,
    merge: (pr) => api.completePullRequest(pr),
    comments: (pr) =>
      api
        .threads(pr)
        .flatMap((t) =>
          ((t as { comments?: { content?: string }[] }).comments ?? []).map((c) => String(c.content)),
        ),
    record: (sha, st) => provider.setStatus(sha, { ...st, state: st.state as 'success' }),
    // 403 TF401027 "You need the Git 'GenericContribute' permission", as for a build service without Contribute.
    refuseStatusWrites: () => api.deny('GenericContribute'),
    // Azure DevOps' TypeKey body for 401 (TF400813 UnauthorizedRequestException).
    rejectNextStatusWrite: () => api.failNext({ method: 'POST', path: '/statuses', status: 401 }),
    statusPermission: 'Azure DevOps: allow "Contribute" on the repository for the build service identity',
    close: () => api.close(),
  };
}

/** A terminal with the plain Git provider: statuses as notes on the remote; no pull requests. */
async function terminalHost(fx: GitFixture): Promise<Host> {
  const provider = new GitRemoteProvider({ cwd: fx.work });
  return {
    name: 'terminal',
    run: (step, o) => {
      // A terminal acts on what is checked out: a tag run is a checkout of the tag, as CI would do.
      if (o.ref.startsWith('refs/tags/')) {
        const tag = o.ref.slice('refs/tags/'.length);
        if (!fx.git('tag', '--list', tag)) fx.git('tag', tag, o.sha);
        fx.git('checkout', '-q', '--detach', o.ref);
      }
      const inputs = { ...o.inputs };
      if (step === 'determine-environment')
        Object.assign(
          inputs,
          { ref: o.ref, event: o.event, sha: o.sha },
          o.pr ? { 'base-ref': o.pr.base } : {},
        );
      else if (['check-previous-env', 'promote-tag'].includes(step)) inputs.sha ??= o.sha;
      return runTerminal(step, { cwd: fx.work, inputs });
    },
    statuses: (sha) => provider.listStatuses(sha),
    openPullRequest: async () => 0,
    merge: async (_pr, head) => {
      fx.git('checkout', '-q', 'main');
      fx.git('merge', '-q', '--no-ff', '-m', `Merge ${head}`, head);
      fx.git('push', '-q', 'origin', 'main');
      return fx.git('rev-parse', 'HEAD');
    },
    comments: () => [],
    record: (sha, st) => provider.setStatus(sha, { ...st, state: st.state as 'success' }),
    // A remote whose hook refuses the notes ref, as a server that does not let this user push it.
    refuseStatusWrites: () => {
      const hook = join(fx.remote, 'hooks', 'pre-receive');
      writeFileSync(
        hook,
        '#!/bin/sh\nwhile read old new ref; do\n  case "$ref" in refs/notes/*) echo "refusing $ref: not allowed for this user" >&2; exit 1;; esac\ndone\n',
      );
      chmodSync(hook, 0o755);
    },
    rejectNextStatusWrite: () => {
      throw new Error('a plain Git remote has no token to reject');
    },
    statusPermission: 'plain Git: the remote must accept a push to refs/notes/gitops-promote',
    close: async () => {},
  };
}

function workspaceResources(fx: GitFixture, workspace: string): string[] {
  const file = join(fx.work, 'infra', 'terraform.tfstate.d', workspace, 'terraform.tfstate');
  if (!existsSync(file)) return [];
  const state = JSON.parse(readFileSync(file, 'utf8')) as { resources: { type: string; name: string }[] };
  return state.resources.map((r) => `${r.type}.${r.name}`).sort();
}

function repo(): GitFixture {
  return gitFixture({
    '.gitignore': TERRAFORM_GITIGNORE,
    'gitops-promote.yaml': CONFIG,
    'infra/main.tf': MAIN_TF,
  });
}

/**
 * What a person reads in the log: the platforms' own masking commands (which carry the secret to the
 * runner so that it hides it everywhere) and the output-variable lines (masked by the agent) left out.
 */
function visibleLog(r: BundleRun): string {
  return `${r.stdout}\n${r.stderr}`
    .split('\n')
    .filter(
      (l) =>
        !/^::add-mask::|^##vso\[task\.setsecret\]|^##vso\[task\.setvariable |^##vso\[task\.debug\]set /.test(
          l,
        ),
    )
    .join('\n');
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
])('Kubestack flow on %s', (_title, makeHost) => {
  it('plans the feature branch, applies ops, plans apps, tags, gates and applies the reviewed apps plan', async () => {
    const fx = repo();
    host = await makeHost(fx);
    const pulls = host.name !== 'terminal';

    // 1. A feature branch with a pull request into main: plan ops, comment, record the plan.
    fx.git('checkout', '-q', '-b', 'feature/ingress');
    const head = fx.commit({ 'infra/ingress.tf': FEATURE_TF }, 'Add an ingress');
    fx.git('push', '-q', 'origin', 'feature/ingress');
    const pr = pulls ? await host.openPullRequest('feature/ingress', 'main') : 0;
    const prEvent = {
      event: 'pull-request' as const,
      ref: pulls ? `refs/pull/${pr}/merge` : 'refs/heads/feature/ingress',
      sha: head,
      pr: { number: pr, base: 'main', head: 'feature/ingress' },
    };
    const decided = ok(await host.run('determine-environment', { ...prEvent, inputs: {} }));
    expect(decided).toMatchObject({ environment: 'ops', operation: 'plan' });
    const featurePlan = ok(
      await host.run('terraform-run', { ...prEvent, inputs: { environment: 'ops', operation: 'plan' } }),
    );
    expect(featurePlan).toMatchObject({
      'has-changes': 'true',
      'to-add': '3',
      'to-change': '0',
      'to-destroy': '0',
      'to-replace': '0',
      exitcode: '2',
    });
    expect(workspaceResources(fx, 'ops')).toEqual([]);
    // Plan files (secrets in clear) go to the folder the platform empties after the job.
    const jobTemp = { github: '/gp-gh-', azure: '/gp-az-', terminal: '/gitops-promote-ops-' }[host.name]!;
    expect(featurePlan['plan-file']).toContain(jobTemp);
    if (pulls) {
      const comments = host.comments(pr);
      expect(comments).toHaveLength(1);
      expect(comments[0]).toContain('terraform_data.ingress');
      expect(comments[0]).not.toContain('secret-kubeconfig');
      // What a reviewer needs: which commit, which run, what changes attribute by attribute; no temp paths.
      expect(comments[0]).toContain(`commit \`${head.slice(0, 12)}\``);
      expect(comments[0]).toMatch(
        host.name === 'github'
          ? /\[run log\]\(http[^)]+\/actions\/runs\/4242\)/
          : /\[run log\]\(http[^)]+\/_build\/results\?buildId=4242\)/,
      );
      expect(comments[0]).toContain('+ input = "ingress-ops"');
      expect(comments[0]).toContain(
        '`terraform plan -input=false -no-color -lock-timeout=30s -detailed-exitcode -out=tfplan`',
      );
      expect(comments[0]).not.toContain(featurePlan['plan-file']!.replace(/\/tfplan$/, ''));
      // A second plan updates the same comment.
      ok(await host.run('terraform-run', { ...prEvent, inputs: { environment: 'ops', operation: 'plan' } }));
      expect(host.comments(pr)).toHaveLength(1);
    }
    expect(
      (await host.statuses(head)).find((s) => s.context === 'gitops-promote/ops/plan')?.description,
    ).toMatch(/^fp:[0-9a-f]{16} \+3 ~0 -0/);

    // 2. Merged: the push to main applies ops, then plans apps.
    const merge = await host.merge(pr, 'feature/ingress');
    fx.git('fetch', '-q', 'origin');
    fx.git('checkout', '-q', 'main');
    fx.git('reset', '-q', '--hard', merge);
    const push = { event: 'push' as const, ref: 'refs/heads/main', sha: merge };
    const onMain = ok(await host.run('determine-environment', { ...push, inputs: {} }));
    expect(onMain).toMatchObject({
      environment: 'ops',
      operation: 'apply',
      'plan-next': 'true',
      'next-environment': 'apps',
    });
    const opsApplied = ok(
      await host.run('terraform-run', { ...push, inputs: { environment: 'ops', operation: 'apply' } }),
    );
    expect(opsApplied['to-add']).toBe('3');
    expect(JSON.parse(opsApplied.outputs!)).toMatchObject({ cluster: 'cluster-ops' });
    expect(workspaceResources(fx, 'ops')).toEqual([
      'terraform_data.cluster',
      'terraform_data.ingress',
      'terraform_data.node_pool',
    ]);
    const appsPlan = ok(
      await host.run('terraform-run', { ...push, inputs: { environment: 'apps', operation: 'plan' } }),
    );
    expect(appsPlan['to-add']).toBe('3');
    const onMerge = await host.statuses(merge);
    expect(onMerge.find((s) => s.context === 'gitops-promote/ops')).toMatchObject({
      state: 'success',
      description: 'applied +3 ~0 -0 ±0',
    });
    // apps was compared with what ops applied for this commit (environment parity): the same.
    expect(onMerge.find((s) => s.context === 'gitops-promote/apps/plan')?.description).toBe(
      `fp:${appsPlan.fingerprint!.slice(0, 16)} +3 ~0 -0 ±0 parity:same`,
    );

    // 3. Promote: the deploy tag is created on the merge commit, once.
    const promoted = ok(await host.run('promote-tag', { ...push, inputs: {} }));
    expect(promoted).toMatchObject({ environment: 'apps', sha: merge, created: 'true' });
    const tag = promoted.tag!;
    expect(tag).toMatch(/^apps-deploy-\d{14}$/);
    expect(git(fx.remote, 'rev-parse', `${tag}^{commit}`)).toBe(merge);
    expect(ok(await host.run('promote-tag', { ...push, inputs: {} }))).toMatchObject({
      tag,
      created: 'false',
    });

    // 4. The tag run: the gate passes, apps applies exactly the reviewed plan.
    const tagRun = { event: 'push' as const, ref: `refs/tags/${tag}`, sha: merge };
    expect(ok(await host.run('determine-environment', { ...tagRun, inputs: {} }))).toMatchObject({
      environment: 'apps',
      operation: 'apply',
      'previous-environment': 'ops',
    });
    expect(ok(await host.run('check-previous-env', { ...tagRun, inputs: {} }))).toMatchObject({
      state: 'success',
      'previous-environment': 'ops',
      'checked-sha': merge,
    });
    const appsApplied = await host.run('terraform-run', {
      ...tagRun,
      inputs: { environment: 'apps', operation: 'apply' },
    });
    ok(appsApplied);
    expect(appsApplied.outputs.fingerprint).toBe(appsPlan.fingerprint);
    expect(`${appsApplied.stdout}${appsApplied.stderr}`).toContain('matches the plan recorded for review');
    expect(visibleLog(appsApplied)).not.toContain('secret-kubeconfig-apps');
    expect(appsApplied.summary).not.toContain('secret-kubeconfig-apps');
    // The outputs output carries real values for later steps; the terminal prints them, so it masks them.
    const kubeconfig = host.name === 'terminal' ? '***' : 'secret-kubeconfig-apps';
    expect(JSON.parse(appsApplied.outputs.outputs!)).toMatchObject({ cluster: 'cluster-apps', kubeconfig });
    expect(workspaceResources(fx, 'apps')).toEqual([
      'terraform_data.cluster',
      'terraform_data.ingress',
      'terraform_data.node_pool',
    ]);
    expect((await host.statuses(merge)).find((s) => s.context === 'gitops-promote/apps')).toMatchObject({
      state: 'success',
      description: 'applied +3 ~0 -0 ±0',
    });
    if (host.name !== 'terminal') expect(appsApplied.summary).toContain('terraform_data.node_pool');
  });

  it('refuses an apply whose fresh plan differs from the reviewed one, and applies it with a warning under warn', async () => {
    const fx = repo();
    host = await makeHost(fx);
    const sha = fx.git('rev-parse', 'HEAD');
    const push = { event: 'push' as const, ref: 'refs/heads/main', sha };
    ok(await host.run('terraform-run', { ...push, inputs: { environment: 'ops', operation: 'apply' } }));
    const reviewed = ok(
      await host.run('terraform-run', { ...push, inputs: { environment: 'apps', operation: 'plan' } }),
    );
    // The apps state moves on behind the reviewers' back: a resource is applied by hand.
    const infra = join(fx.work, 'infra');
    execFileSync('terraform', ['workspace', 'select', 'apps'], { cwd: infra, stdio: 'ignore' });
    execFileSync('terraform', ['apply', '-auto-approve', '-input=false', '-target=terraform_data.cluster'], {
      cwd: infra,
      stdio: 'ignore',
    });

    const tagRun = { event: 'push' as const, ref: 'refs/tags/apps-deploy-1', sha };
    const refused = await host.run('terraform-run', {
      ...tagRun,
      inputs: { environment: 'apps', operation: 'apply' },
    });
    expect(refused.code).toBe(1);
    expect(refused.failure).toContain(
      'apply refused: the fresh plan for apps differs from the plan recorded for review',
    );
    expect(refused.failure).toContain('Nothing was applied');
    if (host.name !== 'terminal') {
      // The summary lays the refusal out as lists: the two plans, then what the fresh one would do.
      expect(refused.summary).toMatch(/> \*\*Failed:\*\* apply refused: [^\n]*\n\n- Nothing was applied/);
      expect(refused.summary).toMatch(
        /- \*\*Reviewed plan:\*\* `\+2 ~0 -0 ±0` · fingerprint `[0-9a-f]{16}`\n- \*\*Fresh plan:\*\* `\+1 /,
      );
      expect(refused.summary).toContain('**The fresh plan would:**\n\n- `create terraform_data.node_pool`');
    }
    expect(workspaceResources(fx, 'apps')).toEqual(['terraform_data.cluster']);
    expect((await host.statuses(sha)).find((s) => s.context === 'gitops-promote/apps')?.state).toBe(
      'failure',
    );

    const warned = await host.run('terraform-run', {
      ...tagRun,
      inputs: { environment: 'apps', operation: 'apply', 'require-reviewed-plan': 'warn' },
    });
    ok(warned);
    expect(warned.outputs.fingerprint).not.toBe(reviewed.fingerprint);
    expect(warned.warnings.join('\n')).toContain('differs from the plan recorded for review');
    expect(workspaceResources(fx, 'apps')).toEqual(['terraform_data.cluster', 'terraform_data.node_pool']);
  });

  it('a tag run refuses when ops failed, and the gate refuses a tag on an unmerged commit', async () => {
    const fx = repo();
    host = await makeHost(fx);
    const sha = fx.git('rev-parse', 'HEAD');
    writeFileSync(
      join(fx.work, 'infra', 'broken.tf'),
      'resource "terraform_data" "x" {\n  input = var.missing\n}\n',
    );
    const push = { event: 'push' as const, ref: 'refs/heads/main', sha };
    const failed = await host.run('terraform-run', {
      ...push,
      inputs: { environment: 'ops', operation: 'apply' },
    });
    expect(failed.code).toBe(1);
    expect((await host.statuses(sha)).find((s) => s.context === 'gitops-promote/ops')?.state).toBe('failure');
    const noTag = await host.run('promote-tag', { ...push, inputs: { environment: 'apps' } });
    expect(noTag.code).toBe(1);
    expect(noTag.failure).toContain(`ops failed for commit ${sha.slice(0, 12)}`);
    expect(git(fx.remote, 'tag', '--list')).toBe('');
    const gate = await host.run('check-previous-env', {
      event: 'push',
      ref: 'refs/tags/apps-deploy-1',
      sha,
      inputs: {},
    });
    expect(gate.code).toBe(1);
    expect(gate.failure).toContain('ops failed');

    fx.git('checkout', '-q', '-b', 'unmerged');
    const unmerged = fx.commit({ 'x.txt': 'x' });
    fx.git('push', '-q', 'origin', 'unmerged');
    const gateUnmerged = await host.run('check-previous-env', {
      event: 'push',
      ref: 'refs/tags/apps-deploy-2',
      sha: unmerged,
      inputs: {},
    });
    expect(gateUnmerged.code).toBe(1);
    expect(gateUnmerged.failure).toContain(`commit ${unmerged.slice(0, 12)} is not on main`);
  });

  it('refuses a tag run with no recorded plan (or a record that is no successful plan); warn applies it', async () => {
    const fx = repo();
    host = await makeHost(fx);
    const sha = fx.git('rev-parse', 'HEAD');
    const short = sha.slice(0, 12);
    ok(
      await host.run('terraform-run', {
        event: 'push',
        ref: 'refs/heads/main',
        sha,
        inputs: { environment: 'ops', operation: 'apply' },
      }),
    );
    const tagRun = { event: 'push' as const, ref: 'refs/tags/apps-deploy-1', sha };
    const apply = { environment: 'apps', operation: 'apply' };
    const refused = await host.run('terraform-run', { ...tagRun, inputs: apply });
    expect(refused.code).toBe(1);
    expect(refused.failure).toContain(
      `apply refused: no plan was recorded for apps on ${short} (gitops-promote/apps/plan), and a deploy tag run ` +
        '(apps-deploy-1) promotes a change to apps, so it needs a plan recorded for review (require-reviewed-plan: error).',
    );
    expect(refused.failure).toContain(
      `Nothing was applied. Plan this commit for apps first (operation: plan records gitops-promote/apps/plan on ${short}), ` +
        'have the plan reviewed, then run the apply again; or set require-reviewed-plan: warn.',
    );
    expect(`${refused.stdout}${refused.stderr}`).not.toMatch(/terraform apply -input/);
    expect(workspaceResources(fx, 'apps')).toEqual([]);
    // As when the fresh plan differs: the environment's status says the apply failed, and nothing else is written.
    const after = await host.statuses(sha);
    // (ops' parity record, SPEC §5, was written by its apply: the record apps' plans compare with.)
    expect(after.map((st) => `${st.context}=${st.state}`).sort()).toEqual([
      'gitops-promote/apps=failure',
      'gitops-promote/ops/parity=success',
      'gitops-promote/ops=success',
    ]);
    expect(after.find((st) => st.context === 'gitops-promote/apps')?.description).toMatch(
      /^apply refused: no plan was recorded for apps on /,
    );

    // A failed or pending plan status, or one that is not a plan record, is no reviewed plan either.
    for (const [state, description] of [
      ['failure', 'terraform plan failed'],
      ['pending', 'planning'],
      ['success', 'looks good to me'],
    ] as const) {
      await host.record(sha, { context: 'gitops-promote/apps/plan', state, description });
      const r = await host.run('terraform-run', { ...tagRun, inputs: apply });
      expect(r.code).toBe(1);
      expect(r.failure).toContain(
        `apply refused: gitops-promote/apps/plan on ${short} is ${state} ("${description}"), not a recorded successful plan, and a deploy tag run`,
      );
      expect(workspaceResources(fx, 'apps')).toEqual([]);
    }

    const warned = await host.run('terraform-run', {
      ...tagRun,
      inputs: { ...apply, 'require-reviewed-plan': 'warn' },
    });
    ok(warned);
    expect(warned.warnings.join('\n')).toContain(
      `gitops-promote/apps/plan on ${short} is success ("looks good to me"), not a recorded successful plan; ` +
        'applying a plan nobody reviewed (require-reviewed-plan: warn)',
    );
    expect(workspaceResources(fx, 'apps')).toEqual(['terraform_data.cluster', 'terraform_data.node_pool']);
    expect((await host.statuses(sha)).find((st) => st.context === 'gitops-promote/apps')?.state).toBe(
      'success',
    );
  });

  it('a plan that a promotion needs fails when its record cannot be written; the tag run then refuses', async () => {
    const fx = repo();
    host = await makeHost(fx);
    const sha = fx.git('rev-parse', 'HEAD');
    const push = { event: 'push' as const, ref: 'refs/heads/main', sha };
    ok(await host.run('terraform-run', { ...push, inputs: { environment: 'ops', operation: 'apply' } }));
    host.refuseStatusWrites();
    // ops' own plan record is for reviewers only (its apply on main promotes nothing): a warning.
    const opsPlan = await host.run('terraform-run', {
      ...push,
      inputs: { environment: 'ops', operation: 'plan' },
    });
    ok(opsPlan);
    expect(opsPlan.warnings.join('\n')).toContain(
      'could not write the commit status gitops-promote/ops/plan',
    );

    const appsPlan = await host.run('terraform-run', {
      ...push,
      inputs: { environment: 'apps', operation: 'plan' },
    });
    expect(appsPlan.code).toBe(1);
    expect(appsPlan.failure).toContain(
      `could not record the plan of apps for review as gitops-promote/apps/plan on ${sha.slice(0, 12)}: `,
    );
    expect(appsPlan.failure).toContain(
      'A promoting apply of apps needs this record (require-reviewed-plan: error), so this plan fails. ' +
        `Let the token write commit statuses (${host.statusPermission}), or set require-reviewed-plan: warn.`,
    );
    // The service's own words reach the message: what was refused, and why.
    const said = {
      github: 'Resource not accessible by integration',
      azure: "TF401027: You need the Git 'GenericContribute' permission",
      terminal:
        '! [remote rejected] refs/notes/gitops-promote -> refs/notes/gitops-promote (pre-receive hook declined)',
    }[host.name]!;
    expect(appsPlan.failure).toContain(said);
    expect((await host.statuses(sha)).map((st) => st.context).sort()).toEqual([
      'gitops-promote/ops',
      'gitops-promote/ops/parity',
    ]);

    // Under warn the plan passes with a warning, as before.
    const warned = await host.run('terraform-run', {
      ...push,
      inputs: { environment: 'apps', operation: 'plan', 'require-reviewed-plan': 'warn' },
    });
    ok(warned);
    expect(warned.warnings.join('\n')).toContain(
      'could not write the commit status gitops-promote/apps/plan',
    );

    // The state changes behind the unrecorded plan; the tag run must not apply what nobody reviewed.
    writeFileSync(
      join(fx.work, 'infra', 'extra.tf'),
      'resource "terraform_data" "extra" {\n  input = 1\n}\n',
    );
    const tagRun = await host.run('terraform-run', {
      event: 'push',
      ref: 'refs/tags/apps-deploy-1',
      sha,
      inputs: { environment: 'apps', operation: 'apply' },
    });
    expect(tagRun.code).toBe(1);
    expect(tagRun.failure).toContain('apply refused: no plan was recorded for apps');
    expect(workspaceResources(fx, 'apps')).toEqual([]);
  });
});

describe.each([
  ['GitHub', githubHost],
  ['Azure DevOps', azureHost],
])('a plan on %s: its record and its comment', (_title, makeHost) => {
  it("a plan of apps whose status write is answered 401 fails, with the service's reason and the permission", async () => {
    const fx = repo();
    host = await makeHost(fx);
    const sha = fx.git('rev-parse', 'HEAD');
    host.rejectNextStatusWrite();
    const r = await host.run('terraform-run', {
      event: 'push',
      ref: 'refs/heads/main',
      sha,
      inputs: { environment: 'apps', operation: 'plan' },
    });
    expect(r.code).toBe(1);
    expect(r.failure).toContain(
      `could not record the plan of apps for review as gitops-promote/apps/plan on ${sha.slice(0, 12)}: `,
    );
    expect(r.failure).toContain(host.name === 'github' ? 'Bad credentials' : 'the token was rejected');
    expect(r.failure).toContain(`Let the token write commit statuses (${host.statusPermission})`);
  });

  it('comment: on-change writes no comment for a plan with no changes; always does', async () => {
    const fx = repo();
    host = await makeHost(fx);
    const main = fx.git('rev-parse', 'HEAD');
    ok(
      await host.run('terraform-run', {
        event: 'push',
        ref: 'refs/heads/main',
        sha: main,
        inputs: { environment: 'ops', operation: 'apply' },
      }),
    );
    fx.git('checkout', '-q', '-b', 'docs');
    const head = fx.commit({ 'README.md': '# docs only\n' }, 'Docs');
    fx.git('push', '-q', 'origin', 'docs');
    const pr = await host.openPullRequest('docs', 'main');
    const prEvent = {
      event: 'pull-request' as const,
      ref: `refs/pull/${pr}/merge`,
      sha: head,
      pr: { number: pr, base: 'main', head: 'docs' },
    };
    const quiet = ok(
      await host.run('terraform-run', {
        ...prEvent,
        inputs: { environment: 'ops', operation: 'plan', comment: 'on-change' },
      }),
    );
    expect(quiet['has-changes']).toBe('false');
    expect(host.comments(pr)).toEqual([]);
    ok(
      await host.run('terraform-run', {
        ...prEvent,
        inputs: { environment: 'ops', operation: 'plan', comment: 'always' },
      }),
    );
    expect(host.comments(pr)).toHaveLength(1);
    expect(host.comments(pr)[0]).toContain('No changes');
  });
});

const BRANCH_LAYOUT_CONFIG =
  'environments:\n  - { name: ops, on: { branch: main } }\n  - { name: apps, on: { branch: apps } }\n' +
  'terraform: { working-directory: infra, lock-timeout: 30s }\n';

describe.each([
  ['GitHub', githubHost],
  ['Azure DevOps', azureHost],
])('the reviewed plan across commits on %s', (_title, makeHost) => {
  it('a record on another commit does not count: a deploy tag on a newer commit needs its own plan', async () => {
    const fx = repo();
    host = await makeHost(fx);
    const planned = fx.git('rev-parse', 'HEAD');
    const push = { event: 'push' as const, ref: 'refs/heads/main', sha: planned };
    ok(await host.run('terraform-run', { ...push, inputs: { environment: 'ops', operation: 'apply' } }));
    ok(await host.run('terraform-run', { ...push, inputs: { environment: 'apps', operation: 'plan' } }));
    // A newer commit on main that nobody planned for apps, with a change the reviewers never saw.
    const newer = fx.commit({ 'infra/ingress.tf': FEATURE_TF }, 'Add an ingress');
    fx.git('push', '-q', 'origin', 'main');
    const r = await host.run('terraform-run', {
      event: 'push',
      ref: 'refs/tags/apps-deploy-1',
      sha: newer,
      inputs: { environment: 'apps', operation: 'apply' },
    });
    expect(r.code).toBe(1);
    expect(r.failure).toContain(
      `apply refused: no plan was recorded for apps on ${newer.slice(0, 12)} (gitops-promote/apps/plan)`,
    );
    expect(workspaceResources(fx, 'apps')).toEqual([]);
  });

  it('environment branches: a merge commit is checked against the plan recorded on the merged head; a direct push is refused', async () => {
    const fx = gitFixture({
      '.gitignore': TERRAFORM_GITIGNORE,
      'gitops-promote.yaml': BRANCH_LAYOUT_CONFIG,
      'infra/main.tf': MAIN_TF,
    });
    fx.git('push', '-q', 'origin', 'main:apps');
    host = await makeHost(fx);
    const head = fx.commit({ 'infra/ingress.tf': FEATURE_TF }, 'Add an ingress');
    fx.git('push', '-q', 'origin', 'main');
    const push = { event: 'push' as const, ref: 'refs/heads/main', sha: head };
    ok(await host.run('terraform-run', { ...push, inputs: { environment: 'ops', operation: 'apply' } }));
    const planned = ok(
      await host.run('terraform-run', { ...push, inputs: { environment: 'apps', operation: 'plan' } }),
    );

    // The promotion pull request main → apps merges with a merge commit nobody planned.
    const pr = await host.openPullRequest('main', 'apps');
    const merge = await host.merge(pr, 'main');
    expect(merge).not.toBe(head);
    fx.git('fetch', '-q', 'origin');
    fx.git('checkout', '-q', '-B', 'apps', merge);
    const applied = await host.run('terraform-run', {
      event: 'push',
      ref: 'refs/heads/apps',
      sha: merge,
      inputs: { environment: 'apps', operation: 'apply' },
    });
    ok(applied);
    expect(applied.outputs.fingerprint).toBe(planned.fingerprint);
    expect(`${applied.stdout}${applied.stderr}`).toContain(
      `The plan matches the plan recorded for review on ${head.slice(0, 12)}, the pull request head merged as ${merge.slice(0, 12)}`,
    );
    expect(workspaceResources(fx, 'apps')).toEqual([
      'terraform_data.cluster',
      'terraform_data.ingress',
      'terraform_data.node_pool',
    ]);

    // A commit pushed straight to the environment branch has no pull request and no record: refused.
    const direct = fx.commit(
      { 'infra/extra.tf': 'resource "terraform_data" "extra" {\n  input = 1\n}\n' },
      'Direct',
    );
    fx.git('push', '-q', 'origin', 'apps');
    const refused = await host.run('terraform-run', {
      event: 'push',
      ref: 'refs/heads/apps',
      sha: direct,
      inputs: { environment: 'apps', operation: 'apply' },
    });
    expect(refused.code).toBe(1);
    expect(refused.failure).toContain(
      `apply refused: no plan was recorded for apps on ${direct.slice(0, 12)} (gitops-promote/apps/plan), and apps comes after the first environment`,
    );
    expect(workspaceResources(fx, 'apps')).not.toContain('terraform_data.extra');
  });
});

describe('promote-tag on GitHub with the workflow token', () => {
  it('with dispatch off: creates the tag and warns that it will start no deploy workflow, without showing the token', async () => {
    const fx = repo();
    const gh = await githubHost(fx);
    host = gh;
    const sha = fx.git('rev-parse', 'HEAD');
    const push = { event: 'push' as const, ref: 'refs/heads/main', sha };
    ok(await gh.run('terraform-run', { ...push, inputs: { environment: 'ops', operation: 'apply' } }));
    // The action passes github.token as workflow-token; here the token given is that same token.
    const r = await gh.run('promote-tag', {
      ...push,
      // dispatch auto would start the deploy by workflow_dispatch (test/dispatch.bundle.test.ts).
      inputs: { 'from-environment': 'ops', 'workflow-token': gh.token!, dispatch: 'off' },
    });
    ok(r);
    expect(r.outputs).toMatchObject({ created: 'true', dispatched: 'false' });
    expect(r.warnings.join('\n')).toContain(
      "the tag is created with the workflow's own GITHUB_TOKEN, so it will not start the apps deploy workflow",
    );
    expect(visibleLog(r)).not.toContain(gh.token!);
  });
});
