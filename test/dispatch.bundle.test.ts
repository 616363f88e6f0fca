import { afterEach, describe, expect, it } from 'vitest';
import { type AzureDevOpsApi, startAzureApi } from './doubles/azure-api';
import { type GitHubApiDouble, startGitHubDouble } from './doubles/github-api';
import { type BundleRun, runAzure, runGitHub } from './support/bundle';
import { type GitFixture, git, gitFixture } from './support/git';

/**
 * No App, no PAT: promote-tag makes the deploy tag with the workflow's own GITHUB_TOKEN (whose tag starts no
 * workflow on GitHub) and then starts the deploy workflow by workflow_dispatch on the tag's ref; that run's
 * determine-environment applies the tag's environment. Through the built bundles on the API doubles.
 */

const CONFIG = 'environments:\n  - name: ops\n  - name: apps\nstatus: { timeout: 2s, interval: 1s }\n';
const DEPLOY = `name: deploy
on:
  push:
    branches: [main]
    tags: ["apps-deploy-*"]
  workflow_dispatch:
permissions: { contents: write, statuses: write, actions: write }
jobs: {}
`;
const CI = 'name: ci\non: { push: { branches: [main] } }\njobs: {}\n';

let api: GitHubApiDouble | undefined;
let azure: AzureDevOpsApi | undefined;
afterEach(async () => {
  await api?.close();
  await azure?.close();
  api = azure = undefined;
});

function repo(): { fx: GitFixture; main: string } {
  const fx = gitFixture({
    'gitops-promote.yaml': CONFIG,
    '.github/workflows/deploy.yml': DEPLOY,
    '.github/workflows/ci.yml': CI,
  });
  return { fx, main: fx.git('rev-parse', 'HEAD') };
}

async function github(fx: GitFixture, main: string): Promise<GitHubApiDouble> {
  api = await startGitHubDouble(fx.remote);
  api.addStatus(main, { context: 'gitops-promote/ops', state: 'success', description: 'applied' });
  return api;
}

/** promote-tag as the deploy workflow runs it after applying ops; `own`: token is the workflow's GITHUB_TOKEN. */
function promote(
  fx: GitFixture,
  main: string,
  own: boolean,
  inputs: Record<string, string> = {},
): Promise<BundleRun> {
  const a = api!;
  return runGitHub('promote-tag', {
    cwd: fx.work,
    sha: main,
    env: {
      ...a.env(),
      GITHUB_WORKFLOW_REF: `${a.repository}/.github/workflows/deploy.yml@refs/heads/main`,
    },
    inputs: {
      token: a.token,
      // action.yml passes github.token here: an App token is another value.
      'workflow-token': own ? a.token : 'ghs_the-workflow-token-not-used-for-the-tag',
      environment: 'apps',
      ...inputs,
    },
  });
}

const tags = (fx: GitFixture) => git(fx.remote, 'tag', '--list').split('\n').filter(Boolean);
const dispatchRequests = () => api!.requestsTo('POST', /\/actions\/workflows\/[^/]+\/dispatches$/);

function ok(r: BundleRun): Record<string, string> {
  expect(r.code, `exit ${r.code}: ${r.failure}\n${r.stdout}\n${r.stderr}`).toBe(0);
  return r.outputs;
}

