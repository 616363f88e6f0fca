/**
 * The contract every GitProvider implementation must pass (GitHub, Azure DevOps, plain Git).
 *
 * Usage, in `test/providers/<name>.test.ts`:
 *
 *   providerContract('github', async () => {
 *     const fixture = gitFixture();
 *     const api = await startGitHubDouble(fixture.remote);
 *     return { provider: new GitHubProvider({ … api.url … }), fixture, pullRequests: true,
 *              mergePullRequest: (n) => api.merge(n), close: () => api.close() };
 *   });
 *
 * `setup` runs before every test, so each test gets a fresh fixture; `close` runs after it.
 *
 * What the suite expects of the environment:
 * - The provider acts on `fixture.remote` (a real bare repository). Commits, branches and tags the suite
 *   pushes there with git are what the provider sees, at once (no caching across calls); commits,
 *   branches and tags the provider creates must appear there (the suite checks with git).
 * - Statuses, pull requests and comments may live wherever the implementation keeps them.
 * - `fixture.work` is the suite's clone; the provider may use it or another clone, but must not need
 *   the suite to fetch or check out anything for it.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  type CommitStatus,
  type GitProvider,
  ProviderError,
  type PullRequest,
  TagConflictError,
  UnsupportedError,
} from '@gitops-promote/core';
import { afterEach, beforeEach, describe, expect, it, type TestContext } from 'vitest';
import { type GitFixture, git, tempDir } from '../support/git';

export interface ContractEnv {
  provider: GitProvider;
  fixture: GitFixture;
  /** Does the provider support pull requests and comments? When false, those methods must throw UnsupportedError. */
  pullRequests: boolean;
  /** Merges a pull request the way the host would (for pullRequestForMergeCommit); returns the merge commit. */
  mergePullRequest?: (n: number) => Promise<string>;
  /**
   * The workflow runs the hosting service was asked to start (GitHub's workflow_dispatch). Absent where
   * nothing is started by API: dispatchWorkflow must then answer false and ask for nothing.
   */
  dispatches?: () => { workflow: string; ref: string }[];
  close?: () => Promise<void>;
}

