import { ProviderError, TagConflictError } from '@gitops-promote/core';
import {
  AzureDevOpsProvider,
  type AzureDevOpsProviderOptions,
  splitContext,
} from '@gitops-promote/platform/providers/azure';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type AzureDevOpsApi, startAzureApi } from '../doubles/azure-api';
import { type GitFixture, gitFixture } from '../support/git';
import { azureProviderOn } from '../support/hosts';
import { providerContract } from './contract';

const FAST = { baseDelayMs: 1, maxDelayMs: 20, timeoutMs: 5_000, totalMs: 10_000 };

function providerFor(
  api: AzureDevOpsApi,
  extra: Partial<AzureDevOpsProviderOptions> = {},
): AzureDevOpsProvider {
  return azureProviderOn(api, { retry: FAST, ...extra });
}

providerContract('azure', async () => {
  const fixture = gitFixture();
  // Small server pages, so every list call has to follow pages (top/skip and x-ms-continuationtoken).
  const api = await startAzureApi({ repo: fixture.remote, maxPage: 100, refPageSize: 2 });
  return {
    provider: providerFor(api),
    fixture,
    pullRequests: true,
    mergePullRequest: (n) => api.completePullRequest(n),
    close: () => api.close(),
  };
});

/** Runs `fn`, expecting a ProviderError; returns it. */
async function failure(fn: () => Promise<unknown>): Promise<ProviderError> {
  const error = await fn().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ProviderError);
  return error as ProviderError;
}