describe('promote-tag starts the deploy by workflow_dispatch (GitHub)', () => {
  it("with the workflow's own token: the tag, then one dispatch on its ref; that run applies apps", async () => {
    const { fx, main } = repo();
    await github(fx, main);
    const out = ok(await promote(fx, main, true));
    expect(out).toMatchObject({ environment: 'apps', created: 'true', dispatched: 'true' });
    const ref = `refs/tags/${out.tag}`;
    expect(tags(fx)).toEqual([out.tag]);
    expect(dispatchRequests().map((r) => [r.path, r.body])).toEqual([
      ['/repos/octo-org/octo-repo/actions/workflows/deploy.yml/dispatches', { ref }],
    ]);
    expect(api!.dispatches).toEqual([{ workflow: 'deploy.yml', ref, inputs: {} }]);

    // The dispatched run: event workflow_dispatch, GITHUB_REF the tag, the payload as GitHub sends it.
    const run = ok(
      await runGitHub('determine-environment', {
        cwd: fx.work,
        event: 'workflow_dispatch',
        ref,
        sha: main,
        payload: { ref, inputs: null, workflow: '.github/workflows/deploy.yml' },
      }),
    );
    expect(run).toMatchObject({
      environment: 'apps',
      operation: 'apply',
      trigger: 'tag',
      'previous-environment': 'ops',
      sha: main,
    });
    expect(run.reason).toContain(`Manual run on tag ${out.tag}`);
  });

  it('an App token (not the workflow token): the tag push starts the deploy, no dispatch request', async () => {
    const { fx, main } = repo();
    await github(fx, main);
    const out = ok(await promote(fx, main, false));
    expect(out).toMatchObject({ created: 'true', dispatched: 'false' });
    expect(dispatchRequests()).toEqual([]);
    // always dispatches whatever the token; off never does.
    expect(ok(await promote(fx, main, false, { dispatch: 'always' })).dispatched).toBe('true');
    expect(ok(await promote(fx, main, true, { dispatch: 'off' })).dispatched).toBe('false');
    expect(dispatchRequests()).toHaveLength(1);
  });

  it('dispatch off with the workflow token warns that the deploy will not start', async () => {
    const { fx, main } = repo();
    await github(fx, main);
    const r = await promote(fx, main, true, { dispatch: 'off' });
    expect(ok(r).dispatched).toBe('false');
    expect(r.warnings.join('\n')).toContain('dispatch is off');
    expect(dispatchRequests()).toEqual([]);
  });

  it('a re-run for the tag: auto dispatches again only while apps has no result; always dispatches', async () => {
    const { fx, main } = repo();
    await github(fx, main);
    const first = ok(await promote(fx, main, true));
    // The dispatched run has not reported yet (or never started): the re-run must be able to start it.
    const again = ok(await promote(fx, main, true));
    expect(again).toMatchObject({ tag: first.tag, created: 'false', dispatched: 'true' });
    api!.addStatus(main, { context: 'gitops-promote/apps', state: 'pending', description: 'applying' });
    const ran = await promote(fx, main, true);
    expect(ok(ran)).toMatchObject({ created: 'false', dispatched: 'false' });
    expect(ran.stdout).toContain('apps already reports pending');
    expect(ok(await promote(fx, main, true, { dispatch: 'always' })).dispatched).toBe('true');
    expect(api!.dispatches.map((d) => d.ref)).toEqual(Array(3).fill(`refs/tags/${first.tag}`));
  });

  it('403 (no actions: write): the step fails naming the permission; the tag stays, a re-run dispatches', async () => {
    const { fx, main } = repo();
    await github(fx, main);
    api!.deny('actions:write');
    const r = await promote(fx, main, true);
    expect(r.code).toBe(1);
    expect(r.outputs).toMatchObject({ created: 'true', dispatched: 'false' });
    expect(r.failure).toContain(
      `tag ${r.outputs.tag} was created, but the deploy of apps could not be started`,
    );
    expect(r.failure).toContain('the token lacks permission actions:write');
    expect(r.failure).toContain('permissions: { actions: write }');
    expect(tags(fx)).toEqual([r.outputs.tag]);
    expect(api!.dispatches).toEqual([]);

    api!.allow('actions:write');
    const again = ok(await promote(fx, main, true));
    expect(again).toMatchObject({ tag: r.outputs.tag, created: 'false', dispatched: 'true' });
  });

  it('404 and 422: the message names the workflow file and on: workflow_dispatch', async () => {
    const { fx, main } = repo();
    await github(fx, main);
    const missing = await promote(fx, main, true, { 'dispatch-workflow': 'release.yml' });
    expect(missing.code).toBe(1);
    expect(missing.failure).toContain('HTTP 404');
    expect(missing.failure).toContain('there is no workflow .github/workflows/release.yml');
    expect(missing.failure).toContain('on: workflow_dispatch');

    const noTrigger = await promote(fx, main, true, { 'dispatch-workflow': 'ci.yml' });
    expect(noTrigger.code).toBe(1);
    expect(noTrigger.failure).toContain('HTTP 422');
    expect(noTrigger.failure).toContain('workflow ci.yml cannot be started by workflow_dispatch');
    expect(noTrigger.failure).toContain("Workflow does not have 'workflow_dispatch' trigger");
    expect(api!.dispatches).toEqual([]);
  });

  it('bad dispatch inputs are refused before anything is written', async () => {
    const { fx, main } = repo();
    await github(fx, main);
    const mode = await promote(fx, main, true, { dispatch: 'sometimes' });
    expect(mode.failure).toBe(
      'promote-tag: input dispatch: "sometimes" is not valid; use one of auto, always, off',
    );
    const file = await promote(fx, main, true, { 'dispatch-workflow': '../deploy.yml' });
    expect(file.failure).toContain('input dispatch-workflow: "../deploy.yml" is not valid');
    const pr = { strategy: 'pull-request', command: 'new', group: 'apps', app: 'web', 'image-tag': '1' };
    const strategy = await promote(fx, main, true, { ...pr, environment: '', dispatch: 'always' });
    expect(strategy.failure).toBe(
      'promote-tag: input dispatch: "always" is not valid; it belongs to the git-tag strategy; leave it out here',
    );
    expect(api!.requests).toEqual([]);
    expect(tags(fx)).toEqual([]);
  });

  it("the running workflow's file unknown (no GITHUB_WORKFLOW_REF): refused before the tag", async () => {
    const { fx, main } = repo();
    await github(fx, main);
    const r = await runGitHub('promote-tag', {
      cwd: fx.work,
      sha: main,
      env: api!.env(),
      inputs: { token: api!.token, 'workflow-token': api!.token, environment: 'apps' },
    });
    expect(r.failure).toContain('input dispatch-workflow: "" is not valid');
    expect(tags(fx)).toEqual([]);
  });
});

describe('Azure DevOps: the pushed tag starts the pipelines; nothing is dispatched', () => {
  it('promote-tag with dispatch always asks for no run; a manual run on the tag applies apps', async () => {
    const { fx, main } = repo();
    azure = await startAzureApi({ repo: fx.remote });
    azure.addStatus(main, {
      genre: 'gitops-promote',
      name: 'ops',
      state: 'succeeded',
      description: 'applied',
    });
    const r = await runAzure('promote-tag', {
      cwd: fx.work,
      sha: main,
      env: azure.env(),
      inputs: { environment: 'apps', dispatch: 'always' },
    });
    expect(ok(r)).toMatchObject({ created: 'true', dispatched: 'false' });
    expect(r.stdout).toContain('the pushed tag starts the pipelines itself on Azure DevOps');
    // One write: the tag. No build or pipeline run was queued.
    const writes = azure.requests.filter((q) => q.method !== 'GET').map((q) => q.path);
    expect(writes.some((p) => /build|pipelines|runs/i.test(p))).toBe(false);
    expect(tags(fx)).toEqual([r.outputs.tag]);

    const run = ok(
      await runAzure('determine-environment', {
        cwd: fx.work,
        reason: 'Manual',
        sourceBranch: `refs/tags/${r.outputs.tag}`,
        sha: main,
      }),
    );
    expect(run).toMatchObject({ environment: 'apps', operation: 'apply', trigger: 'tag' });
  });
});
