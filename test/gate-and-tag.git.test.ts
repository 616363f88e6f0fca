import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  findEnvironment,
  gateMessage,
  loadConfig,
  waitForPromotion,
  waitForResult,
} from '@gitops-promote/core';
import { GitRemoteProvider } from '@gitops-promote/platform/providers/git';
import { TerminalRuntime } from '@gitops-promote/platform/runtimes/terminal';
import { beforeEach, describe, expect, it } from 'vitest';
import { runGitHub, runTerminal } from './support/bundle';
import { type GitFixture, git, gitFixture } from './support/git';

/** The Kubestack gate and deploy tags from a terminal, against a real bare remote (statuses as Git notes). */
let fx: GitFixture;
let main: string;
let statuses: GitRemoteProvider;

beforeEach(() => {
  fx = gitFixture({
    'gitops-promote.yaml':
      'environments:\n  - name: ops\n  - name: apps\n  - name: apps-prod\nstatus: { timeout: 3s, interval: 1s }\n',
  });
  main = fx.git('rev-parse', 'HEAD');
  statuses = new GitRemoteProvider({ cwd: fx.work });
});

const remoteTags = () =>
  git(
    fx.remote,
    'for-each-ref',
    '--format=%(refname:short) %(if)%(*objectname)%(then)%(*objectname)%(else)%(objectname)%(end)',
    'refs/tags',
  )
    .split('\n')
    .filter(Boolean);

const gate = (inputs: Record<string, string>) => runTerminal('check-previous-env', { cwd: fx.work, inputs });
const promote = (inputs: Record<string, string>) => runTerminal('promote-tag', { cwd: fx.work, inputs });

