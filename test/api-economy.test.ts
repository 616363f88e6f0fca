import { writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { type GitHubApiDouble, isWrite, startGitHubDouble } from './doubles/github-api';
import { runGitHub } from './support/bundle';
import { type GitFixture, git, gitFixture } from './support/git';

/**
 * Work that must not grow with history, counted as requests on the GitHub API double through the built
 * bundle. GP_API_COUNTS=<file> also writes the counts as JSON for `npm run bench` (bench/api.mjs).
 */
const CONFIG = 'environments:\n  - name: ops\n  - name: apps\nstatus: { timeout: 2s, interval: 1s }\n';
const counts: Record<string, number> = {};

let api: GitHubApiDouble | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
  if (process.env.GP_API_COUNTS) writeFileSync(process.env.GP_API_COUNTS, JSON.stringify(counts));
});

/** `n` earlier promotions to apps: annotated deploy tags on older commits of main, as the step makes them. */
function earlierDeployTags(fx: GitFixture, n: number): void {
  for (let i = 0; i < n; i++) {
    const sha = fx.commit({ [`infra/${i}.tf`]: `# ${i}\n` });
    const name = `apps-deploy-2026010100${String(i).padStart(4, '0')}`;
    git(
      fx.work,
      '-c',
      'user.name=t',
      '-c',
      'user.email=t@example.invalid',
      'tag',
      '-a',
      '-m',
      'promote',
      name,
      sha,
    );
  }
  fx.git('push', '-q', 'origin', 'main', '--tags');
}

const PR_CONFIG =
  'prflow: per-app\nenvironments:\n  - name: dev\n    auto: true\n  - name: qa\n    auto: true\n';
const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: podinfo
spec:
  template:
    spec:
      containers:
        - name: podinfo
          image: ghcr.io/org/podinfo:1.0.0 # {"$imagepolicy": "apps:podinfo"}
`;

describe('requests per run, flat with history (GitHub API double)', () => {
  // A run's own writes are not paced (SPEC §6): the time is recorded for the bench, never asserted.
  it('promote-tag (pull-request, new) opens the pull request', async () => {
    const fx = gitFixture({
      'gitops-promotion.yaml': PR_CONFIG,
      'apps/dev/podinfo.yaml': DEPLOYMENT,
      'apps/qa/podinfo.yaml': DEPLOYMENT,
    });
    const sha = fx.git('rev-parse', 'HEAD');
    api = await startGitHubDouble(fx.remote);
    const started = performance.now();
    const r = await runGitHub('promote-tag', {
      cwd: fx.work,
      event: 'workflow_dispatch',
      ref: 'refs/heads/main',
      sha,
      env: api.env(),
      inputs: {
        token: api.token,
        strategy: 'pull-request',
        command: 'new',
        group: 'apps',
        app: 'podinfo',
        'image-tag': '1.1.0',
      },
    });
    counts['promote-tag pull-request new, ms (API double)'] = Math.round(performance.now() - started);
    counts['promote-tag pull-request new, requests'] = api.requests.length;
    expect(r.failure).toBeUndefined();
    expect(r.outputs.created).toBe('true');
    expect(api.requests.filter(isWrite).length).toBeGreaterThan(0);
  });

  it.each([0, 100])('promote-tag (git-tag) with %i earlier deploy tags', async (earlier) => {
    const fx = gitFixture({ 'gitops-promote.yaml': CONFIG });
    earlierDeployTags(fx, earlier);
    const sha = fx.commit({ 'infra/new.tf': '# new\n' });
    fx.git('push', '-q', 'origin', 'main');
    api = await startGitHubDouble(fx.remote);
    api.addStatus(sha, { context: 'gitops-promote/ops', state: 'success', description: 'applied' });
    const r = await runGitHub('promote-tag', {
      cwd: fx.work,
      sha,
      env: api.env(),
      inputs: { token: api.token, environment: 'apps', sha },
    });
    expect(r.failure).toBeUndefined();
    expect(r.outputs.created).toBe('true');
    counts[`promote-tag git-tag, ${earlier} earlier deploy tags`] = api.requests.length;
    expect(
      api.requests.length,
      api.requests.map((q) => `${q.method} ${q.path}`).join('\n'),
    ).toBeLessThanOrEqual(8);
  });

  // Tags are listed 100 a request: 100 earlier tags plus the new one make the check after creating a second
  // page. That is the only growth: none per tag.
  it('promote-tag grows by pages of 100 tags, not per tag', () => {
    const none = counts['promote-tag git-tag, 0 earlier deploy tags'] ?? 0;
    const many = counts['promote-tag git-tag, 100 earlier deploy tags'] ?? Number.POSITIVE_INFINITY;
    expect(none).toBeGreaterThan(0);
    expect(many - none).toBeLessThanOrEqual(1);
  });

  it('check-previous-env reads 250 statuses in at most 4 requests per poll', async () => {
    const fx = gitFixture({ 'gitops-promote.yaml': CONFIG });
    const sha = fx.git('rev-parse', 'HEAD');
    api = await startGitHubDouble(fx.remote);
    for (let i = 0; i < 249; i++) api.addStatus(sha, { context: `ci/job-${i}`, state: 'success' });
    api.addStatus(sha, { context: 'gitops-promote/ops', state: 'success', description: 'applied' });
    const r = await runGitHub('check-previous-env', {
      cwd: fx.work,
      sha,
      env: api.env(),
      inputs: { token: api.token, environment: 'apps', sha },
    });
    expect(r.failure).toBeUndefined();
    expect(r.outputs.state).toBe('success');
    counts['check-previous-env, one poll, 250 statuses'] = api.requests.length;
    expect(
      api.requests.length,
      api.requests.map((q) => `${q.method} ${q.url}`).join('\n'),
    ).toBeLessThanOrEqual(4);
  });
});
