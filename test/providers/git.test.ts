import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GitopsError, ProviderError, TagConflictError } from '@gitops-promote/core';
import { GitRemoteProvider, STATUS_NOTES_REF } from '@gitops-promote/platform/providers/git';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type GitFixture, git, gitFixture, tempDir } from '../support/git';
import { providerContract } from './contract';

/** A second clone of the fixture's remote, as another runner would have. */
function cloneOf(fx: GitFixture, options: string[] = []): string {
  const dir = join(tempDir(), 'clone');
  git(tempDir(), 'clone', '-q', ...options, fx.remote, dir);
  return dir;
}

// The provider works in its own clone, so everything it knows must come from the remote.
providerContract('git', async () => {
  const fixture = gitFixture();
  const provider = new GitRemoteProvider({ cwd: cloneOf(fixture) });
  return {
    provider,
    fixture,
    pullRequests: true,
    // No host to press the button: the provider's own merge (what `promote-tag --merge` does).
    mergePullRequest: (n) => provider.mergePullRequest(n),
  };
});

describe('git provider', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('pushes statuses as notes that a second clone sees', async () => {
    const fx = gitFixture();
    const sha = fx.git('rev-parse', 'HEAD');
    await new GitRemoteProvider({ cwd: fx.work }).setStatus(sha, {
      context: 'gitops-promote/ops',
      state: 'success',
      description: 'applied +1 ~0 -0',
    });

    const other = cloneOf(fx);
    git(other, 'fetch', '-q', 'origin', `${STATUS_NOTES_REF}:${STATUS_NOTES_REF}`);
    const note = JSON.parse(git(other, 'notes', `--ref=${STATUS_NOTES_REF}`, 'show', sha));
    expect(note).toMatchObject({
      context: 'gitops-promote/ops',
      state: 'success',
      description: 'applied +1 ~0 -0',
    });
    expect(Number.isNaN(Date.parse(note.createdAt))).toBe(false);

    const statuses = await new GitRemoteProvider({ cwd: other }).listStatuses(sha);
    expect(statuses).toMatchObject([{ context: 'gitops-promote/ops', state: 'success' }]);
  });

  it('sends the statuses a run sets together in one push', async () => {
    const fx = gitFixture();
    const sha = fx.git('rev-parse', 'HEAD');
    // The remote logs every update of its refs: one entry per push that moved the notes.
    git(fx.remote, 'config', 'core.logAllRefUpdates', 'always');
    const provider = new GitRemoteProvider({ cwd: cloneOf(fx) });
    const status = (context: string, state: 'pending' | 'success') =>
      provider.setStatus(sha, { context: `gitops-promote/${context}`, state, description: state });
    await status('ops', 'pending');
    // Set in the same turn of the event loop, the second a few awaits after the first (as a caller's own
    // layers make it): they go out together.
    const first = status('ops', 'success');
    for (let i = 0; i < 5; i++) await null;
    await Promise.all([first, status('ops/parity', 'success')]);
    const pushes = git(fx.remote, 'reflog', 'show', '--format=%H', STATUS_NOTES_REF).split('\n');
    expect(pushes).toHaveLength(2);
    const statuses = (await provider.listStatuses(sha)).map((st) => `${st.context} ${st.state}`).sort();
    expect(statuses).toEqual(['gitops-promote/ops success', 'gitops-promote/ops/parity success']);
  });

  it('keeps both statuses when two clones write at the same time', async () => {
    const fx = gitFixture();
    const sha = fx.git('rev-parse', 'HEAD');
    const a = new GitRemoteProvider({ cwd: cloneOf(fx) });
    const b = new GitRemoteProvider({ cwd: cloneOf(fx) });
    for (let round = 0; round < 4; round++) {
      await Promise.all([
        a.setStatus(sha, { context: `a/${round}`, state: 'success', description: 'a' }),
        b.setStatus(sha, { context: `b/${round}`, state: 'success', description: 'b' }),
      ]);
    }
    const contexts = (await a.listStatuses(sha)).map((s) => s.context).sort();
    expect(contexts).toEqual(['a/0', 'a/1', 'a/2', 'a/3', 'b/0', 'b/1', 'b/2', 'b/3']);
  });

  it('re-applies its status when another run pushed notes in between', async () => {
    const fx = gitFixture();
    const sha = fx.git('rev-parse', 'HEAD');
    const mine = cloneOf(fx);
    const theirs = cloneOf(fx);
    // Just before our first push, another run pushes its own note: our push is rejected and must be redone.
    const marker = join(tempDir(), 'fired');
    const hook = join(mine, '.git', 'hooks', 'pre-push');
    writeFileSync(
      hook,
      [
        '#!/bin/sh',
        `[ -e '${marker}' ] && exit 0`,
        `touch '${marker}'`,
        'unset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE',
        `cd '${theirs}'`,
        `git notes --ref=${STATUS_NOTES_REF} add -f -m '{"context":"other/run","state":"pending","description":"theirs","createdAt":"2026-01-01T00:00:00.000Z"}' ${sha}`,
        `git push -q origin ${STATUS_NOTES_REF}`,
        '',
      ].join('\n'),
    );
    chmodSync(hook, 0o755);

    const provider = new GitRemoteProvider({ cwd: mine });
    await provider.setStatus(sha, { context: 'gitops-promote/ops', state: 'success', description: 'mine' });
    expect(existsSync(marker)).toBe(true);
    const contexts = (await provider.listStatuses(sha)).map((s) => s.context).sort();
    expect(contexts).toEqual(['gitops-promote/ops', 'other/run']);
  });

  it('lists the newest status first and skips lines that are not statuses', async () => {
    const fx = gitFixture();
    const sha = fx.git('rev-parse', 'HEAD');
    fx.git(
      'notes',
      `--ref=${STATUS_NOTES_REF}`,
      'add',
      '-m',
      [
        'not json',
        '{"context":"ci","state":"success","description":"x","createdAt":"2026-01-01T00:00:00Z"}',
      ].join('\n'),
      sha,
    );
    fx.git('push', '-q', 'origin', STATUS_NOTES_REF);
    const provider = new GitRemoteProvider({ cwd: cloneOf(fx) });
    await provider.setStatus(sha, {
      context: 'gitops-promote/ops',
      state: 'pending',
      description: 'applying',
    });
    expect((await provider.listStatuses(sha)).map((s) => s.context)).toEqual(['gitops-promote/ops', 'ci']);
  });

  it('never shows credentials of a remote URL in an error', async () => {
    const fx = gitFixture();
    const url = 'http://deploy:s3cr3t-t0ken@127.0.0.1:9/org/repo.git';
    fx.git('remote', 'add', 'secret', url);
    for (const provider of [
      new GitRemoteProvider({ cwd: fx.work, remote: url }),
      new GitRemoteProvider({ cwd: fx.work, remote: 'secret' }),
    ]) {
      const sha = fx.git('rev-parse', 'HEAD');
      for (const call of [
        () => provider.branchSha('main'),
        () => provider.createTag('apps-deploy-1', sha),
        () => provider.setStatus(sha, { context: 'gitops-promote/ops', state: 'success', description: 'x' }),
      ]) {
        const error = await call().catch((e: unknown) => e);
        expect(error).toBeInstanceOf(ProviderError);
        const shown = `${(error as ProviderError).message}\n${(error as ProviderError).call}\n${(error as Error).stack}`;
        expect(shown).not.toContain('s3cr3t-t0ken');
      }
    }
  });

  it('names the git call and its error when the remote refuses', async () => {
    const fx = gitFixture();
    const hook = join(fx.remote, 'hooks', 'pre-receive');
    writeFileSync(hook, '#!/bin/sh\necho "tags are frozen" >&2\nexit 1\n');
    chmodSync(hook, 0o755);
    const provider = new GitRemoteProvider({ cwd: cloneOf(fx) });
    const error = await provider
      .createTag('apps-deploy-1', fx.git('rev-parse', 'HEAD'))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as Error).message).toMatch(
      /^git push origin refs\/tags\/apps-deploy-1 failed: .*pre-receive hook declined/,
    );
    // The refused tag is not left behind in the clone either.
    expect(await provider.getTag('apps-deploy-1')).toBeUndefined();
  });

  it('reports a tag conflict against the remote even when the clone has a stale view', async () => {
    const fx = gitFixture();
    const clone = cloneOf(fx);
    const first = fx.git('rev-parse', 'HEAD');
    const second = fx.commit({ 'b.txt': 'b\n' });
    fx.git('push', '-q', 'origin', 'main');
    fx.git('tag', 'apps-deploy-1', second);
    fx.git('push', '-q', 'origin', 'refs/tags/apps-deploy-1');
    const error = await new GitRemoteProvider({ cwd: clone })
      .createTag('apps-deploy-1', first)
      .catch((e) => e);
    expect(error).toBeInstanceOf(TagConflictError);
    expect(git(fx.remote, 'rev-parse', 'refs/tags/apps-deploy-1')).toBe(second);
  });

  it('refuses ref names that are not valid, running nothing', async () => {
    const fx = gitFixture();
    const marker = join(tempDir(), 'x');
    const provider = new GitRemoteProvider({ cwd: fx.work });
    const sha = fx.git('rev-parse', 'HEAD');
    await expect(
      provider.commitFiles({
        branch: `feat/$(touch ${marker})`,
        base: sha,
        message: 'x',
        files: [{ path: 'x', content: 'x' }],
      }),
    ).rejects.toThrow(/is not a valid Git branch name/);
    await expect(provider.createTag('-d', sha)).rejects.toBeInstanceOf(GitopsError);
    await expect(provider.branchSha(`feat/$(touch ${marker})`)).resolves.toBeUndefined();
    expect(existsSync(marker)).toBe(false);
  });

  it('commits without touching the working tree, the index or the checked-out branch', async () => {
    const fx = gitFixture({ 'README.md': '# test\n', 'staged.txt': 'v1\n' });
    const head = fx.git('rev-parse', 'HEAD');
    writeFileSync(join(fx.work, 'README.md'), 'edited, not committed\n');
    writeFileSync(join(fx.work, 'staged.txt'), 'v2\n');
    fx.git('add', 'staged.txt');
    const before = { status: fx.git('status', '--porcelain'), index: fx.git('ls-files', '-s') };

    const provider = new GitRemoteProvider({ cwd: fx.work });
    const sha = await provider.commitFiles({
      branch: 'main',
      base: head,
      message: 'render',
      files: [{ path: 'README.md', content: 'rendered\n' }],
    });

    expect(git(fx.remote, 'rev-parse', 'main')).toBe(sha);
    expect(fx.git('rev-parse', 'HEAD')).toBe(head);
    expect(fx.git('symbolic-ref', 'HEAD')).toBe('refs/heads/main');
    expect({ status: fx.git('status', '--porcelain'), index: fx.git('ls-files', '-s') }).toEqual(before);
    expect(readFileSync(join(fx.work, 'README.md'), 'utf8')).toBe('edited, not committed\n');
  });

  it('keeps the executable bit of a file it rewrites', async () => {
    const fx = gitFixture();
    writeFileSync(join(fx.work, 'run.sh'), '#!/bin/sh\n');
    chmodSync(join(fx.work, 'run.sh'), 0o755);
    const base = fx.commit({});
    fx.git('push', '-q', 'origin', 'main');
    const sha = await new GitRemoteProvider({ cwd: fx.work }).commitFiles({
      branch: 'main',
      base,
      message: 'x',
      files: [
        { path: 'run.sh', content: '#!/bin/sh\necho hi\n' },
        { path: './new/file.txt', content: 'new\n' },
      ],
    });
    expect(git(fx.remote, 'ls-tree', '-r', sha!)).toMatch(/^100755 blob \w+\trun\.sh$/m);
    expect(git(fx.remote, 'ls-tree', '-r', sha!)).toMatch(/^100644 blob \w+\tnew\/file\.txt$/m);
  });

  it('answers isAncestor in a shallow clone', async () => {
    const fx = gitFixture();
    const first = fx.git('rev-parse', 'HEAD');
    fx.commit({ 'a.txt': 'a\n' });
    fx.commit({ 'b.txt': 'b\n' });
    fx.git('push', '-q', 'origin', 'main');
    const shallow = cloneOf(fx, ['--depth=1', '--no-local']);
    expect(git(shallow, 'rev-parse', '--is-shallow-repository')).toBe('true');
    expect(await new GitRemoteProvider({ cwd: shallow }).isAncestor(first, 'main')).toBe(true);
  });

  it('finds a commit on a server that refuses to send unadvertised objects', async () => {
    const fx = gitFixture();
    const clone = cloneOf(fx);
    git(clone, 'config', 'protocol.version', '0');
    // Not a branch tip, so a protocol v0 server will not hand it over by its sha.
    const fresh = fx.commit({ 'fresh.txt': 'x\n' });
    fx.commit({ 'later.txt': 'y\n' });
    fx.git('push', '-q', 'origin', 'main');
    const provider = new GitRemoteProvider({ cwd: clone });
    expect(await provider.createTag('apps-deploy-1', fresh)).toMatchObject({ created: true });
    expect(git(clone, 'for-each-ref', '--format=%(refname)', 'refs/remotes')).toBe(
      'refs/remotes/origin/HEAD\nrefs/remotes/origin/main',
    );
    expect(git(clone, 'rev-parse', 'refs/remotes/origin/main')).not.toBe(fresh);
  });

  it('writes notes, tags and commits in a clone with no Git identity', async () => {
    const fx = gitFixture();
    const clone = cloneOf(fx);
    vi.stubEnv('GIT_CONFIG_GLOBAL', '/dev/null');
    vi.stubEnv('GIT_CONFIG_NOSYSTEM', '1');
    vi.stubEnv('EMAIL', '');
    const provider = new GitRemoteProvider({ cwd: clone });
    const sha = fx.git('rev-parse', 'HEAD');
    await provider.setStatus(sha, { context: 'gitops-promote/ops', state: 'success', description: 'ok' });
    expect((await provider.createTag('apps-deploy-1', sha, 'annotated')).created).toBe(true);
    expect(
      await provider.commitFiles({
        branch: 'x',
        base: sha,
        message: 'x',
        files: [{ path: 'x', content: 'x' }],
      }),
    ).toBeDefined();
  });

  it('reads undefined for a directory and throws for a ref the remote does not have', async () => {
    const fx = gitFixture({ 'apps/web.yaml': 'x\n' });
    const provider = new GitRemoteProvider({ cwd: cloneOf(fx) });
    expect(await provider.readFile('apps', 'main')).toBeUndefined();
    await expect(provider.readFile('apps/web.yaml', 'no-such-branch')).rejects.toThrow(
      /no branch, tag or commit named "no-such-branch" on origin/,
    );
  });
});