export function providerContract(name: string, setup: () => Promise<ContractEnv>): void {
  describe(name, () => {
    let env: ContractEnv;
    let provider: GitProvider;
    let fx: GitFixture;
    /** The commit `main` points at on the remote when the test starts. */
    let main: string;

    beforeEach(async () => {
      env = await setup();
      provider = env.provider;
      fx = env.fixture;
      main = fx.git('rev-parse', 'HEAD');
    });

    afterEach(async () => {
      await env?.close?.();
    });

    describe('statuses', () => {
      it('lists a status it set, with every field', async () => {
        await provider.setStatus(main, {
          context: 'gitops-promote/ops',
          state: 'pending',
          description: 'applying "ops" — ü',
          targetUrl: 'https://ci.example.com/runs/1',
        });
        const statuses = await provider.listStatuses(main);
        expect(statuses).toHaveLength(1);
        expect(statuses[0]).toMatchObject({
          context: 'gitops-promote/ops',
          state: 'pending',
          description: 'applying "ops" — ü',
          targetUrl: 'https://ci.example.com/runs/1',
        });
        expect(Number.isNaN(Date.parse(statuses[0]!.createdAt))).toBe(false);
      });

      it('returns only the newest status per context', async () => {
        await provider.setStatus(main, {
          context: 'gitops-promote/ops',
          state: 'pending',
          description: 'applying',
        });
        await provider.setStatus(main, {
          context: 'gitops-promote/apps',
          state: 'failure',
          description: 'boom',
        });
        await provider.setStatus(main, {
          context: 'gitops-promote/ops',
          state: 'success',
          description: 'applied +1 ~0 -0',
        });
        const statuses = byContext(await provider.listStatuses(main));
        expect(Object.keys(statuses).sort()).toEqual(['gitops-promote/apps', 'gitops-promote/ops']);
        expect(statuses['gitops-promote/ops']).toMatchObject({
          state: 'success',
          description: 'applied +1 ~0 -0',
        });
        expect(statuses['gitops-promote/apps']).toMatchObject({ state: 'failure' });
      });

      it('handles contexts without a slash next to others', async () => {
        await provider.setStatus(main, { context: 'ci', state: 'success', description: 'built' });
        await provider.setStatus(main, {
          context: 'kustomization/apps-dev/1a2b3c4d',
          state: 'success',
          description: 'reconciliation succeeded',
        });
        await provider.setStatus(main, {
          context: 'gitops-promote/ops',
          state: 'error',
          description: 'crashed',
        });
        const statuses = byContext(await provider.listStatuses(main));
        expect(Object.keys(statuses).sort()).toEqual([
          'ci',
          'gitops-promote/ops',
          'kustomization/apps-dev/1a2b3c4d',
        ]);
        expect(statuses.ci?.state).toBe('success');
        expect(statuses['gitops-promote/ops']?.state).toBe('error');
      });

      it('keeps statuses per commit', async () => {
        const other = pushCommit(fx, { 'other.txt': 'x\n' });
        await provider.setStatus(main, {
          context: 'gitops-promote/ops',
          state: 'success',
          description: 'ok',
        });
        expect(await provider.listStatuses(other)).toEqual([]);
        expect(await provider.listStatuses(main)).toHaveLength(1);
      });

      it('reads every status of a commit that has 250 of them', async () => {
        const contexts = Array.from({ length: 250 }, (_, i) => `load/${String(i).padStart(3, '0')}`);
        // In batches, as steps do; an implementation may combine writes that are in flight together.
        for (let i = 0; i < contexts.length; i += 25) {
          await Promise.all(
            contexts
              .slice(i, i + 25)
              .map((context) =>
                provider.setStatus(main, { context, state: 'success', description: context }),
              ),
          );
        }
        const statuses = await provider.listStatuses(main);
        expect(statuses.map((s) => s.context).sort()).toEqual(contexts);
      });
    });

    describe('tags', () => {
      it('newestTags: the highest names first (digits as numbers), cut to the limit, peeled', async () => {
        const other = pushCommit(fx, { 'newer.txt': 'x\n' });
        await provider.createTag('apps-deploy-9', main, 'annotated');
        await provider.createTag('apps-deploy-10', other, 'annotated');
        await provider.createTag('apps-deploy-2', main);
        await provider.createTag('ops-deploy-99', other);
        expect(await provider.newestTags('apps-deploy-', 2)).toEqual([
          { name: 'apps-deploy-10', sha: other },
          { name: 'apps-deploy-9', sha: main },
        ]);
        expect((await provider.newestTags('apps-deploy-', 10)).map((t) => t.name)).toEqual([
          'apps-deploy-10',
          'apps-deploy-9',
          'apps-deploy-2',
        ]);
        expect(await provider.newestTags('nothing-', 5)).toEqual([]);
      });

      it('creates a tag on the remote', async () => {
        const result = await provider.createTag('apps-deploy-1', main);
        expect(result).toEqual({ created: true, tag: { name: 'apps-deploy-1', sha: main } });
        expect(remoteCommit(fx, 'refs/tags/apps-deploy-1')).toBe(main);
        expect(await provider.getTag('apps-deploy-1')).toEqual({ name: 'apps-deploy-1', sha: main });
      });

      it('creates an annotated tag when given a message, reported peeled to the commit', async () => {
        const result = await provider.createTag('apps-deploy-2', main, 'promote ops to apps');
        expect(result).toEqual({ created: true, tag: { name: 'apps-deploy-2', sha: main } });
        expect(remoteCommit(fx, 'refs/tags/apps-deploy-2')).toBe(main);
        expect(await provider.getTag('apps-deploy-2')).toEqual({ name: 'apps-deploy-2', sha: main });
      });

      it('is idempotent: the same tag on the same commit is not created twice', async () => {
        await provider.createTag('apps-deploy-1', main);
        const again = await provider.createTag('apps-deploy-1', main);
        expect(again).toEqual({ created: false, tag: { name: 'apps-deploy-1', sha: main } });
      });

      it('treats an existing annotated tag on the commit as the same tag', async () => {
        fx.git('tag', '-a', '-m', 'by hand', 'apps-deploy-3', main);
        fx.git('push', '-q', 'origin', 'refs/tags/apps-deploy-3');
        const result = await provider.createTag('apps-deploy-3', main);
        expect(result).toEqual({ created: false, tag: { name: 'apps-deploy-3', sha: main } });
      });

      it('refuses a tag name taken by another commit and changes nothing', async () => {
        const other = pushCommit(fx, { 'other.txt': 'x\n' });
        await provider.createTag('apps-deploy-1', main);
        const error = await provider.createTag('apps-deploy-1', other).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(TagConflictError);
        expect(error).toMatchObject({ tag: 'apps-deploy-1', existingSha: main, wantedSha: other });
        expect(remoteCommit(fx, 'refs/tags/apps-deploy-1')).toBe(main);
        expect(await provider.getTag('apps-deploy-1')).toEqual({ name: 'apps-deploy-1', sha: main });
      });

      it('tags a commit pushed to the remote after the provider was set up', async () => {
        const fresh = pushCommit(fx, { 'fresh.txt': 'new\n' });
        expect((await provider.createTag('apps-deploy-9', fresh)).created).toBe(true);
        expect(remoteCommit(fx, 'refs/tags/apps-deploy-9')).toBe(fresh);
      });

      it('rejects a tag on a commit that does not exist, creating nothing', async () => {
        const missing = 'a'.repeat(main.length);
        await expect(provider.createTag('apps-deploy-1', missing)).rejects.toBeInstanceOf(ProviderError);
        expect(remoteCommit(fx, 'refs/tags/apps-deploy-1')).toBeUndefined();
      });

      it('getTag returns undefined for a missing tag', async () => {
        expect(await provider.getTag('apps-deploy-404')).toBeUndefined();
      });

      it('listTags returns the tags with the prefix, annotated ones peeled', async () => {
        const second = pushCommit(fx, { 'second.txt': '2\n' });
        fx.git('tag', 'apps-deploy-1', main);
        fx.git('tag', '-a', '-m', 'annotated', 'apps-deploy-2', second);
        fx.git('tag', 'apps-prod-deploy-1', second);
        fx.git('tag', 'v1.0.0', main);
        fx.git('push', '-q', 'origin', '--tags');
        const tags = await provider.listTags('apps-deploy-');
        expect(sortByName(tags)).toEqual([
          { name: 'apps-deploy-1', sha: main },
          { name: 'apps-deploy-2', sha: second },
        ]);
        expect(await provider.listTags('nothing-')).toEqual([]);
      });

      it('deleteTag removes a tag it created; a missing tag is no error', async () => {
        await provider.createTag('apps-deploy-9', main);
        await provider.deleteTag('apps-deploy-9');
        expect(remoteCommit(fx, 'refs/tags/apps-deploy-9')).toBeUndefined();
        expect(await provider.getTag('apps-deploy-9')).toBeUndefined();
        await provider.deleteTag('apps-deploy-9');
        expect((await provider.createTag('apps-deploy-9', main)).created).toBe(true);
      });
    });

    describe('branches', () => {
      it('branchSha reads the branch head from the remote', async () => {
        expect(await provider.branchSha('main')).toBe(main);
        const next = pushCommit(fx, { 'next.txt': 'n\n' });
        expect(await provider.branchSha('main')).toBe(next);
      });

      it('branchSha handles slashes and missing branches', async () => {
        const feature = pushBranch(fx, 'feature/x', { 'feature.txt': 'f\n' });
        expect(await provider.branchSha('feature/x')).toBe(feature);
        expect(await provider.branchSha('feature')).toBeUndefined();
        expect(await provider.branchSha('no-such-branch')).toBeUndefined();
      });

      it('recentCommits: the commit and those before it, newest first, at most count; unknown gives []', async () => {
        const second = pushCommit(fx, { 'second.txt': 's\n' });
        const third = pushCommit(fx, { 'third.txt': 't\n' });
        expect(await provider.recentCommits(third, 5)).toEqual([third, second, main]);
        expect(await provider.recentCommits(third, 2)).toEqual([third, second]);
        expect(await provider.recentCommits(second, 1)).toEqual([second]);
        expect(await provider.recentCommits('0'.repeat(40), 3)).toEqual([]);
      });

      it('isAncestor: commits on main are, a commit only on a feature branch is not', async () => {
        const next = pushCommit(fx, { 'next.txt': 'n\n' });
        const feature = pushBranch(fx, 'feature/x', { 'feature.txt': 'f\n' });
        expect(await provider.isAncestor(main, 'main')).toBe(true);
        expect(await provider.isAncestor(next, 'main')).toBe(true);
        expect(await provider.isAncestor(feature, 'main')).toBe(false);
        expect(await provider.isAncestor(feature, 'feature/x')).toBe(true);
      });
    });

    describe('commitFiles', () => {
      const manifest = 'apps/web/dev/kustomization.yaml';

      it('creates the branch from base with the files, leaving base untouched', async () => {
        const content = 'images:\n  - name: web\n    newTag: "1.2.3"\n';
        const sha = await provider.commitFiles({
          branch: 'promote/apps-web',
          base: main,
          message: 'Promote apps/web version 1.2.3 to environment dev',
          files: [
            { path: manifest, content },
            { path: 'notes/no-newline.txt', content: 'no trailing newline — ü' },
          ],
        });
        expect(sha).toMatch(/^[0-9a-f]{40,64}$/);
        expect(await provider.branchSha('promote/apps-web')).toBe(sha);
        expect(await provider.branchSha('main')).toBe(main);
        expect(remoteCommit(fx, 'refs/heads/promote/apps-web')).toBe(sha);
        expect(git(fx.remote, 'rev-parse', `${sha}^`)).toBe(main);
        expect(git(fx.remote, 'log', '-1', '--format=%s', sha!)).toBe(
          'Promote apps/web version 1.2.3 to environment dev',
        );
        expect(await provider.readFile(manifest, 'promote/apps-web')).toBe(content);
        expect(await provider.readFile('notes/no-newline.txt', sha!)).toBe('no trailing newline — ü');
        expect(await provider.readFile('README.md', 'promote/apps-web')).toBe('# test\n');
      });

      it('makes no empty commit when the files already have that content', async () => {
        const change = {
          branch: 'promote/apps-web',
          base: main,
          message: 'bump',
          files: [{ path: manifest, content: 'tag: 1\n' }],
        };
        const first = await provider.commitFiles(change);
        expect(first).toBeDefined();
        expect(await provider.commitFiles(change)).toBeUndefined();
        expect(await provider.commitFiles({ ...change, force: true })).toBeUndefined();
        expect(await provider.branchSha('promote/apps-web')).toBe(first);

        const unchanged = {
          ...change,
          branch: 'promote/noop',
          files: [{ path: 'README.md', content: '# test\n' }],
        };
        expect(await provider.commitFiles(unchanged)).toBeUndefined();
        expect(await provider.branchSha('promote/noop')).toBeUndefined();
      });

      it('deletes a file whose content is null', async () => {
        const base = pushCommit(fx, { 'old.txt': 'old\n', 'keep.txt': 'keep\n' });
        const sha = await provider.commitFiles({
          branch: 'cleanup',
          base,
          message: 'remove old.txt',
          files: [{ path: 'old.txt', content: null }],
        });
        expect(sha).toBeDefined();
        expect(await provider.readFile('old.txt', 'cleanup')).toBeUndefined();
        expect(await provider.readFile('keep.txt', 'cleanup')).toBe('keep\n');
        expect(await provider.readFile('old.txt', base)).toBe('old\n');
      });

      it('advances an existing branch when base is its head (no force needed)', async () => {
        const sha = await provider.commitFiles({
          branch: 'main',
          base: main,
          message: 'render manifests',
          files: [{ path: 'rendered/dev/all.yaml', content: 'kind: List\n' }],
        });
        expect(await provider.branchSha('main')).toBe(sha);
        expect(await provider.isAncestor(main, 'main')).toBe(true);
      });

      it('force resets the branch onto base; without force a diverged branch is left alone', async () => {
        const first = await provider.commitFiles({
          branch: 'promote/apps-web',
          base: main,
          message: 'first',
          files: [{ path: 'first.txt', content: '1\n' }],
        });
        const second = {
          branch: 'promote/apps-web',
          base: main,
          message: 'second',
          files: [{ path: 'second.txt', content: '2\n' }],
        };
        await expect(provider.commitFiles(second)).rejects.toBeInstanceOf(ProviderError);
        expect(await provider.branchSha('promote/apps-web')).toBe(first);

        const reset = await provider.commitFiles({ ...second, force: true });
        expect(reset).toBeDefined();
        expect(reset).not.toBe(first);
        expect(await provider.branchSha('promote/apps-web')).toBe(reset);
        expect(git(fx.remote, 'rev-parse', `${reset}^`)).toBe(main);
        expect(await provider.readFile('second.txt', 'promote/apps-web')).toBe('2\n');
        expect(await provider.readFile('first.txt', 'promote/apps-web')).toBeUndefined();
      });

      it('treats branch names as data', async () => {
        const marker = join(tempDir('gp-contract-'), 'pwned');
        const branch = `feat/$(touch\${IFS}${marker})`;
        const sha = await provider.commitFiles({
          branch,
          base: main,
          message: 'x',
          files: [{ path: 'x.txt', content: 'x\n' }],
        });
        expect(await provider.branchSha(branch)).toBe(sha);
        expect(remoteCommit(fx, `refs/heads/${branch}`)).toBe(sha);
        expect(await provider.readFile('x.txt', branch)).toBe('x\n');
        expect(existsSync(marker)).toBe(false);
      });
    });

    describe('dispatchWorkflow', () => {
      it('starts the workflow on the tag where workflows are started by API; else answers false', async () => {
        const sha = pushCommit(fx, {
          '.github/workflows/deploy.yml':
            'on:\n  push: { tags: ["apps-deploy-*"] }\n  workflow_dispatch:\njobs: {}\n',
        });
        await provider.createTag('apps-deploy-1', sha);
        const started = await provider.dispatchWorkflow('deploy.yml', 'refs/tags/apps-deploy-1');
        expect(started).toBe(env.dispatches !== undefined);
        expect(env.dispatches?.().map(({ workflow, ref }) => ({ workflow, ref })) ?? []).toEqual(
          started ? [{ workflow: 'deploy.yml', ref: 'refs/tags/apps-deploy-1' }] : [],
        );
      });
    });

    describe('readFile', () => {
      it('reads a file at a branch, a tag and a commit', async () => {
        const v1 = pushCommit(fx, { 'config/app.yaml': 'version: 1\n' });
        fx.git('tag', 'release-1', v1);
        fx.git('push', '-q', 'origin', 'refs/tags/release-1');
        pushCommit(fx, { 'config/app.yaml': 'version: 2\n' });
        expect(await provider.readFile('config/app.yaml', 'main')).toBe('version: 2\n');
        expect(await provider.readFile('config/app.yaml', 'release-1')).toBe('version: 1\n');
        expect(await provider.readFile('config/app.yaml', v1)).toBe('version: 1\n');
        expect(await provider.readFile('config/app.yaml', main)).toBeUndefined();
        expect(await provider.readFile('config/missing.yaml', 'main')).toBeUndefined();
      });

      it('reads a file on a branch only the remote has', async () => {
        pushBranch(fx, 'env/dev', { 'clusters/dev.yaml': 'cluster: dev\n' });
        expect(await provider.readFile('clusters/dev.yaml', 'env/dev')).toBe('cluster: dev\n');
      });
    });

    describe('pull requests (providers that have them)', () => {
      /** A branch with one commit on top of main, ready to be proposed. */
      async function proposal(branch = 'promote/apps-web'): Promise<{ branch: string; sha: string }> {
        const sha = await provider.commitFiles({
          branch,
          base: main,
          message: 'Promote apps/web version 1.2.3 to environment dev',
          files: [{ path: 'apps/web/dev/tag.txt', content: '1.2.3\n' }],
        });
        return { branch, sha: sha! };
      }

      async function openPullRequest(): Promise<PullRequest> {
        const { branch } = await proposal();
        return provider.createPullRequest({
          head: branch,
          base: 'main',
          title: 'Promote apps/web version 1.2.3 to environment dev',
          body: 'Promotes.\n\n<!-- gitops-promote {"group":"apps","app":"web"} -->',
        });
      }

      it('creates, gets and finds a pull request', async (ctx) => {
        if (!needsPullRequests(env, ctx)) return;
        const { branch, sha } = await proposal();
        const pr = await provider.createPullRequest({
          head: branch,
          base: 'main',
          title: 'Promote apps/web version 1.2.3 to environment dev',
          body: 'Promotes.\n\n<!-- gitops-promote {"group":"apps","app":"web"} -->',
        });
        expect(pr).toMatchObject({
          head: branch,
          headSha: sha,
          base: 'main',
          title: 'Promote apps/web version 1.2.3 to environment dev',
          body: 'Promotes.\n\n<!-- gitops-promote {"group":"apps","app":"web"} -->',
          state: 'open',
          autoMerge: false,
        });
        expect(pr.number).toBeGreaterThan(0);
        expect(pr.url).not.toBe('');
        expect(await provider.getPullRequest(pr.number)).toMatchObject({
          number: pr.number,
          head: branch,
          state: 'open',
        });

        expect(numbers(await provider.findPullRequests({ head: branch }))).toEqual([pr.number]);
        expect(
          numbers(await provider.findPullRequests({ head: branch, base: 'main', state: 'open' })),
        ).toEqual([pr.number]);
        expect(numbers(await provider.findPullRequests({ base: 'main' }))).toContain(pr.number);
        expect(await provider.findPullRequests({ head: 'promote/other' })).toEqual([]);
        expect(await provider.findPullRequests({ head: branch, state: 'closed' })).toEqual([]);
      });

      it('updates title and body', async (ctx) => {
        if (!needsPullRequests(env, ctx)) return;
        const pr = await openPullRequest();
        const updated = await provider.updatePullRequest(pr.number, { title: 'New title', body: 'New body' });
        expect(updated).toMatchObject({ number: pr.number, title: 'New title', body: 'New body' });
        expect(await provider.getPullRequest(pr.number)).toMatchObject({
          title: 'New title',
          body: 'New body',
        });
        const titleOnly = await provider.updatePullRequest(pr.number, { title: 'Only the title' });
        expect(titleOnly).toMatchObject({ title: 'Only the title', body: 'New body' });
      });

      it('upsertComment creates the marked comment once, then updates it in place', async (ctx) => {
        if (!needsPullRequests(env, ctx)) return;
        const pr = await openPullRequest();
        const marker = '<!-- gitops-promote:terraform-run:ops -->';
        const first = await provider.upsertComment(pr.number, marker, `${marker}\nplan: +1 ~0 -0`);
        expect(first.created).toBe(true);
        const second = await provider.upsertComment(pr.number, marker, `${marker}\nplan: +2 ~0 -0`);
        expect(second).toEqual({ id: first.id, created: false });
        const other = await provider.upsertComment(
          pr.number,
          '<!-- gitops-promote:terraform-run:apps -->',
          '<!-- gitops-promote:terraform-run:apps -->\nplan: no changes',
        );
        expect(other.created).toBe(true);
        expect(other.id).not.toBe(first.id);
      });

      it('switches auto-merge on and off', async (ctx) => {
        if (!needsPullRequests(env, ctx)) return;
        const pr = await openPullRequest();
        await provider.setAutoMerge(pr.number, true);
        expect((await provider.getPullRequest(pr.number)).autoMerge).toBe(true);
        await provider.setAutoMerge(pr.number, false);
        expect((await provider.getPullRequest(pr.number)).autoMerge).toBe(false);
      });

      it('finds the pull request behind a merge commit', async (ctx) => {
        if (!needsPullRequests(env, ctx)) return;
        if (!env.mergePullRequest) {
          ctx.skip();
          return;
        }
        const pr = await openPullRequest();
        expect(await provider.pullRequestForMergeCommit(main)).toBeUndefined();
        const merge = await env.mergePullRequest(pr.number);
        const found = await provider.pullRequestForMergeCommit(merge);
        expect(found).toMatchObject({ number: pr.number, state: 'merged', mergeCommitSha: merge });
        expect(await provider.findPullRequests({ head: pr.head, state: 'open' })).toEqual([]);
        expect(numbers(await provider.findPullRequests({ head: pr.head, state: 'all' }))).toEqual([
          pr.number,
        ]);
      });
    });

    describe('issues', () => {
      it('GitHub: creates, finds by label (no pull requests), updates, comments on and closes an issue', async (ctx) => {
        if (provider.kind !== 'github') {
          ctx.skip();
          return;
        }
        const label = 'gitops-promote:drift';
        const made = await provider.createIssue({
          title: 'Drift in apps',
          body: '<!-- m -->\nbody',
          labels: [label],
        });
        await provider.createIssue({ title: 'unrelated', body: 'x', labels: ['bug'] });
        expect(made).toMatchObject({ title: 'Drift in apps', state: 'open', labels: [label] });
        expect((await provider.findOpenIssues(label)).map((i) => i.number)).toEqual([made.number]);
        const updated = await provider.updateIssue(made.number, { body: '<!-- m -->\nnew' });
        expect(updated.body).toBe('<!-- m -->\nnew');
        await provider.commentOnIssue(made.number, 'gone');
        expect(await provider.updateIssue(made.number, { state: 'closed' })).toMatchObject({
          state: 'closed',
        });
        expect(await provider.findOpenIssues(label)).toEqual([]);
      });

      it('elsewhere: every issue method rejects with UnsupportedError naming the github provider', async (ctx) => {
        if (provider.kind === 'github') {
          ctx.skip();
          return;
        }
        const calls: Array<[string, () => Promise<unknown>]> = [
          ['findOpenIssues', () => provider.findOpenIssues('x')],
          ['createIssue', () => provider.createIssue({ title: 't', body: 'b', labels: [] })],
          ['updateIssue', () => provider.updateIssue(1, { state: 'closed' })],
          ['commentOnIssue', () => provider.commentOnIssue(1, 'b')],
        ];
        for (const [method, call] of calls) {
          const error = await call().then(
            () => undefined,
            (e: unknown) => e,
          );
          expect(error, method).toBeInstanceOf(UnsupportedError);
          expect((error as Error).message, method).toMatch(/github provider/);
        }
      });
    });

    describe('pull requests (providers without them)', () => {
      it('every pull-request method rejects with UnsupportedError naming a provider that can', async (ctx) => {
        if (env.pullRequests) {
          ctx.skip();
          return;
        }
        const calls: Array<[string, () => Promise<unknown>]> = [
          ['findPullRequests', () => provider.findPullRequests({ head: 'x' })],
          ['pullRequestForMergeCommit', () => provider.pullRequestForMergeCommit(main)],
          ['getPullRequest', () => provider.getPullRequest(1)],
          [
            'createPullRequest',
            () => provider.createPullRequest({ head: 'x', base: 'main', title: 't', body: 'b' }),
          ],
          ['updatePullRequest', () => provider.updatePullRequest(1, { title: 't' })],
          ['setAutoMerge', () => provider.setAutoMerge(1, true)],
          ['upsertComment', () => provider.upsertComment(1, '<!-- m -->', 'b')],
        ];
        for (const [method, call] of calls) {
          const error = await call().then(
            () => undefined,
            (e: unknown) => e,
          );
          expect(error, method).toBeInstanceOf(UnsupportedError);
          expect((error as Error).message, method).toMatch(/\b(github|azure)\b/i);
        }
      });
    });
  });
}

