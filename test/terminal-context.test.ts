import { gitContext } from '@gitops-promote/platform/runtimes/terminal';
import { describe, expect, it } from 'vitest';
import { git, gitFixture, tempDir } from './support/git';

// The terminal's run context comes from the checkout: one git call when a branch is checked out.
describe('terminal run context', () => {
  it('names the checked-out branch, its commit and the repository root, from a subfolder too', () => {
    const fx = gitFixture({ 'infra/main.tf': '' });
    const sha = fx.git('rev-parse', 'HEAD');
    const top = fx.git('rev-parse', '--show-toplevel');
    expect(gitContext(`${fx.work}/infra`)).toEqual({
      ref: 'refs/heads/main',
      sha,
      event: 'push',
      workspace: top,
    });
  });

  it('names the tag at a detached HEAD, and no ref when there is none', () => {
    const fx = gitFixture();
    const sha = fx.git('rev-parse', 'HEAD');
    fx.git('checkout', '-q', '--detach');
    expect(gitContext(fx.work)).toMatchObject({ ref: undefined, sha });
    fx.git('tag', 'apps-deploy-1');
    expect(gitContext(fx.work)).toMatchObject({ ref: 'refs/tags/apps-deploy-1', sha });
  });

  it('a branch with no commit yet: the branch, no commit; outside a repository: the folder', () => {
    const repo = tempDir();
    git(repo, 'init', '-q', '-b', 'main');
    expect(gitContext(repo)).toMatchObject({ ref: 'refs/heads/main', sha: undefined });
    const plain = tempDir();
    expect(gitContext(plain)).toEqual({ workspace: plain, event: 'push' });
  });
});