describe('check-previous-env', () => {
  it('the first environment has no predecessor: success without a provider call', async () => {
    const r = await gate({ environment: 'ops', sha: main });
    expect(r.code).toBe(0);
    expect(r.outputs).toEqual({
      'previous-environment': '',
      'checked-sha': main,
      state: 'success',
      statuses: '[]',
      'soak-remaining': '0s',
      'frozen-until': '',
    });
  });

  it('passes when ops reports success for the commit', async () => {
    await statuses.setStatus(main, {
      context: 'gitops-promote/ops',
      state: 'success',
      description: 'applied +2 ~0 -0',
    });
    const r = await gate({ environment: 'apps', sha: main });
    expect(r.code, r.stderr).toBe(0);
    expect(r.outputs.state).toBe('success');
    expect(r.outputs['previous-environment']).toBe('ops');
    expect(JSON.parse(r.outputs.statuses!)).toMatchObject([
      { context: 'gitops-promote/ops', state: 'success' },
    ]);
  });

  it('fails at once on failure, with the description', async () => {
    await statuses.setStatus(main, {
      context: 'gitops-promote/ops',
      state: 'failure',
      description: 'Error: creating cluster: quota exceeded',
    });
    const r = await gate({ environment: 'apps', sha: main, timeout: '30s' });
    expect(r.code).toBe(1);
    // One look, no wait.
    expect(r.stderr).not.toContain('waiting for');
    expect(r.failure).toBe(
      `check-previous-env: ops failed for commit ${main.slice(0, 12)}: gitops-promote/ops: failure — Error: creating cluster: quota exceeded`,
    );
  });

  it('a missing result ends at the timeout, saying what it looked for', async () => {
    const r = await gate({ environment: 'apps', sha: main, timeout: '2s', interval: '1s' });
    expect(r.code).toBe(1);
    expect(r.failure).toContain(`ops has no result for commit ${main.slice(0, 12)} after 2s`);
    expect(r.failure).toContain('gitops-promote/ops');
  });

  describe('polling (the gate loop on a clock of its own, against the real remote)', () => {
    const ops = () => findEnvironment(loadConfig(fx.work), 'ops')!;
    /** A clock that only moves when the gate sleeps, and the log of a real terminal runtime. */
    function timing() {
      let now = 1_700_000_000_000;
      const slept: number[] = [];
      const lines: string[] = [];
      const rt = new TerminalRuntime(
        {},
        fx.work,
        () => {},
        (l) => lines.push(l),
      );
      return {
        rt,
        slept,
        lines,
        clock: () => now,
        sleep: async (ms: number) => {
          slept.push(ms);
          now += ms;
        },
      };
    }
    const patterns = ['gitops-promote/{env}'];

    it('a missing result looks every interval until the timeout, then gives up', async () => {
      const t = timing();
      const g = await waitForResult(t.rt, statuses, ops(), main, {
        patterns,
        timeoutMs: 2_000,
        intervalMs: 1_000,
        clock: t.clock,
        sleep: t.sleep,
      });
      expect(g.result.state).toBe('missing');
      // Looks at 0 s, 1 s and 2 s: two waits of one interval, each said.
      expect(t.slept).toEqual([1_000, 1_000]);
      expect(
        t.lines.filter((l) => l.startsWith(`waiting for ops on ${main.slice(0, 12)}: no status yet`)),
      ).toHaveLength(2);
      expect(gateMessage(g.result, ops(), main, 2_000, patterns)).toContain(
        `ops has no result for commit ${main.slice(0, 12)} after 2s`,
      );
    });

    it('the last wait is cut to the time left', async () => {
      const t = timing();
      await waitForResult(t.rt, statuses, ops(), main, {
        patterns,
        timeoutMs: 2_500,
        intervalMs: 1_000,
        clock: t.clock,
        sleep: t.sleep,
      });
      expect(t.slept).toEqual([1_000, 1_000, 500]);
    });

    it('waits on pending, then passes when success arrives', async () => {
      await statuses.setStatus(main, {
        context: 'gitops-promote/ops',
        state: 'pending',
        description: 'applying',
      });
      const t = timing();
      const g = await waitForResult(t.rt, statuses, ops(), main, {
        patterns,
        timeoutMs: 40_000,
        intervalMs: 1_000,
        clock: t.clock,
        // ops finishes while the gate waits for the second time.
        sleep: async (ms) => {
          await t.sleep(ms);
          if (t.slept.length === 2)
            await new GitRemoteProvider({ cwd: fx.work }).setStatus(main, {
              context: 'gitops-promote/ops',
              state: 'success',
              description: 'applied',
            });
        },
      });
      expect(g.result.state).toBe('success');
      expect(t.slept).toEqual([1_000, 1_000]);
      expect(t.lines.filter((l) => l.includes('gitops-promote/ops is pending'))).toHaveLength(2);
    });

    it('a promotion pull request’s gate polls on the same clock: pending, then success', async () => {
      await statuses.setStatus(main, { context: 'gitops-promote/ops', state: 'pending', description: '' });
      const t = timing();
      const g = await waitForPromotion(t.rt, statuses, loadConfig(fx.work), {
        meta: { group: 'apps', app: 'web', tag: '1.2.3', env: 'apps', sha: main, type: 'promote' },
        pr: 1,
        previous: ops(),
        patterns,
        timeoutMs: 10_000,
        intervalMs: 2_000,
        workspace: fx.work,
        exact: main,
        clock: t.clock,
        sleep: async (ms) => {
          await t.sleep(ms);
          if (t.slept.length === 3)
            await statuses.setStatus(main, {
              context: 'gitops-promote/ops',
              state: 'success',
              description: '',
            });
        },
      });
      expect(g.result.state).toBe('success');
      expect(t.slept).toEqual([2_000, 2_000, 2_000]);
      expect(t.lines.filter((l) => l.startsWith('waiting for ops to report on apps/web 1.2.3'))).toHaveLength(
        3,
      );
    });

    it('a failure ends the wait at once', async () => {
      await statuses.setStatus(main, { context: 'gitops-promote/ops', state: 'pending', description: '' });
      const t = timing();
      const g = await waitForResult(t.rt, statuses, ops(), main, {
        patterns,
        timeoutMs: 40_000,
        intervalMs: 1_000,
        clock: t.clock,
        sleep: async (ms) => {
          await t.sleep(ms);
          await statuses.setStatus(main, {
            context: 'gitops-promote/ops',
            state: 'failure',
            description: 'boom',
          });
        },
      });
      expect(g.result.state).toBe('failure');
      expect(t.slept).toEqual([1_000]);
    });
  });

  it('finds the status that matters behind 250 unrelated ones, and reads a Flux failure', async () => {
    await Promise.all(
      Array.from({ length: 250 }, (_, i) =>
        statuses.setStatus(main, { context: `ci/job-${i}`, state: 'success', description: '' }),
      ),
    );
    await statuses.setStatus(main, {
      context: 'kustomization/ops/1a2b3c4d',
      state: 'failure',
      description: 'health check failed',
    });
    const r = await gate({ environment: 'apps', sha: main });
    expect(r.code).toBe(1);
    expect(r.failure).toContain('kustomization/ops/1a2b3c4d: failure — health check failed');
  });

  it('ignores statuses of other environments and other commits', async () => {
    const other = fx.commit({ 'x.txt': '1' });
    fx.git('push', '-q', 'origin', 'main');
    await statuses.setStatus(other, {
      context: 'gitops-promote/ops',
      state: 'success',
      description: 'other commit',
    });
    await statuses.setStatus(main, {
      context: 'gitops-promote/apps',
      state: 'success',
      description: 'not ops',
    });
    const r = await gate({ environment: 'apps', sha: main, timeout: '1s', interval: '1s' });
    expect(r.code).toBe(1);
    expect(r.failure).toContain('ops has no result');
  });

  it('refuses a pull request into an environment branch from another branch (branch layout)', async () => {
    writeFileSync(
      join(fx.work, 'gitops-promote.yaml'),
      'main-branch: dev\nenvironments:\n  - { name: dev, on: { branch: dev } }\n  - { name: stage, on: { branch: stage } }\n',
    );
    const r = await runGitHub('check-previous-env', {
      cwd: fx.work,
      event: 'pull_request',
      ref: 'refs/pull/4/merge',
      sha: main,
      inputs: { provider: 'git' },
      payload: {
        pull_request: { number: 4, base: { ref: 'stage' }, head: { ref: 'feature/hotfix', sha: main } },
      },
    });
    expect(r.code).toBe(1);
    expect(r.failure).toBe(
      'check-previous-env: pull requests into stage (environment stage) must come from dev, the branch of the previous environment dev; this one comes from feature/hotfix',
    );
  });
});