/** Skips the test (returning false) unless the provider has pull requests. */
function needsPullRequests(env: ContractEnv, ctx: TestContext): boolean {
  if (!env.pullRequests) ctx.skip();
  return env.pullRequests;
}

/** Commits on the fixture's current branch (main) and pushes it; returns the commit. */
function pushCommit(fx: GitFixture, files: Record<string, string>): string {
  const sha = fx.commit(files);
  fx.git('push', '-q', 'origin', 'HEAD');
  return sha;
}

/** Commits on a new branch off main, pushes it, and goes back to main; returns the commit. */
function pushBranch(fx: GitFixture, branch: string, files: Record<string, string>): string {
  fx.git('checkout', '-q', '-b', branch);
  const sha = fx.commit(files);
  fx.git('push', '-q', 'origin', branch);
  fx.git('checkout', '-q', 'main');
  return sha;
}

/** The commit a ref points at in the bare remote (tags peeled), or undefined. */
function remoteCommit(fx: GitFixture, ref: string): string | undefined {
  try {
    return git(fx.remote, 'rev-parse', '--verify', '--quiet', '--end-of-options', `${ref}^{commit}`);
  } catch {
    return undefined;
  }
}

function byContext(statuses: CommitStatus[]): Record<string, CommitStatus> {
  const map: Record<string, CommitStatus> = {};
  for (const status of statuses) {
    expect(map[status.context], `one entry per context (${status.context})`).toBeUndefined();
    map[status.context] = status;
  }
  return map;
}

function sortByName<T extends { name: string }>(items: T[]): T[] {
  return [...items].sort((a, b) => a.name.localeCompare(b.name));
}

function numbers(prs: PullRequest[]): number[] {
  return prs.map((pr) => pr.number).sort((a, b) => a - b);
}