describe('AzureDevOpsProvider against the Azure DevOps double', () => {
  let fx: GitFixture;
  let api: AzureDevOpsApi;
  let main: string;
  let slept: number[];
  let logs: string[];

  beforeEach(async () => {
    fx = gitFixture();
    api = await startAzureApi({ repo: fx.remote, token: 's3cr3t-System-AccessToken-value' });
    main = fx.git('rev-parse', 'HEAD');
    slept = [];
    logs = [];
  });

  afterEach(async () => {
    await api.close();
  });

  function provider(extra: Partial<AzureDevOpsProviderOptions> = {}): AzureDevOpsProvider {
    return providerFor(api, {
      retry: {
        ...FAST,
        sleep: async (ms) => {
          slept.push(ms);
        },
      },
      log: (m) => logs.push(m),
      ...extra,
    });
  }

  /** Every message and log line a run produced must be free of the token (raw or base64). */
  function expectNoToken(texts: string[]): void {
    const secrets = [
      api.token,
      Buffer.from(`:${api.token}`).toString('base64'),
      Buffer.from(api.token).toString('base64'),
    ];
    for (const text of texts) for (const secret of secrets) expect(text).not.toContain(secret);
  }

  describe('requests', () => {
    it('sends api-version 7.1, the bearer token and an encoded project on every repository call', async () => {
      await provider().branchSha('main');
      const [request] = api.requests;
      expect(request).toMatchObject({ method: 'GET', auth: 'bearer' });
      expect(request!.query).toMatchObject({ 'api-version': '7.1', filter: 'heads/main', peelTags: 'true' });
      expect(request!.url).toContain('/fabrikam/Fabrikam%20Fiber/_apis/git/repositories/');
    });

    it('sends the api-version each route needs: 7.1-preview.1 where the route is still preview', async () => {
      const p = provider();
      await p.createTag('apps-deploy-1', main, 'promote apps');
      await p.pullRequestForMergeCommit(main);
      const versions = Object.fromEntries(
        api.requests.map((r) => [`${r.method} ${r.path.split('/').pop()}`, r.query['api-version']]),
      );
      expect(versions).toMatchObject({
        'GET refs': '7.1',
        'POST annotatedtags': '7.1-preview.1',
        'POST pullrequestquery': '7.1-preview.1',
      });
      expect(api.requests.every((r) => r.status! < 400)).toBe(true);
    });

    it('the double checks api-version as the service does: missing, malformed, out of range, preview', async () => {
      const base = `${api.collectionUri}${encodeURIComponent(api.project)}/_apis/git/repositories/${api.repositoryId}`;
      const ask = async (path: string, version?: string, method = 'GET') => {
        const q = version === undefined ? '' : `${path.includes('?') ? '&' : '?'}api-version=${version}`;
        const res = await fetch(`${base}/${path}${q}`, {
          method,
          headers: { authorization: `Bearer ${api.token}`, 'content-type': 'application/json' },
          body: method === 'POST' ? JSON.stringify({ queries: [] }) : undefined,
        });
        const body = (await res.json()) as { typeKey?: string; message?: string };
        return [res.status, body.typeKey ?? 'ok'];
      };
      expect(await ask('refs?filter=heads/main', '7.1')).toEqual([200, 'ok']);
      expect(await ask('refs?filter=heads/main')).toEqual([400, 'VssVersionNotSpecifiedException']);
      expect(await ask('refs?filter=heads/main', 'seven')).toEqual([400, 'VssInvalidApiVersionException']);
      expect(await ask('refs?filter=heads/main', '9.0')).toEqual([400, 'VssVersionOutOfRangeException']);
      expect(await ask('refs?filter=heads/main', '7.2')).toEqual([400, 'VssInvalidPreviewVersionException']);
      expect(await ask('pullrequestquery', '7.1', 'POST')).toEqual([
        400,
        'VssInvalidPreviewVersionException',
      ]);
      expect(await ask('pullrequestquery', '7.1-preview.1', 'POST')).toEqual([200, 'ok']);
    });

    it('authenticates a personal access token with Basic when told to', async () => {
      expect(await provider({ auth: 'basic' }).branchSha('main')).toBe(main);
      expect(api.requests[0]!.auth).toBe('basic');
    });

    it('accepts a collection URI without its trailing slash', async () => {
      const p = provider({ collectionUri: api.collectionUri.replace(/\/$/, '') });
      expect(await p.branchSha('main')).toBe(main);
    });

    it('writes statuses with context {genre, name} split at the first slash and Azure states', async () => {
      const p = provider();
      await p.setStatus(main, {
        context: 'gitops-promote/ops',
        state: 'success',
        description: 'applied +1 ~0 -0',
      });
      await p.setStatus(main, { context: 'gitops-promote/ops/plan', state: 'pending', description: 'fp' });
      await p.setStatus(main, { context: 'gitops-promote/apps', state: 'failure', description: 'boom' });
      await p.setStatus(main, { context: 'ci', state: 'error', description: 'crashed' });
      const posted = api.requests.filter((r) => r.method === 'POST').map((r) => r.body);
      expect(posted).toEqual([
        {
          state: 'succeeded',
          description: 'applied +1 ~0 -0',
          context: { genre: 'gitops-promote', name: 'ops' },
        },
        { state: 'pending', description: 'fp', context: { genre: 'gitops-promote', name: 'ops/plan' } },
        { state: 'failed', description: 'boom', context: { genre: 'gitops-promote', name: 'apps' } },
        { state: 'error', description: 'crashed', context: { name: 'ci' } },
      ]);
      const statuses = await p.listStatuses(main);
      expect(statuses.find((s) => s.context === 'gitops-promote/ops/plan')).toMatchObject({
        genre: 'gitops-promote',
        name: 'ops/plan',
        state: 'pending',
      });
    });

    it('splitContext keeps everything after the first slash in the name', () => {
      expect(splitContext('gitops-promote/ops')).toEqual({ genre: 'gitops-promote', name: 'ops' });
      expect(splitContext('fluxcd:apps/kustomization/apps-dev/1a2b3c4d')).toEqual({
        genre: 'fluxcd:apps',
        name: 'kustomization/apps-dev/1a2b3c4d',
      });
      expect(splitContext('ci')).toEqual({ name: 'ci' });
    });

    it('follows x-ms-continuationtoken through every page of refs', async () => {
      await api.close();
      api = await startAzureApi({ repo: fx.remote, token: api.token, refPageSize: 3 });
      for (let i = 0; i < 8; i++) fx.git('tag', `apps-deploy-${i}`, main);
      fx.git('push', '-q', 'origin', '--tags');
      const tags = await provider().listTags('apps-deploy-');
      expect(tags.map((t) => t.name)).toEqual(Array.from({ length: 8 }, (_, i) => `apps-deploy-${i}`));
      expect(tags.every((t) => t.sha === main)).toBe(true);
      const tokens = api.requests.filter((r) => r.query.continuationToken);
      expect(tokens).toHaveLength(2);
    });

    it('isAncestor asks diffs/commits and answers false for a missing branch or commit', async () => {
      const p = provider();
      expect(await p.isAncestor(main, 'main')).toBe(true);
      expect(await p.isAncestor(main, 'no-such-branch')).toBe(false);
      expect(await p.isAncestor('b'.repeat(40), 'main')).toBe(false);
      expect(api.requests[0]!.path).toMatch(/\/diffs\/commits$/);
      expect(api.requests[0]!.query).toMatchObject({
        baseVersion: main,
        baseVersionType: 'commit',
        targetVersion: 'main',
        targetVersionType: 'branch',
      });
    });

    it('reads files at refs/heads/…, refs/tags/… and fails for a ref that is nothing', async () => {
      fx.git('tag', 'release-1', main);
      fx.git('push', '-q', 'origin', 'refs/tags/release-1');
      const p = provider();
      expect(await p.readFile('README.md', 'refs/heads/main')).toBe('# test\n');
      expect(await p.readFile('/README.md', 'refs/tags/release-1')).toBe('# test\n');
      expect(await p.readFile('README.md', main.slice(0, 12))).toBe('# test\n');
      const error = await failure(() => p.readFile('README.md', 'no-such-ref'));
      expect(error.message).toContain('no-such-ref is no branch, tag or commit');
    });
  });

  describe('statuses written by Flux and others', () => {
    it('reads 250 statuses whole, page by page', async () => {
      await api.close();
      api = await startAzureApi({ repo: fx.remote, token: api.token, maxPage: 100 });
      for (let i = 0; i < 250; i++) {
        api.addStatus(main, {
          genre: 'fluxcd',
          name: `kustomization/app-${String(i).padStart(3, '0')}/1a2b3c4d`,
          state: 'succeeded',
          description: 'reconciliation succeeded',
        });
      }
      const statuses = await provider().listStatuses(main);
      expect(statuses).toHaveLength(250);
      expect(new Set(statuses.map((s) => s.context)).size).toBe(250);
      const pages = api.requests.filter((r) => r.path.endsWith('/statuses'));
      expect(pages.map((r) => [r.query.top, r.query.skip])).toEqual([
        ['100', '0'],
        ['100', '100'],
        ['100', '200'],
      ]);
    });

    it('normalises fluxcd and fluxcd:<summary> genres, keeping genre and name', async () => {
      api.addStatus(main, {
        genre: 'fluxcd',
        name: 'kustomization/apps-dev/1a2b3c4d',
        state: 'error',
        description: 'health check failed',
      });
      api.addStatus(main, {
        genre: 'fluxcd',
        name: 'kustomization/apps-dev/1a2b3c4d',
        state: 'succeeded',
        description: 'reconciliation succeeded',
      });
      api.addStatus(main, {
        genre: 'fluxcd:apps cluster',
        name: 'kustomization/apps-prod/5e6f7a8b',
        state: 'error',
        description: 'health check failed',
      });
      api.addStatus(main, { genre: 'other', name: 'never', state: 'notSet', description: '' });
      api.addStatus(main, { genre: 'other', name: 'skipped', state: 'notApplicable', description: '' });
      api.addStatus(main, { genre: 'ci', name: 'build', state: 'failed', description: 'red' });
      api.addStatus(main, { name: 'bare', state: 'pending', description: 'no genre' });

      const statuses = await provider().listStatuses(main);
      const by = Object.fromEntries(statuses.map((s) => [s.context, s]));
      expect(Object.keys(by).sort()).toEqual([
        'bare',
        'ci/build',
        'fluxcd/kustomization/apps-dev/1a2b3c4d',
        'fluxcd:apps cluster/kustomization/apps-prod/5e6f7a8b',
      ]);
      expect(by['fluxcd/kustomization/apps-dev/1a2b3c4d']).toMatchObject({
        genre: 'fluxcd',
        name: 'kustomization/apps-dev/1a2b3c4d',
        state: 'success',
        description: 'reconciliation succeeded',
      });
      expect(by['fluxcd:apps cluster/kustomization/apps-prod/5e6f7a8b']).toMatchObject({
        genre: 'fluxcd:apps cluster',
        name: 'kustomization/apps-prod/5e6f7a8b',
        state: 'error',
        description: 'health check failed',
      });
      expect(by['ci/build']?.state).toBe('failure');
      expect(by.bare).toMatchObject({ state: 'pending', name: 'bare' });
      expect(by.bare?.genre).toBeUndefined();
      // Newest first.
      expect(statuses[0]?.context).toBe('bare');
    });

    it('reads notSet and notApplicable as no result: the context is missing, not pending', async () => {
      api.addStatus(main, { genre: 'gitops-promote', name: 'ops', state: 'notSet', description: '' });
      api.addStatus(main, { genre: 'fluxcd', name: 'kustomization/ops', state: 'pending', description: '' });
      api.addStatus(main, {
        genre: 'fluxcd',
        name: 'kustomization/ops',
        state: 'notApplicable',
        description: 'skipped',
      });
      api.addStatus(main, { genre: 'ci', name: 'build', state: 'notApplicable', description: '' });
      api.addStatus(main, { genre: 'ci', name: 'build', state: 'succeeded', description: 'green' });
      const statuses = await provider().listStatuses(main);
      // The newest status of a context decides: notApplicable after pending leaves no result at all.
      expect(statuses.map((s) => [s.context, s.state])).toEqual([['ci/build', 'success']]);
    });

    it('decides "newest" by creationDate, not by the order the API lists them in', async () => {
      api.addStatus(main, {
        genre: 'fluxcd',
        name: 'kustomization/apps',
        state: 'succeeded',
        description: 'new',
        creationDate: '2030-01-01T00:00:00Z',
      });
      api.addStatus(main, {
        genre: 'fluxcd',
        name: 'kustomization/apps',
        state: 'error',
        description: 'old',
        creationDate: '2020-01-01T00:00:00Z',
      });
      const [status] = await provider().listStatuses(main);
      expect(status).toMatchObject({
        state: 'success',
        description: 'new',
        createdAt: '2030-01-01T00:00:00Z',
      });
    });
  });

  describe('pull requests', () => {
    async function open(p: AzureDevOpsProvider) {
      const sha = await p.commitFiles({
        branch: 'promote/apps-web',
        base: main,
        message: 'bump',
        files: [{ path: 'apps/web/dev/tag.txt', content: '1.2.3\n' }],
      });
      expect(sha).toBeDefined();
      return p.createPullRequest({ head: 'promote/apps-web', base: 'main', title: 'Promote', body: 'body' });
    }

    it('builds the web URL of the pull request from the project and repository names', async () => {
      const pr = await open(provider());
      expect(pr.url).toBe(`${api.collectionUri}Fabrikam%20Fiber/_git/infra/pullrequest/${pr.number}`);
    });

    it('sets auto-complete as the token identity (asked once) and clears it with the empty GUID', async () => {
      const p = provider({ completionOptions: { deleteSourceBranch: true, mergeStrategy: 'squash' } });
      const pr = await open(p);
      await p.setAutoMerge(pr.number, true);
      await p.setAutoMerge(pr.number, true);
      await p.setAutoMerge(pr.number, false);
      const patches = api.requests.filter((r) => r.method === 'PATCH').map((r) => r.body);
      expect(patches).toEqual([
        {
          autoCompleteSetBy: { id: api.identity.id },
          completionOptions: { deleteSourceBranch: true, mergeStrategy: 'squash' },
        },
        {
          autoCompleteSetBy: { id: api.identity.id },
          completionOptions: { deleteSourceBranch: true, mergeStrategy: 'squash' },
        },
        { autoCompleteSetBy: { id: '00000000-0000-0000-0000-000000000000' } },
      ]);
      expect(api.requests.filter((r) => r.path.endsWith('/_apis/connectionData'))).toHaveLength(1);
      expect((await p.getPullRequest(pr.number)).autoMerge).toBe(false);
    });

    it('finds the marked comment among system threads and leaves an unchanged comment alone', async () => {
      const p = provider();
      const pr = await open(p);
      await p.setAutoMerge(pr.number, true); // adds a system thread
      const marker = '<!-- gitops-promote:terraform-run:ops -->';
      const first = await p.upsertComment(pr.number, marker, `${marker}\nplan: +1`);
      expect(await p.upsertComment(pr.number, marker, `${marker}\nplan: +1`)).toEqual({
        id: first.id,
        created: false,
      });
      expect(api.requests.filter((r) => r.method === 'PATCH' && r.path.includes('/comments/'))).toHaveLength(
        0,
      );
      await p.upsertComment(pr.number, marker, `${marker}\nplan: +2`);
      const threads = api.threads(pr.number);
      expect(threads.filter((t) => JSON.stringify(t).includes(marker))).toHaveLength(1);
      const mine = threads.find((t) => String(t.id) === first.id) as {
        comments: { content: string }[];
        status: string;
      };
      expect(mine.comments[0]!.content).toBe(`${marker}\nplan: +2`);
      expect(mine.status).toBe('unknown'); // no status: never blocks a comment-resolution policy
    });

    it('maps abandoned to closed and completed to merged', async () => {
      const p = provider();
      const pr = await open(p);
      api.abandonPullRequest(pr.number);
      expect((await p.getPullRequest(pr.number)).state).toBe('closed');
      expect(
        (await p.findPullRequests({ head: 'promote/apps-web', state: 'closed' })).map((x) => x.number),
      ).toEqual([pr.number]);
      expect(await p.findPullRequests({ head: 'promote/apps-web' })).toEqual([]);
    });

    it('refuses a description Azure DevOps would reject, before calling it', async () => {
      const p = provider();
      const error = await failure(() =>
        p.createPullRequest({ head: 'x', base: 'main', title: 't', body: 'x'.repeat(4001) }),
      );
      expect(error.message).toContain('at most 4000');
      expect(api.requests).toHaveLength(0);
    });
  });

  describe('retries', () => {
    it('waits as long as Retry-After says on 429, then succeeds', async () => {
      api.failNext({ method: 'GET', path: '/refs', status: 429, headers: { 'retry-after': '2' } });
      expect(await provider().branchSha('main')).toBe(main);
      expect(slept).toEqual([2000]);
      expect(api.requests.map((r) => r.status)).toEqual([429, 200]);
      expect(logs).toEqual([
        expect.stringMatching(/^GET …\/refs: HTTP 429; retrying in 2s \(attempt 2 of 5\)$/),
      ]);
    });

    it('scales Retry-After by retryAfterUnitMs (for tests and fast local runs)', async () => {
      api.failNext({ path: '/refs', status: 429, headers: { 'retry-after': '3' } });
      const p = provider({
        retry: { ...FAST, retryAfterUnitMs: 5, sleep: async (ms) => void slept.push(ms) },
      });
      expect(await p.branchSha('main')).toBe(main);
      expect(slept).toEqual([15]);
    });

    it('retries 500 and 503 with growing backoff, then succeeds', async () => {
      api.failNext({ path: '/statuses', status: 500 });
      api.failNext({ path: '/statuses', status: 503 });
      await provider().setStatus(main, {
        context: 'gitops-promote/ops',
        state: 'success',
        description: 'ok',
      });
      expect(api.requests.map((r) => r.status)).toEqual([500, 503, 201]);
      expect(slept).toHaveLength(2);
      expect(slept[1]!).toBeGreaterThanOrEqual(slept[0]!);
      expect(api.statuses(main)).toHaveLength(1);
    });

    it('aborts a request that hangs past the timeout and tries again', async () => {
      api.failNext({ path: '/refs', hang: true });
      const p = provider({ retry: { ...FAST, timeoutMs: 100, sleep: async () => {} } });
      expect(await p.branchSha('main')).toBe(main);
      // The hanging request got no answer and was given up on; the next one was answered. (A loaded
      // machine may also time out the retry, so the number of attempts is not part of the promise.)
      expect(api.requests[0]!.status).toBeUndefined();
      expect(api.requests.at(-1)!.status).toBe(200);
      expect(logs[0]).toMatch(/^GET …\/refs: no answer within 100ms; retrying in /);
    });

    it('gives up on a request that keeps hanging, saying so', async () => {
      api.failNext({ path: '/refs', hang: true, times: 10 });
      const p = provider({ retry: { ...FAST, attempts: 2, timeoutMs: 50, sleep: async () => {} } });
      const error = await failure(() => p.branchSha('main'));
      expect(error.message).toMatch(
        /^GET …\/refs failed: no answer within 50ms from 127\.0\.0\.1:\d+ after 2 attempts/,
      );
      expect(error.status).toBeUndefined();
    });

    it('gives up after the last attempt on 503, naming the call and status', async () => {
      api.failNext({ path: '/pullrequests', status: 503, times: 10 });
      const error = await failure(() =>
        provider({ retry: { ...FAST, attempts: 3, sleep: async () => {} } }).findPullRequests({}),
      );
      expect(error.status).toBe(503);
      expect(error.message).toMatch(
        /^GET …\/pullrequests failed \(HTTP 503\): the service kept failing after 3 attempts in (\d+ms|\d+s); try again later; Azure DevOps says: TF400898/,
      );
      expect(api.requests).toHaveLength(3);
    });

    it('gives up at once when Retry-After is longer than the time left', async () => {
      api.failNext({ path: '/refs', status: 429, headers: { 'retry-after': '3600' } });
      const error = await failure(() => provider().branchSha('main'));
      expect(error.message).toMatch(
        /^GET …\/refs failed \(HTTP 429\): rate limited by Azure DevOps \(Retry-After 1h\)/,
      );
      expect(slept).toEqual([]);
    });

    it('reports an unreachable server after retrying', async () => {
      const url = api.collectionUri;
      await api.close();
      const p = new AzureDevOpsProvider({
        token: 't0ken-value',
        collectionUri: url,
        project: 'p',
        repositoryId: 'r',
        retry: { ...FAST, attempts: 2, sleep: async () => {} },
      });
      const error = await failure(() => p.branchSha('main'));
      expect(error.message).toMatch(
        /^GET …\/refs failed: network error \(ECONNREFUSED\) from 127\.0\.0\.1:\d+ after 2 attempts/,
      );
      expect(error.message).toContain('SYSTEM_COLLECTIONURI');
    });
  });

  describe('failures name the call, the status and the likely cause', () => {
    const oneLine = (e: Error) => expect(e.message).not.toContain('\n');

    it('401: an invalid or unmapped token', async () => {
      const error = await failure(() => provider({ token: 'wrong-token-value' }).branchSha('main'));
      expect(error.status).toBe(401);
      expect(error.message).toMatch(
        /^GET …\/refs failed \(HTTP 401\): the token was rejected: it is invalid or expired/,
      );
      expect(error.message).toContain('env: SYSTEM_ACCESSTOKEN: $(System.AccessToken)');
      expect(error.message).not.toContain('wrong-token-value');
      oneLine(error);
    });

    it('401: the sign-in page Azure DevOps answers an expired PAT with (203, HTML)', async () => {
      api.failNext({
        path: '/refs',
        status: 203,
        headers: { 'content-type': 'text/html; charset=utf-8' },
        body: '<html><head><title>Azure DevOps Services | Sign In</title></head></html>',
      });
      const error = await failure(() => provider({ auth: 'basic' }).branchSha('main'));
      expect(error.status).toBe(401);
      expect(error.message).toMatch(/^GET …\/refs failed \(HTTP 401\): the token was rejected/);
    });

    it('403 on an annotated tag: names "Create tag"', async () => {
      api.deny('CreateTag');
      const error = await failure(() => provider().createTag('apps-deploy-1', main, 'promote'));
      expect(error.status).toBe(403);
      expect(error.message).toMatch(
        /^POST …\/annotatedtags failed \(HTTP 403\): the build service identity lacks "Create tag"/,
      );
      expect(error.message).toContain("Azure DevOps says: TF401027: You need the Git 'CreateTag' permission");
      oneLine(error);
    });

    it('403 on a lightweight tag (rejected inside a 200 answer): names "Create tag"', async () => {
      api.deny('CreateTag');
      const error = await failure(() => provider().createTag('apps-deploy-1', main));
      expect(error.status).toBe(403);
      expect(error.message).toMatch(
        /^POST …\/refs failed \(HTTP 403\): the build service identity lacks "Create tag"/,
      );
      expect(fx.git('ls-remote', '--tags', 'origin')).toBe('');
    });

    it('403 on a pull request: names "Contribute to pull requests"', async () => {
      api.deny('PullRequestContribute');
      const error = await failure(() =>
        provider().createPullRequest({ head: 'main', base: 'main', title: 't', body: 'b' }),
      );
      expect(error.message).toMatch(
        /^POST …\/pullrequests failed \(HTTP 403\): the build service identity lacks "Contribute to pull requests" on repository/,
      );
    });

    it('403 on a push: names "Contribute", and "Create branch" for a new branch', async () => {
      api.deny('GenericContribute');
      const files = [{ path: 'a.txt', content: 'a\n' }];
      const onMain = await failure(() =>
        provider().commitFiles({ branch: 'main', base: main, message: 'm', files }),
      );
      expect(onMain.message).toMatch(
        /^POST …\/pushes failed \(HTTP 403\): the build service identity lacks "Contribute" on/,
      );
      api.allow('GenericContribute');
      api.deny('CreateBranch');
      const fresh = await failure(() =>
        provider().commitFiles({ branch: 'new', base: main, message: 'm', files }),
      );
      expect(fresh.message).toContain('lacks "Contribute" and "Create branch"');
    });

    it('403 on a forced reset: names "Force push"', async () => {
      const p = provider();
      await p.commitFiles({
        branch: 'promote/x',
        base: main,
        message: 'm',
        files: [{ path: 'a.txt', content: '1' }],
      });
      api.deny('ForcePush');
      const error = await failure(() =>
        p.commitFiles({
          branch: 'promote/x',
          base: main,
          message: 'm',
          files: [{ path: 'b.txt', content: '2' }],
          force: true,
        }),
      );
      expect(error.message).toMatch(
        /^POST …\/refs failed \(HTTP 403\): refs\/heads\/promote\/x would lose commits/,
      );
      expect(error.message).toContain('"Force push (rewrite history, delete branches and tags)"');
    });

    it('deleteTag needs "Force push", as Azure DevOps asks of whoever deletes a tag', async () => {
      const p = provider();
      await p.createTag('apps-deploy-1', main, 'annotated');
      api.deny('ForcePush');
      const error = await failure(() => p.deleteTag('apps-deploy-1'));
      expect(error.message).toMatch(
        /^POST …\/refs failed \(HTTP 403\): deleting refs\/tags\/apps-deploy-1 was refused: the build service identity lacks "Force push/,
      );
      api.allow('ForcePush');
      await p.deleteTag('apps-deploy-1');
      expect(fx.git('ls-remote', '--tags', 'origin')).toBe('');
      const deletion = api.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/refs')).at(-1);
      expect((deletion!.body as { newObjectId: string }[])[0]!.newObjectId).toBe('0'.repeat(40));
    });

    it('404: project not found', async () => {
      const error = await failure(() => provider({ project: 'Nope' }).branchSha('main'));
      expect(error.status).toBe(404);
      expect(error.message).toMatch(
        /^GET …\/refs failed \(HTTP 404\): project "Nope" or repository "[^"]+" not found at /,
      );
      expect(error.message).toContain('TF200016: The following project does not exist: Nope');
      oneLine(error);
    });

    it('404: repository not found', async () => {
      const error = await failure(() => provider({ repositoryId: 'missing-repo' }).listStatuses(main));
      expect(error.message).toMatch(
        /^GET …\/commits\/[0-9a-f]{40}\/statuses failed \(HTTP 404\): project "Fabrikam Fiber" or repository "missing-repo" not found/,
      );
      expect(error.message).toContain('BUILD_REPOSITORY_ID');
    });

    it('409: the API message (an active pull request already exists)', async () => {
      const p = provider();
      await p.commitFiles({
        branch: 'feature',
        base: main,
        message: 'm',
        files: [{ path: 'a.txt', content: '1' }],
      });
      await p.createPullRequest({ head: 'feature', base: 'main', title: 't', body: 'b' });
      const error = await failure(() =>
        p.createPullRequest({ head: 'feature', base: 'main', title: 't', body: 'b' }),
      );
      expect(error.status).toBe(409);
      expect(error.message).toBe(
        'POST …/pullrequests failed (HTTP 409): TF401179: An active pull request for the source and target branch already exists.',
      );
    });

    it('409: a push onto a branch that moved, without force', async () => {
      const p = provider();
      await p.commitFiles({
        branch: 'env',
        base: main,
        message: 'm',
        files: [{ path: 'a.txt', content: '1' }],
      });
      const error = await failure(() =>
        p.commitFiles({ branch: 'env', base: main, message: 'm', files: [{ path: 'b.txt', content: '2' }] }),
      );
      expect(error.message).toMatch(
        /^POST …\/pushes failed \(HTTP 409\): TF401028: The reference 'refs\/heads\/env'/,
      );
    });

    it('400: the API message', async () => {
      const error = await failure(() =>
        provider().setStatus(main, {
          context: 'a/b',
          state: 'success',
          description: 'd',
          targetUrl: 'not-a-url',
        }),
      );
      expect(error.status).toBe(400);
      expect(error.message).toMatch(
        /^POST …\/commits\/[0-9a-f]{40}\/statuses failed \(HTTP 400\): The target URL/,
      );
    });

    it('a tag on another commit is a TagConflictError even when the tag appears during the call', async () => {
      const p = provider();
      const other = fx.commit({ 'x.txt': 'x' });
      fx.git('push', '-q', 'origin', 'HEAD');
      // The first read sees no tag (as if read just before someone else created it); the POST then conflicts.
      api.failNext({ method: 'GET', path: '/refs', status: 200, body: { count: 0, value: [] } });
      fx.git('tag', 'apps-deploy-7', main);
      fx.git('push', '-q', 'origin', 'refs/tags/apps-deploy-7');
      const error = await p.createTag('apps-deploy-7', other, 'm').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TagConflictError);
      expect(api.requests.map((r) => `${r.method} ${r.status}`)).toEqual(['GET 200', 'POST 409', 'GET 200']);
    });
  });

  describe('answers are untrusted data', () => {
    it('a pull request without its id, or a status without a context, is a clear error naming the call', async () => {
      api.failNext({ method: 'GET', path: '/pullrequests/7', status: 200, body: { status: 'active' } });
      expect((await failure(() => provider().getPullRequest(7))).message).toBe(
        'GET …/pullrequests/7 failed: Azure DevOps answered a pull request without its id or source branch; check that SYSTEM_COLLECTIONURI points at Azure DevOps and no proxy answers in its place',
      );
      api.failNext({
        method: 'GET',
        path: '/statuses',
        status: 200,
        body: { count: 1, value: [{ state: 'succeeded' }] },
      });
      expect((await failure(() => provider().listStatuses(main))).message).toMatch(
        /^GET …\/commits\/[0-9a-f]{40}\/statuses failed: Azure DevOps answered a status without a context name or a state;/,
      );
    });
  });

  describe('the token', () => {
    it('never appears in a message or a log line', async () => {
      const texts: string[] = [];
      const p = provider({ log: (m) => texts.push(m) });
      const collect = async (fn: () => Promise<unknown>) => {
        await fn().catch((e: Error) => texts.push(e.message, String(e.stack)));
      };
      // An API that echoes the Authorization header back in its error message.
      api.failNext({
        path: '/refs',
        status: 400,
        body: {
          message: `bad header Bearer ${api.token} / Basic ${Buffer.from(`:${api.token}`).toString('base64')}`,
        },
      });
      await collect(() => p.branchSha('main'));
      api.failNext({ path: '/refs', status: 503, times: 5 });
      await collect(() => p.branchSha('main'));
      api.failNext({ path: '/refs', status: 429, headers: { 'retry-after': '1' }, times: 5 });
      await collect(() => p.branchSha('main'));
      await collect(() => provider({ token: `${api.token}-stale` }).branchSha('main'));
      await collect(() => provider({ auth: 'basic', project: 'nope' }).branchSha('main'));
      api.deny('CreateTag');
      await collect(() => p.createTag('x', main, 'm'));
      expect(texts.length).toBeGreaterThan(5);
      expect(texts.join('\n')).toContain('***');
      expectNoToken(texts);
    });

    it('is required', () => {
      expect(
        () => new AzureDevOpsProvider({ token: '', collectionUri: 'x', project: 'p', repositoryId: 'r' }),
      ).toThrow(/SYSTEM_ACCESSTOKEN: \$\(System\.AccessToken\)/);
    });
  });
});