describe('promote-tag (git-tag strategy)', () => {
  it('creates the deploy tag once ops succeeded, and returns it unchanged when run again', async () => {
    await statuses.setStatus(main, {
      context: 'gitops-promote/ops',
      state: 'success',
      description: 'applied',
    });
    const first = await promote({ environment: 'apps', sha: main });
    expect(first.code, first.stderr).toBe(0);
    expect(first.outputs).toMatchObject({ environment: 'apps', sha: main, created: 'true' });
    expect(first.outputs.tag).toMatch(/^apps-deploy-\d{14}$/);
    expect(remoteTags()).toEqual([`${first.outputs.tag} ${main}`]);
    const again = await promote({ environment: 'apps', sha: main });
    expect(again.outputs).toMatchObject({ tag: first.outputs.tag, created: 'false' });
    expect(remoteTags()).toHaveLength(1);
  });

  it('refuses when ops failed, and creates nothing', async () => {
    await statuses.setStatus(main, {
      context: 'gitops-promote/ops',
      state: 'failure',
      description: 'plan failed',
    });
    const r = await promote({ environment: 'apps', sha: main });
    expect(r.code).toBe(1);
    expect(r.failure).toBe(
      `promote-tag: ops failed for commit ${main.slice(0, 12)}: gitops-promote/ops: failure — plan failed (nothing was created)`,
    );
    expect(remoteTags()).toEqual([]);
  });

  it('refuses to skip an environment: apps-prod needs apps, not only ops', async () => {
    await statuses.setStatus(main, {
      context: 'gitops-promote/ops',
      state: 'success',
      description: 'applied',
    });
    const r = await promote({ environment: 'apps-prod', sha: main });
    expect(r.code).toBe(1);
    expect(r.failure).toContain('apps has no result for commit');
    expect(remoteTags()).toEqual([]);
  });

  it('refuses a commit that is not on main', async () => {
    fx.git('checkout', '-q', '-b', 'feature/x');
    const feature = fx.commit({ 'f.txt': 'x' });
    fx.git('push', '-q', 'origin', 'feature/x');
    await statuses.setStatus(feature, {
      context: 'gitops-promote/ops',
      state: 'success',
      description: 'applied',
    });
    const r = await promote({ environment: 'apps', sha: feature });
    expect(r.code).toBe(1);
    expect(r.failure).toBe(
      `promote-tag: commit ${feature.slice(0, 12)} is not on main: only merged commits are promoted (nothing was created)`,
    );
    expect(remoteTags()).toEqual([]);
  });

  it('a tag name already on another commit is an error, and nothing is created', async () => {
    const older = main;
    fx.git('tag', 'apps-deploy-1', older);
    fx.git('push', '-q', 'origin', 'apps-deploy-1');
    const newer = fx.commit({ 'n.txt': 'n' });
    fx.git('push', '-q', 'origin', 'main');
    await statuses.setStatus(newer, {
      context: 'gitops-promote/ops',
      state: 'success',
      description: 'applied',
    });
    const r = await promote({ environment: 'apps', sha: newer, tag: 'apps-deploy-1' });
    expect(r.code).toBe(1);
    expect(r.failure).toContain(`tag apps-deploy-1 already points at ${older.slice(0, 12)}`);
    expect(remoteTags()).toEqual([`apps-deploy-1 ${older}`]);
  });

  it('a deploy tag pushed by hand on a commit not on main, with a forged ops success, is refused', async () => {
    fx.git('checkout', '-q', '-b', 'feature/backdoor');
    const feature = fx.commit({ 'infra/x.tf': '# not reviewed\n' });
    fx.git('push', '-q', 'origin', 'feature/backdoor');
    git(fx.remote, 'update-ref', 'refs/tags/apps-deploy-20260101000000', feature);
    await statuses.setStatus(feature, {
      context: 'gitops-promote/ops',
      state: 'success',
      description: 'forged',
    });
    const notes = git(fx.remote, 'rev-parse', 'refs/notes/gitops-promote');
    const r = await promote({ environment: 'apps', sha: feature });
    expect(r.code).toBe(1);
    expect(r.failure).toBe(
      `promote-tag: commit ${feature.slice(0, 12)} is not on main: only merged commits are promoted (nothing was created)`,
    );
    expect(r.stderr).not.toContain('nothing to do');
    expect(remoteTags()).toEqual([`apps-deploy-20260101000000 ${feature}`]);
    expect(git(fx.remote, 'rev-parse', 'refs/notes/gitops-promote')).toBe(notes);
  });

  it('a deploy tag pushed by hand on main is no promotion while ops has no result', async () => {
    git(fx.remote, 'update-ref', 'refs/tags/apps-deploy-20260101000000', main);
    const r = await promote({ environment: 'apps', sha: main });
    expect(r.code).toBe(1);
    expect(r.failure).toContain(`promote-tag: ops has no result for commit ${main.slice(0, 12)} after 3s`);
    expect(r.failure).toContain('(nothing was created)');
    expect(remoteTags()).toEqual([`apps-deploy-20260101000000 ${main}`]);
    expect(git(fx.remote, 'for-each-ref', 'refs/notes')).toBe('');
  });

  it('a race lost to an older tag name: the run deletes its own newer tag and returns the older one', async () => {
    await statuses.setStatus(main, {
      context: 'gitops-promote/ops',
      state: 'success',
      description: 'applied',
    });
    // Another run wins the race: the moment our tag arrives, an older-named tag for the same commit is there.
    const hook = join(fx.remote, 'hooks', 'post-receive');
    writeFileSync(
      hook,
      '#!/bin/sh\nwhile read old new ref; do\n  if [ "$ref" = refs/tags/apps-deploy-2 ]; then\n    git update-ref refs/tags/apps-deploy-1 "$(git rev-parse "$new^{commit}")"\n  fi\ndone\n',
    );
    chmodSync(hook, 0o755);
    const r = await promote({ environment: 'apps', sha: main, tag: 'apps-deploy-2' });
    expect(r.code, r.stderr).toBe(0);
    expect(r.outputs).toMatchObject({ tag: 'apps-deploy-1', created: 'false', sha: main });
    expect(remoteTags()).toEqual([`apps-deploy-1 ${main}`]);
  });

  it('runs at once with different tag names: every run succeeds, no tag it created is lost, each tag is on the commit', async () => {
    await statuses.setStatus(main, {
      context: 'gitops-promote/ops',
      state: 'success',
      description: 'applied',
    });
    const names = ['apps-deploy-1', 'apps-deploy-2', 'apps-deploy-3'];
    const runs = await Promise.all(names.map((tag) => promote({ environment: 'apps', sha: main, tag })));
    const left = remoteTags();
    // Whatever the interleaving (the "oldest wins" rule itself is tested deterministically above):
    // some tag stays, every tag left is on the commit, a tag a run says it created is still there, and a
    // run that answers another name created nothing of its own that was left behind.
    expect(left.length).toBeGreaterThan(0);
    for (const t of left) expect(t).toMatch(new RegExp(`^apps-deploy-[123] ${main}$`));
    const leftNames = left.map((t) => t.split(' ')[0]!);
    runs.forEach((r, i) => {
      expect(r.code, r.stderr).toBe(0);
      if (r.outputs.created === 'true') expect(leftNames).toContain(r.outputs.tag);
      if (r.outputs.tag !== names[i]) {
        expect(r.outputs.created).toBe('false');
        expect(leftNames).not.toContain(names[i]);
      }
    });
  });

  it('two runs at once leave one tag, named for when ops succeeded', async () => {
    await statuses.setStatus(main, {
      context: 'gitops-promote/ops',
      state: 'success',
      description: 'applied',
    });
    const [okAt] = await statuses.listStatuses(main);
    const runs = await Promise.all([1, 2, 3].map(() => promote({ environment: 'apps', sha: main })));
    for (const r of runs) expect(r.code, r.stderr).toBe(0);
    const expected = `apps-deploy-${okAt!.createdAt.replace(/\D/g, '').slice(0, 14)}`;
    expect(remoteTags()).toEqual([`${expected} ${main}`]);
    expect(runs.map((r) => r.outputs.tag)).toEqual([expected, expected, expected]);
  });

  it.each([
    [
      { environment: 'staging' },
      'input environment: "staging" is not valid; use one of the environments in gitops-promote.yaml: ops, apps, apps-prod',
    ],
    [{ environment: 'ops' }, 'input environment: "ops" is not valid; ops is the first environment'],
    [{ environment: 'apps', tag: 'v1.0' }, 'input tag: "v1.0" is not valid; it must match apps-deploy-*'],
    [
      { environment: 'apps', tag: 'apps-deploy-$(touch pwned)' },
      'input tag: "apps-deploy-$(touch pwned)" is not valid; it contains "$"; deploy tag names use only A-Z a-z 0-9 . _ - /',
    ],
    [
      { environment: 'apps', tag: '-apps-deploy' },
      'input tag: "-apps-deploy" is not valid; it starts with "-", which a script would read as an option',
    ],
    [
      { environment: 'apps', strategy: 'merge' },
      'input strategy: "merge" is not valid; use one of git-tag, pull-request, branch',
    ],
    [
      { environment: 'apps', sha: 'abc' },
      'input sha: "abc" is not valid; give the full 40-character commit sha',
    ],
    [
      { environment: 'apps', 'require-previous': 'yes' },
      'input require-previous: "yes" is not valid; use true or false',
    ],
  ])('bad input %o: one clear message, nothing created', async (inputs, message) => {
    const r = await promote({ sha: main, ...inputs });
    expect(r.code).toBe(1);
    expect(r.failure).toContain(message);
    expect(remoteTags()).toEqual([]);
  });
});
