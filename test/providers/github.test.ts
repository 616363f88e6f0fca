import { createServer } from 'node:net';
import { ProviderError } from '@gitops-promote/core';
import { GitHubProvider, type GitHubProviderOptions } from '@gitops-promote/platform/providers/github';
import { TerminalRuntime } from '@gitops-promote/platform/runtimes/terminal';
import { createServices } from '@gitops-promote/platform/services';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { GITHUB_ERRORS, type GitHubApiDouble, startGitHubDouble } from '../doubles/github-api';
import { type GitFixture, gitFixture } from '../support/git';
import { githubProviderOn } from '../support/hosts';
import { providerContract } from './contract';

/** Small pauses and timeouts, so fault tests take milliseconds. */
const FAST = {
  retries: 4,
  baseDelayMs: 5,
  maxDelayMs: 50,
  retryAfterUnitMs: 5,
  timeoutMs: 2_000,
  totalMs: 10_000,
};

function providerFor(api: GitHubApiDouble, extra: Partial<GitHubProviderOptions> = {}): GitHubProvider {
  return githubProviderOn(api, { serverUrl: api.serverUrl, retry: FAST, log: () => {}, env: {}, ...extra });
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** A local port nothing listens on. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

providerContract('github', async () => {
  const fixture = gitFixture();
  const api = await startGitHubDouble(fixture.remote);
  return {
    provider: providerFor(api),
    fixture,
    pullRequests: true,
    mergePullRequest: (n) => api.mergePullRequest(n),
    dispatches: () => api.dispatches,
    close: () => api.close(),
  };
});

describe('github provider over HTTP', () => {
  let fx: GitFixture;
  let api: GitHubApiDouble;
  let main: string;
  let logs: string[];
  let provider: GitHubProvider;

  beforeEach(async () => {
    fx = gitFixture();
    api = await startGitHubDouble(fx.remote);
    main = fx.git('rev-parse', 'HEAD');
    logs = [];
    provider = providerFor(api, { log: (line) => logs.push(line) });
  });

  afterEach(async () => {
    await api.close();
  });

  /** The rejection of `p`, which must be a ProviderError. */
  async function failure(p: Promise<unknown>): Promise<ProviderError> {
    const error = await p.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ProviderError);
    return error as ProviderError;
  }

  describe('requests', () => {
    it('newestTags reads names and commits in one GraphQL request per 100 tags: no call per tag', async () => {
      for (let i = 1; i <= 25; i++)
        fx.git('tag', '-a', '-m', `deploy ${i}`, `apps-deploy-${String(i).padStart(3, '0')}`, main);
      fx.git('push', '-q', 'origin', '--tags');
      const tags = await provider.newestTags('apps-deploy-', 3);
      expect(tags.map((t) => t.name)).toEqual(['apps-deploy-025', 'apps-deploy-024', 'apps-deploy-023']);
      expect(tags.every((t) => t.sha === main)).toBe(true);
      expect(api.requestsTo('GET', /\/git\/tags\//)).toHaveLength(0);
      expect(api.requests).toHaveLength(1);
      expect(api.requests[0]).toMatchObject({ method: 'POST' });
      expect(api.requests[0]!.path).toMatch(/graphql$/);
    });

    it('authenticates with the token and reads statuses 100 per page, following Link', async () => {
      for (let i = 0; i < 250; i++) {
        api.addStatus(main, { context: `load/${String(i).padStart(3, '0')}`, state: 'success' });
      }
      const statuses = await provider.listStatuses(main);
      expect(statuses).toHaveLength(250);
      const reads = api.requestsTo('GET', /\/commits\/[0-9a-f]+\/statuses$/);
      expect(reads.map((r) => r.query)).toEqual([
        { per_page: '100' },
        { per_page: '100', page: '2' },
        { per_page: '100', page: '3' },
      ]);
      expect(reads[0]!.headers.authorization).toBe(`token ${api.token}`);
    });

    it('counts the newest status per context, including one Flux posted', async () => {
      api.addStatus(main, {
        context: 'kustomization/apps-dev/1a2b3c4d',
        state: 'failure',
        description: 'health check failed',
      });
      api.addStatus(main, {
        context: 'kustomization/apps-dev/1a2b3c4d',
        state: 'success',
        description: 'reconciliation succeeded',
      });
      const [status] = await provider.listStatuses(main);
      expect(status).toMatchObject({
        context: 'kustomization/apps-dev/1a2b3c4d',
        state: 'success',
        description: 'reconciliation succeeded',
        genre: 'kustomization',
        name: 'apps-dev/1a2b3c4d',
      });
    });

    it('decides "newest" by time across statuses and check runs, not by which list came first', async () => {
      // A check run finished after the status of the same name, and a status posted after a check run.
      api.addStatus(main, { context: 'e2e', state: 'failure', createdAt: '2030-01-01T00:00:00Z' });
      api.addCheckRun(main, { name: 'e2e', conclusion: 'success', completedAt: '2030-01-01T00:00:05Z' });
      api.addCheckRun(main, { name: 'lint', conclusion: 'failure', completedAt: '2030-01-01T00:00:00Z' });
      api.addStatus(main, { context: 'lint', state: 'success', createdAt: '2030-01-01T00:00:05Z' });
      const byContext = Object.fromEntries((await provider.listStatuses(main)).map((s) => [s.context, s]));
      expect(byContext.e2e?.state).toBe('success');
      expect(byContext.lint?.state).toBe('success');
    });

    it('two statuses in the same second (GitHub stamps to the second): the one listed first, posted last, counts', async () => {
      api.addStatus(main, { context: 'ci', state: 'failure', createdAt: '2030-01-01T00:00:00Z' });
      api.addStatus(main, { context: 'ci', state: 'success', createdAt: '2030-01-01T00:00:00Z' });
      expect((await provider.listStatuses(main)).map((s) => s.state)).toEqual(['success']);
    });

    it('stamps statuses with the double’s clock, distinct even when the clock stands still', async () => {
      await api.close();
      api = await startGitHubDouble(fx.remote, { clock: () => Date.parse('2030-01-01T00:00:00Z') });
      provider = providerFor(api);
      await provider.setStatus(main, { context: 'ci', state: 'pending', description: '' });
      await provider.setStatus(main, { context: 'ci', state: 'success', description: '' });
      expect(api.statuses(main).map((s) => s.created_at)).toEqual([
        '2030-01-01T00:00:00.001Z',
        '2030-01-01T00:00:00.000Z',
      ]);
      expect((await provider.listStatuses(main)).map((s) => s.state)).toEqual(['success']);
    });

    it('statuses given out of order are listed as GitHub does: newest first, and the newest counts', async () => {
      api.addStatus(main, { context: 'ci', state: 'success', createdAt: '2030-01-01T00:00:09Z' });
      api.addStatus(main, { context: 'ci', state: 'pending', createdAt: '2030-01-01T00:00:01Z' });
      expect(api.statuses(main).map((s) => s.state)).toEqual(['success', 'pending']);
      expect((await provider.listStatuses(main)).map((s) => s.state)).toEqual(['success']);
    });

    it('reads check runs as statuses', async () => {
      api.addCheckRun(main, {
        name: 'build',
        status: 'completed',
        conclusion: 'success',
        title: 'Build passed',
      });
      api.addCheckRun(main, { name: 'lint', status: 'completed', conclusion: 'timed_out' });
      api.addCheckRun(main, { name: 'deploy', status: 'in_progress' });
      api.addCheckRun(main, { name: 'e2e', status: 'completed', conclusion: 'failure' });
      api.addCheckRun(main, { name: 'e2e', status: 'completed', conclusion: 'success' });
      api.addStatus(main, { context: 'gitops-promote/ops', state: 'success' });
      const byContext = Object.fromEntries((await provider.listStatuses(main)).map((s) => [s.context, s]));
      expect(Object.keys(byContext).sort()).toEqual(['build', 'deploy', 'e2e', 'gitops-promote/ops', 'lint']);
      expect(byContext.build).toMatchObject({ state: 'success', description: 'Build passed' });
      expect(byContext.lint?.state).toBe('failure');
      expect(byContext.deploy?.state).toBe('pending');
      expect(byContext.e2e?.state).toBe('success');
      expect(api.requestsTo('GET', '/check-runs')[0]!.query).toMatchObject({
        per_page: '100',
        filter: 'latest',
      });
    });

    it('keeps reading statuses when the token may not read check runs', async () => {
      api.addStatus(main, { context: 'gitops-promote/ops', state: 'success' });
      api.deny('checks:read');
      expect((await provider.listStatuses(main)).map((s) => s.context)).toEqual(['gitops-promote/ops']);
      expect(logs.join('\n')).toMatch(/check runs .* not read .*checks:read/);
    });

    it('writes statuses in GitHub’s shape, the description clipped to 140 characters', async () => {
      await provider.setStatus(main, {
        context: 'gitops-promote/ops',
        state: 'success',
        description: `applied ${'x'.repeat(200)}`,
        targetUrl: 'https://ci.example.com/1',
      });
      const [post] = api.requestsTo('POST', `/statuses/${main}`);
      expect(post!.body).toMatchObject({
        state: 'success',
        context: 'gitops-promote/ops',
        target_url: 'https://ci.example.com/1',
      });
      expect((post!.body as { description: string }).description).toHaveLength(140);
    });

    it('encodes every path segment: $(…), quotes, #, %, & in branch names; spaces in paths', async () => {
      // Git allows no spaces in ref names; everything else a shell or a URL would trip on is here.
      const branch = `feat/$(touch\${IFS}x)"q"'a'#1%41&b=c`;
      const sha = await provider.commitFiles({
        branch,
        base: main,
        message: 'x',
        files: [{ path: 'dir with space/ü #.txt', content: 'x\n' }],
      });
      expect(await provider.branchSha(branch)).toBe(sha);
      expect(await provider.readFile('dir with space/ü #.txt', branch)).toBe('x\n');
      expect(await provider.isAncestor(main, branch)).toBe(true);
      const paths = api.requests.map((r) => r.path);
      expect(paths.some((p) => p.includes("feat/%24(touch%24%7BIFS%7Dx)%22q%22'a'%231%2541%26b%3Dc"))).toBe(
        true,
      );
      expect(paths.some((p) => p.includes('/contents/dir%20with%20space/%C3%BC%20%23.txt'))).toBe(true);
      expect(paths.every((p) => !p.includes(' ') && !p.includes('#'))).toBe(true);
    });

    it('finds pull requests with head=owner:branch', async () => {
      await provider.findPullRequests({ head: 'promote/apps-web', base: 'main' });
      const [list] = api.requestsTo('GET', /\/pulls$/);
      expect(list!.query).toEqual({
        state: 'open',
        head: `${api.owner}:promote/apps-web`,
        base: 'main',
        per_page: '100',
      });
    });

    it('enables auto-merge through GraphQL with the pull request node id', async () => {
      const sha = await provider.commitFiles({
        branch: 'promote/x',
        base: main,
        message: 'm',
        files: [{ path: 'x', content: '1\n' }],
      });
      expect(sha).toBeDefined();
      const pr = await provider.createPullRequest({ head: 'promote/x', base: 'main', title: 't', body: 'b' });
      await provider.setAutoMerge(pr.number, true);
      await provider.setAutoMerge(pr.number, true); // already on: no second mutation
      const mutations = api.requestsTo('POST', '/graphql');
      expect(mutations).toHaveLength(1);
      expect(mutations[0]!.body).toMatchObject({
        variables: { pullRequestId: api.pullRequest(pr.number)!.node_id, mergeMethod: 'MERGE' },
      });
      expect(String((mutations[0]!.body as { query: string }).query)).toContain('enablePullRequestAutoMerge');
    });

    it('explains why GitHub refuses auto-merge', async () => {
      await provider.commitFiles({
        branch: 'promote/x',
        base: main,
        message: 'm',
        files: [{ path: 'x', content: '1\n' }],
      });
      const pr = await provider.createPullRequest({ head: 'promote/x', base: 'main', title: 't', body: 'b' });
      api.autoMerge = 'disabled';
      expect((await failure(provider.setAutoMerge(pr.number, true))).message).toMatch(
        /^POST \/graphql \(enablePullRequestAutoMerge\) failed: .*Auto merge is not allowed.*Allow auto-merge/,
      );
      api.autoMerge = 'clean';
      expect((await failure(provider.setAutoMerge(pr.number, true))).message).toMatch(
        /clean status.*required status checks/,
      );
    });

    it('reads a file over 1 MB through the blob API', async () => {
      const big = `${'0123456789abcdef'.repeat(70_000)}\n`;
      fx.commit({ 'big.txt': big });
      fx.git('push', '-q', 'origin', 'HEAD');
      expect(await provider.readFile('big.txt', 'main')).toBe(big);
      expect(api.requestsTo('GET', '/git/blobs/')).toHaveLength(1);
    });

    it('deletes an existing path and skips deleting one that is not there', async () => {
      const base = fx.commit({ 'old.txt': 'old\n' });
      fx.git('push', '-q', 'origin', 'HEAD');
      const sha = await provider.commitFiles({
        branch: 'cleanup',
        base,
        message: 'rm',
        files: [
          { path: 'old.txt', content: null },
          { path: 'never-there.txt', content: null },
          { path: 'empty.txt', content: '' },
        ],
      });
      expect(sha).toBeDefined();
      expect(await provider.readFile('old.txt', 'cleanup')).toBeUndefined();
      expect(await provider.readFile('empty.txt', 'cleanup')).toBe('');
      const [tree] = api.requestsTo('POST', '/git/trees');
      expect((tree!.body as { tree: { path: string }[] }).tree.map((e) => e.path).sort()).toEqual([
        'empty.txt',
        'old.txt',
      ]);
      // Only deletions of paths that are not there: nothing to commit.
      expect(
        await provider.commitFiles({
          branch: 'cleanup2',
          base,
          message: 'rm',
          files: [{ path: 'nope', content: null }],
        }),
      ).toBeUndefined();
    });

    it('upserts a comment that needs its marker added, and does not PATCH an unchanged one', async () => {
      await provider.commitFiles({
        branch: 'promote/x',
        base: main,
        message: 'm',
        files: [{ path: 'x', content: '1\n' }],
      });
      const pr = await provider.createPullRequest({ head: 'promote/x', base: 'main', title: 't', body: 'b' });
      const marker = '<!-- gitops-promote:terraform-run:ops -->';
      const first = await provider.upsertComment(pr.number, marker, 'plan: +1');
      expect(api.comments(pr.number)[0]!.body).toBe(`${marker}\nplan: +1`);
      expect(await provider.upsertComment(pr.number, marker, 'plan: +1')).toEqual({
        id: first.id,
        created: false,
      });
      expect(api.requestsTo('PATCH', '/issues/comments/')).toHaveLength(0);
      const long = await provider.upsertComment(pr.number, marker, 'y'.repeat(70_000));
      expect(long.created).toBe(false);
      const body = String(api.comments(pr.number)[0]!.body);
      expect(body.length).toBeLessThanOrEqual(65_536);
      expect(body.startsWith(marker)).toBe(true);
      expect(body).toMatch(/truncated/);
    });
  });

  describe('retries', () => {
    it('waits out a 429 with retry-after (secondary rate limit), then succeeds', async () => {
      api.failNext({ path: '/statuses', ...GITHUB_ERRORS.secondaryRateLimit(4) });
      api.addStatus(main, { context: 'ci', state: 'success' });
      expect(await provider.listStatuses(main)).toHaveLength(1);
      const reads = api.requestsTo('GET', '/statuses');
      expect(reads.map((r) => r.status)).toEqual([429, 200]);
      // retry-after 4 × 5 ms per second
      expect(reads[1]!.at - reads[0]!.at).toBeGreaterThanOrEqual(18);
      expect(logs.join('\n')).toMatch(/secondary rate limit; retrying/);
    });

    it('honours retry-after on a plain 429 too, and a 403 secondary rate limit', async () => {
      api.failNext({
        path: '/git/ref/',
        status: 429,
        headers: { 'retry-after': '6' },
        body: { message: 'Too Many Requests' },
      });
      api.failNext({ path: '/git/ref/', ...GITHUB_ERRORS.secondaryRateLimit(1, 403) });
      expect(await provider.branchSha('main')).toBe(main);
      const reads = api.requestsTo('GET', '/git/ref/');
      expect(reads.map((r) => r.status)).toEqual([429, 403, 200]);
      expect(reads[1]!.at - reads[0]!.at).toBeGreaterThanOrEqual(28);
    });

    it('gives up on 502s with a message that does not quote the HTML page', async () => {
      provider = providerFor(api, { retry: { ...FAST, retries: 2 } });
      api.failNext({ path: '/git/ref/', ...GITHUB_ERRORS.badGateway, times: 3 });
      expect((await failure(provider.branchSha('main'))).message).toBe(
        'GET /repos/octo-org/octo-repo/git/ref/heads/main failed (HTTP 502): GitHub had a server error (3 attempts); try again later',
      );
    });

    it('retries 500 and 502, then succeeds', async () => {
      api.failNext({ method: 'POST', path: '/statuses/', ...GITHUB_ERRORS.serverError });
      api.failNext({ method: 'POST', path: '/statuses/', ...GITHUB_ERRORS.badGateway });
      await provider.setStatus(main, { context: 'gitops-promote/ops', state: 'success', description: 'ok' });
      expect(api.requestsTo('POST', '/statuses/').map((r) => r.status)).toEqual([500, 502, 201]);
      expect(api.statuses(main)).toHaveLength(1);
      expect(logs.join('\n')).toMatch(
        /POST \/repos\/octo-org\/octo-repo\/statuses\/[0-9a-f]+: HTTP 500; retrying/,
      );
    });

    it('aborts a request that hangs past the timeout and retries it', async () => {
      provider = providerFor(api, { retry: { ...FAST, timeoutMs: 150 }, log: (l) => logs.push(l) });
      api.hangNext({ path: '/git/ref/heads/main' });
      expect(await provider.branchSha('main')).toBe(main);
      // The hanging request was given up on and a later one answered (a loaded machine may time out
      // the retry too, so the number of attempts is not the promise).
      const reads = api.requestsTo('GET', '/git/ref/heads/main');
      expect(reads[0]!.status).toBeUndefined();
      expect(reads.at(-1)!.status).toBe(200);
      expect(logs[0]).toMatch(/: no answer within 150ms; retrying in /);
    });

    it('gives up on a request that never answers, naming the call and the timeout', async () => {
      provider = providerFor(api, { retry: { ...FAST, retries: 2, timeoutMs: 100 } });
      api.hangNext({ path: '/git/ref/heads/main', times: 10 });
      const error = await failure(provider.branchSha('main'));
      expect(error.message).toBe(
        `GET /repos/octo-org/octo-repo/git/ref/heads/main failed: no answer from ${api.apiUrl}: no answer within 100ms (3 attempts); check the API URL (GITHUB_API_URL) and the network`,
      );
      expect(error.status).toBeUndefined();
    });

    it('stops within the time budget however many retries are left', async () => {
      provider = providerFor(api, {
        retry: { ...FAST, retries: 100, baseDelayMs: 40, maxDelayMs: 40, totalMs: 300 },
      });
      api.failNext({ path: '/git/ref/', status: 503, times: 1000 });
      const error = await failure(provider.branchSha('main'));
      // Every pause is at least 32 ms (40 ms less 20 % jitter), so a 300 ms budget allows at most 10
      // attempts of the 101 the retries would; a slower machine only makes fewer.
      const attempts = api.requestsTo('GET', '/git/ref/').length;
      expect(attempts).toBeGreaterThanOrEqual(1);
      expect(attempts).toBeLessThanOrEqual(10);
      // Given up on a 503, or on the budget itself when it ran out during the last attempt.
      expect(error.message).toMatch(
        /^GET \/repos\/octo-org\/octo-repo\/git\/ref\/heads\/main failed(?: \(HTTP 503\): GitHub had a server error \(\d+ attempts\); try again later|: .*gave up after 300ms \(the time budget of one call\))/,
      );
    });

    it('gives up on a call still unanswered when its time budget runs out, saying so', async () => {
      // Each attempt may wait 2 s for an answer; the call as a whole only 300 ms.
      provider = providerFor(api, { retry: { ...FAST, totalMs: 300 } });
      api.hangNext({ path: '/git/ref/' });
      const error = await failure(provider.branchSha('main'));
      expect(error.message).toMatch(
        /^GET \/repos\/octo-org\/octo-repo\/git\/ref\/heads\/main failed: no answer from http:\S+: gave up after 300ms \(the time budget of one call\)/,
      );
      expect(api.requestsTo('GET', '/git/ref/')).toHaveLength(1);
    });

    it('does not retry a rate limit that lasts longer than the budget', async () => {
      provider = providerFor(api, { retry: { ...FAST, retryAfterUnitMs: 1000, totalMs: 2_000 } });
      api.failNext({ path: '/git/ref/', ...GITHUB_ERRORS.primaryRateLimit(3600) });
      const error = await failure(provider.branchSha('main'));
      expect(api.requestsTo('GET', '/git/ref/')).toHaveLength(1);
      expect(logs.join('\n')).not.toMatch(/retrying/);
      expect(error.status).toBe(403);
      expect(error.message).toMatch(
        /^GET \/repos\/octo-org\/octo-repo\/git\/ref\/heads\/main failed \(HTTP 403\): rate limited by GitHub; stopped waiting .*; the limit resets at \d{4}-.*\(GitHub: "API rate limit exceeded/,
      );
      expect(error.message).not.toMatch(/lacks permission/);
    });

    it('does not retry 4xx answers', async () => {
      api.failNext({ method: 'POST', path: '/statuses/', ...GITHUB_ERRORS.validation('Validation Failed') });
      await failure(provider.setStatus(main, { context: 'c', state: 'success', description: '' }));
      expect(api.requestsTo('POST', '/statuses/')).toHaveLength(1);
    });

    it('does not pace a run’s own writes: each write is sent as soon as the one before is answered', async () => {
      // A promotion's writes, one after the other, with the product's defaults.
      await provider.setStatus(main, { context: 'gitops-promote/ops', state: 'pending', description: '' });
      await provider.createTag('apps-deploy-1', main, 'promote');
      const sha = await provider.commitFiles({
        branch: 'promote/apps-web',
        base: main,
        message: 'promote web',
        files: [{ path: 'apps/dev/web.yaml', content: 'image: web:2\n' }],
      });
      const pr = await provider.createPullRequest({
        head: 'promote/apps-web',
        base: 'main',
        title: 'Promote web',
        body: 'body',
      });
      await provider.upsertComment(pr.number, '<!-- m -->', 'planned');
      await provider.setStatus(sha!, { context: 'gitops-promote/ops', state: 'success', description: '' });
      const writes = api.requests.filter((r) => r.method !== 'GET');
      expect(writes.length).toBeGreaterThanOrEqual(8);
      // The double's own clock: the time from answering one write to receiving the next. Pacing as
      // GitHub's one write a second would add about a second to each of these gaps; without it they
      // are the client's turnaround (milliseconds).
      // The median, not the sum: one turnaround slowed by a loaded machine must not decide it.
      expect(median(writes.slice(1).map((w, i) => w.at - writes[i]!.answeredAt!))).toBeLessThan(500);
    });

    it('the provider a step gets (createServices) does not pace its writes either', async () => {
      const rt = new TerminalRuntime(
        { provider: 'github', token: api.token },
        fx.work,
        () => {},
        () => {},
      );
      const stepProvider = await createServices(rt, { ...api.env() }).provider();
      for (const state of ['pending', 'success', 'pending', 'success'] as const)
        await stepProvider.setStatus(main, { context: 'gitops-promote/ops', state, description: '' });
      const writes = api.requestsTo('POST', '/statuses/');
      expect(writes.map((w) => w.status)).toEqual([201, 201, 201, 201]);
      expect(median(writes.slice(1).map((w, i) => w.at - writes[i]!.answeredAt!))).toBeLessThan(500);
    });

    it('spaces writes when asked to (writeIntervalMs)', async () => {
      provider = providerFor(api, { writeIntervalMs: 250 });
      await Promise.all(
        ['a', 'b', 'c'].map((context) =>
          provider.setStatus(main, { context, state: 'success', description: '' }),
        ),
      );
      // The client starts them 250 ms apart (500 ms first to last); half of that leaves room for one
      // request reaching the double later than another on a loaded machine.
      const at = api.requestsTo('POST', '/statuses/').map((r) => r.at);
      expect(at[2]! - at[0]!).toBeGreaterThanOrEqual(250);
    });

    it('still waits out a secondary rate limit on a write, as retry-after says', async () => {
      api.failNext({ method: 'POST', path: '/statuses/', ...GITHUB_ERRORS.secondaryRateLimit(3, 403) });
      api.failNext({ method: 'POST', path: '/statuses/', ...GITHUB_ERRORS.secondaryRateLimit(2, 429) });
      await provider.setStatus(main, { context: 'gitops-promote/ops', state: 'success', description: '' });
      const posts = api.requestsTo('POST', '/statuses/');
      expect(posts.map((r) => r.status)).toEqual([403, 429, 201]);
      // retry-after × 5 ms per second (FAST.retryAfterUnitMs): a lower bound, whatever the machine
      // (less 1 ms for the rounding of two clocks).
      expect(posts[1]!.at - posts[0]!.answeredAt!).toBeGreaterThanOrEqual(14);
      expect(posts[2]!.at - posts[1]!.answeredAt!).toBeGreaterThanOrEqual(9);
      expect(logs.filter((l) => /secondary rate limit; retrying in/.test(l))).toHaveLength(2);
      expect(api.statuses(main)).toHaveLength(1);
    });
  });

  describe('errors name the call, the status and the likely cause', () => {
    it('401: the token is invalid or expired', async () => {
      provider = providerFor(api, { token: 'ghp_wrong0000000000000000000000000000000' });
      const error = await failure(
        provider.setStatus(main, { context: 'c', state: 'success', description: '' }),
      );
      expect(error.message).toBe(
        `POST /repos/octo-org/octo-repo/statuses/${main} failed (HTTP 401): the token was refused: it is invalid or has expired (GitHub: "Bad credentials")`,
      );
      expect(error).toMatchObject({ status: 401, call: `POST /repos/octo-org/octo-repo/statuses/${main}` });
    });

    it('403: names the permission the call needs', async () => {
      api.deny('statuses:write', 'contents:write', 'pull-requests:write');
      expect(
        (await failure(provider.setStatus(main, { context: 'c', state: 'success', description: '' })))
          .message,
      ).toBe(
        `POST /repos/octo-org/octo-repo/statuses/${main} failed (HTTP 403): the token lacks permission statuses:write (in a workflow: \`permissions: { statuses: write }\`) (GitHub: "Resource not accessible by integration")`,
      );
      expect((await failure(provider.createTag('apps-deploy-1', main))).message).toMatch(
        /^POST \/repos\/octo-org\/octo-repo\/git\/refs failed \(HTTP 403\): the token lacks permission contents:write/,
      );
      expect(
        (await failure(provider.createPullRequest({ head: 'main', base: 'main', title: 't', body: '' })))
          .message,
      ).toMatch(
        /^POST \/repos\/octo-org\/octo-repo\/pulls failed \(HTTP 403\): the token lacks permission pull-requests:write/,
      );
    });

    it('404: the repository is not there or the token cannot see it', async () => {
      provider = providerFor(api, { repository: 'octo-org/other' });
      expect(
        (await failure(provider.setStatus(main, { context: 'c', state: 'success', description: '' })))
          .message,
      ).toBe(
        `POST /repos/octo-org/other/statuses/${main} failed (HTTP 404): repository octo-org/other not found, or the token cannot see it (GitHub: "Not Found")`,
      );
      // A read that treats 404 as "absent" still refuses to mistake a missing repository for a missing branch.
      expect((await failure(provider.branchSha('main'))).message).toBe(
        'GET /repos/octo-org/other failed (HTTP 404): repository octo-org/other not found, or the token cannot see it (GitHub: "Not Found")',
      );
    });

    it('404 on a pull request says which one', async () => {
      expect((await failure(provider.getPullRequest(42))).message).toBe(
        'GET /repos/octo-org/octo-repo/pulls/42 failed (HTTP 404): pull request #42 does not exist in octo-org/octo-repo (or the token cannot see the repository)',
      );
    });

    it('422: GitHub’s own message', async () => {
      const error = await failure(provider.createTag('apps-deploy-1', 'a'.repeat(40)));
      expect(error.message).toBe(
        'POST /repos/octo-org/octo-repo/git/refs failed (HTTP 422): GitHub refused the request: Object does not exist',
      );
      await provider.commitFiles({
        branch: 'promote/x',
        base: main,
        message: 'm',
        files: [{ path: 'x', content: '1\n' }],
      });
      await provider.createPullRequest({ head: 'promote/x', base: 'main', title: 't', body: '' });
      expect(
        (await failure(provider.createPullRequest({ head: 'promote/x', base: 'main', title: 't', body: '' })))
          .message,
      ).toBe(
        'POST /repos/octo-org/octo-repo/pulls failed (HTTP 422): GitHub refused the request: Validation Failed: A pull request already exists for octo-org:promote/x.',
      );
    });

    it('an unreachable API: says which URL', async () => {
      const closed = await freePort();
      provider = providerFor(api, { apiUrl: `http://127.0.0.1:${closed}`, retry: { ...FAST, retries: 1 } });
      const message = (await failure(provider.branchSha('main'))).message;
      expect(message).toMatch(
        /^GET \/repos\/octo-org\/octo-repo\/git\/ref\/heads\/main failed: no answer from /,
      );
      expect(message).toContain(`http://127.0.0.1:${closed}: connect ECONNREFUSED`);
      expect(message).toMatch(/\(2 attempts\); check the API URL \(GITHUB_API_URL\) and the network$/);
    });
  });

  describe('answers are untrusted data', () => {
    it.each([
      ['branchSha', '/git/ref/heads/main', {}, (p: GitHubProvider) => p.branchSha('main')],
      ['getPullRequest', '/pulls/1', { number: 1 }, (p: GitHubProvider) => p.getPullRequest(1)],
      [
        'getTag',
        '/git/ref/tags/apps-deploy-1',
        { ref: 'x' },
        (p: GitHubProvider) => p.getTag('apps-deploy-1'),
      ],
      ['readFile', '/contents/', { type: 'file' }, (p: GitHubProvider) => p.readFile('README.md', 'main')],
    ] as const)(
      '%s: an answer without the fields it reads is a clear error naming the call',
      async (_, path, body, run) => {
        api.failNext({ method: 'GET', path, status: 200, body });
        const error = await failure(run(provider));
        expect(error.message).toMatch(
          /^GET \/repos\/octo-org\/octo-repo\/\S+ failed: GitHub answered without a field \w+ needs \(/,
        );
        expect(error.message).toContain('check that the API URL points at GitHub');
      },
    );

    it('a list of statuses that is not a list, or holds a status without a context, names the call', async () => {
      api.failNext({ method: 'GET', path: '/statuses', status: 200, body: { statuses: [] } });
      expect((await failure(provider.listStatuses(main))).message).toMatch(
        /^GET \/repos\/octo-org\/octo-repo\/commits\/[0-9a-f]{40}\/statuses failed: GitHub answered something other than a list;/,
      );
      api.failNext({ method: 'GET', path: '/statuses', status: 200, body: [{ state: 'success' }] });
      expect((await failure(provider.listStatuses(main))).message).toMatch(
        /\/statuses failed: GitHub answered a status without a context or a state;/,
      );
    });

    it('the default log keeps API text from starting a workflow command on either platform', async () => {
      const written: string[] = [];
      const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
        written.push(String(chunk));
        return true;
      });
      try {
        const quiet = githubProviderOn(api, { retry: FAST, env: {} });
        api.failNext({
          method: 'GET',
          path: '/check-runs',
          status: 403,
          body: { message: 'Resource not accessible\n::add-mask::x\n##vso[task.setvariable variable=P]1' },
        });
        await quiet.listStatuses(main);
      } finally {
        spy.mockRestore();
      }
      const text = written.join('');
      expect(text).toContain('check runs of');
      expect(text).not.toMatch(/^\s*::/m);
      expect(text).not.toContain('##vso[');
    });
  });

  describe('the token', () => {
    it('never appears in a message, a log line, stdout or stderr', async () => {
      const written: string[] = [];
      const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
        written.push(String(chunk));
        return true;
      });
      const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
        written.push(String(chunk));
        return true;
      });
      const messages: string[] = [];
      try {
        // The default log sink (stderr), and a server that echoes the token back in its errors.
        provider = providerFor(api, { log: undefined });
        const echo = { message: `token ${api.token} is not allowed here` };
        api.failNext({ path: '/git/ref/', status: 500, body: echo });
        api.failNext({ path: '/git/ref/', status: 429, headers: { 'retry-after': '0' }, body: echo });
        expect(await provider.branchSha('main')).toBe(main);
        api.failNext({ method: 'POST', status: 422, body: echo });
        api.failNext({ method: 'POST', status: 403, body: echo });
        api.failNext({ method: 'POST', status: 502, body: echo, times: 10 });
        for (const call of [
          () => provider.setStatus(main, { context: 'c', state: 'success', description: '' }),
          () => provider.createTag('t', main),
          () => provider.createPullRequest({ head: 'x', base: 'main', title: 't', body: '' }),
        ]) {
          const e = await call().then(
            () => undefined,
            (x: unknown) => x as Error,
          );
          expect(e).toBeInstanceOf(ProviderError);
          messages.push(e!.message, String(e!.stack), JSON.stringify(e));
        }
        const wrong = providerFor(api, { token: `${api.token}x`, log: undefined });
        const e = await wrong.branchSha('main').catch((x: unknown) => x as Error);
        messages.push(String(e));
      } finally {
        out.mockRestore();
        err.mockRestore();
      }
      expect(written.join('')).toMatch(/retrying/);
      expect(messages.join('\n')).toMatch(/\*\*\*/);
      for (const text of [...written, ...messages]) {
        expect(text).not.toContain(api.token);
      }
    });

    it('a missing token or repository is said at once', () => {
      expect(() => new GitHubProvider({ token: '', repository: 'o/r' })).toThrow(/no GitHub token/);
      expect(() => new GitHubProvider({ token: 't', repository: 'nope' })).toThrow(/expected owner\/name/);
    });
  });

  describe('GitHub Enterprise Server', () => {
    it('works under an API path prefix (/api/v3), GraphQL at /api/graphql', async () => {
      const ghes = await startGitHubDouble(fx.remote, { prefix: '/api/v3' });
      try {
        const p = providerFor(ghes);
        expect(p.graphqlUrl).toBe(`${ghes.serverUrl}/api/graphql`);
        for (let i = 0; i < 120; i++) ghes.addStatus(main, { context: `c/${i}`, state: 'success' });
        expect(await p.listStatuses(main)).toHaveLength(120);
        expect((await p.createTag('apps-deploy-1', main)).created).toBe(true);
        expect(await p.listTags('apps-deploy-')).toEqual([{ name: 'apps-deploy-1', sha: main }]);
        const sha = await p.commitFiles({
          branch: 'promote/x',
          base: main,
          message: 'm',
          files: [{ path: 'x', content: '1\n' }],
        });
        expect(await p.branchSha('promote/x')).toBe(sha);
        const pr = await p.createPullRequest({ head: 'promote/x', base: 'main', title: 't', body: '' });
        expect(pr.url).toBe(`${ghes.serverUrl}/${ghes.repository}/pull/${pr.number}`);
        await p.setAutoMerge(pr.number, true);
        expect((await p.getPullRequest(pr.number)).autoMerge).toBe(true);
        expect(ghes.requests.every((r) => r.url.startsWith('/api/v3/') || r.url === '/api/graphql')).toBe(
          true,
        );
        // The one error answer: commitFiles asking whether the branch exists yet.
        expect(
          ghes.requests.filter((r) => (r.status ?? 0) >= 400).map((r) => `${r.status} ${r.path}`),
        ).toEqual([`404 /repos/${ghes.repository}/git/ref/heads/promote/x`]);
        expect(ghes.requestsTo('GET', '/statuses').map((r) => r.url)).toEqual([
          expect.stringMatching(/^\/api\/v3\/repos\/.*\/statuses\?per_page=100$/),
          expect.stringMatching(/^\/api\/v3\/repos\/.*\/statuses\?per_page=100&page=2$/),
        ]);
      } finally {
        await ghes.close();
      }
    });

    it('takes GITHUB_API_URL and GITHUB_SERVER_URL from the environment', () => {
      const p = new GitHubProvider({
        token: 't',
        repository: 'o/r',
        env: {
          GITHUB_API_URL: 'https://ghes.example.com/api/v3/',
          GITHUB_SERVER_URL: 'https://ghes.example.com',
          GITHUB_GRAPHQL_URL: 'https://ghes.example.com/api/graphql',
        },
      });
      expect(p).toMatchObject({
        apiUrl: 'https://ghes.example.com/api/v3',
        serverUrl: 'https://ghes.example.com',
        graphqlUrl: 'https://ghes.example.com/api/graphql',
      });
      expect(new GitHubProvider({ token: 't', repository: 'o/r', env: {} })).toMatchObject({
        apiUrl: 'https://api.github.com',
        graphqlUrl: 'https://api.github.com/graphql',
      });
    });
  });
});
