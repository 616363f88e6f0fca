import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { runCliProcess } from './support/bundle';
import { type GitFixture, git, gitFixture } from './support/git';

/**
 * The XKS and Fabrikate stories played from a terminal against a plain bare remote: a promotion pull
 * request is its branch plus a record under refs/gitops-promote/pulls/<n>, merged by `git merge` or by
 * `promote-tag --merge`.
 */
const XKS =
  'prflow: per-app\nenvironments:\n  - name: dev\n    auto: true\n  - name: qa\n    auto: true\n  - name: prod\n    auto: false\n';
const manifest = (tag: string) =>
  `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: podinfo\nspec:\n  template:\n    spec:\n      containers:\n        - name: podinfo\n          image: ghcr.io/org/podinfo:${tag} # {"$imagepolicy": "apps:podinfo"}\n`;

function xksRepo(): GitFixture {
  const files: Record<string, string> = { 'gitops-promotion.yaml': XKS };
  for (const env of ['dev', 'qa', 'prod']) files[`apps/${env}/podinfo.yaml`] = manifest('1.0.0');
  const fx = gitFixture(files);
  fx.git('push', '-q', 'origin', 'main');
  return fx;
}

/** `gitops-promote <step> …` in the clone; the outputs as name=value lines. */
async function gp(fx: GitFixture, args: string[]): Promise<Record<string, string>> {
  const r = await runCliProcess(args, { cwd: fx.work, env: { GITOPS_PROMOTE_SUMMARY: 'off' } });
  expect(r.code, `${args.join(' ')}\n${r.stderr}`).toBe(0);
  return Object.fromEntries(
    r.stdout
      .trimEnd()
      .split('\n')
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
}

const remoteFile = (fx: GitFixture, ref: string, path: string) =>
  execFileSync('git', ['show', `${ref}:${path}`], { cwd: fx.remote, encoding: 'utf8' });
const pullRecord = (fx: GitFixture, n: number) =>
  JSON.parse(git(fx.remote, 'show', `refs/gitops-promote/pulls/${n}:pull.json`)) as Record<string, unknown>;

describe('the XKS story from a terminal, on a plain Git remote', () => {
  it('new → pull request → git merge → promote → pull request → --merge → promote → prod waits for a person', async () => {
    const fx = xksRepo();
    const NEW = [
      'promote-tag',
      '--strategy',
      'pull-request',
      '--command',
      'new',
      '--group',
      'apps',
      '--app',
      'podinfo',
    ];
    const PROMOTE = ['promote-tag', '--strategy', 'pull-request', '--command', 'promote'];

    // 1. A new image: the pull request into dev (a branch and its record on the remote).
    const created = await gp(fx, [...NEW, '--image-tag', 'a8b91c33']);
    expect(created).toMatchObject({
      environment: 'dev',
      created: 'true',
      'pull-request-number': '1',
      branch: 'promote/apps-podinfo',
      'auto-merge': 'true',
    });
    expect(remoteFile(fx, 'promote/apps-podinfo', 'apps/dev/podinfo.yaml')).toBe(manifest('a8b91c33'));
    expect(pullRecord(fx, 1)).toMatchObject({
      head: 'promote/apps-podinfo',
      base: 'main',
      state: 'open',
      autoMerge: true,
    });

    // 2. Merged by hand with git; the next run notices and proposes qa.
    fx.git('fetch', '-q', 'origin');
    fx.git('merge', '-q', '--no-ff', '-m', 'merge the dev promotion', 'origin/promote/apps-podinfo');
    fx.git('push', '-q', 'origin', 'main');
    const m1 = fx.git('rev-parse', 'HEAD');
    const toQa = await gp(fx, [...PROMOTE, '--sha', m1, '--merge']);
    expect(toQa).toMatchObject({ environment: 'qa', sha: m1, tag: 'a8b91c33', 'pull-request-number': '2' });
    expect(pullRecord(fx, 1)).toMatchObject({ state: 'merged', mergeCommitSha: m1 });

    // 3. --merge merged qa's pull request into main: a merge commit whose second parent is the branch.
    const m2 = toQa['merge-commit']!;
    expect(git(fx.remote, 'rev-parse', 'main')).toBe(m2);
    expect(remoteFile(fx, 'main', 'apps/qa/podinfo.yaml')).toBe(manifest('a8b91c33'));
    expect(pullRecord(fx, 2)).toMatchObject({ state: 'merged', mergeCommitSha: m2 });

    // 4. prod is not auto: its pull request waits for a person.
    const toProd = await gp(fx, [...PROMOTE, '--sha', m2]);
    expect(toProd).toMatchObject({ environment: 'prod', 'pull-request-number': '3', 'auto-merge': 'false' });
    expect(remoteFile(fx, 'promote/apps-podinfo', 'apps/prod/podinfo.yaml')).toBe(manifest('a8b91c33'));

    // 5. The next image starts over in dev: per app, the open pull request is reused.
    fx.git('pull', '-q', 'origin', 'main');
    const next = await gp(fx, [...NEW, '--image-tag', 'cc2b7e0a']);
    expect(next).toMatchObject({ environment: 'dev', 'pull-request-number': '3', tag: 'cc2b7e0a' });
    expect(pullRecord(fx, 3)).toMatchObject({
      title: 'Promote apps/podinfo version cc2b7e0a to environment dev',
    });
  });
});

describe('the Fabrikate story from a terminal: environment branches', () => {
  it('dev → stage by a pull request between branches, merged with --merge; then nothing left to promote', async () => {
    const fx = gitFixture({
      'gitops-promote.yaml':
        'main-branch: dev\nenvironments:\n  - { name: dev, on: { branch: dev } }\n  - { name: stage, on: { branch: stage }, auto: true }\n',
      'app/config/dev.yaml': 'replicas: 1\n',
    });
    fx.git('branch', '-m', 'main', 'dev');
    fx.git('push', '-q', 'origin', 'dev', 'dev:stage');
    fx.commit({ 'app/config/dev.yaml': 'replicas: 2\n' }, 'scale');
    fx.git('push', '-q', 'origin', 'dev');

    const first = await gp(fx, ['promote-tag', '--merge']);
    expect(first).toMatchObject({
      environment: 'stage',
      created: 'true',
      'pull-request-number': '1',
      branch: 'dev',
    });
    expect(remoteFile(fx, 'stage', 'app/config/dev.yaml')).toBe('replicas: 2\n');

    const again = await gp(fx, ['promote-tag', '--environment', 'stage']);
    expect(again).toMatchObject({ created: 'false', 'pull-request-number': '' });
  });
});
