import { afterEach, describe, expect, it } from 'vitest';
import { type AzureDevOpsApi, startAzureApi } from './doubles/azure-api';
import { type GitHubApiDouble, isWrite, startGitHubDouble } from './doubles/github-api';
import { type BundleRun, runAzure, runGitHub } from './support/bundle';
import { type GitFixture, git, gitFixture } from './support/git';

/**
 * The gates through the built bundles on both hosting doubles: several clusters (Flux's per-cluster
 * statuses), soak, and freeze windows. Times are real: statuses are dated in the past through the
 * doubles, freeze windows are written around the real now.
 */

interface Host {
  run(step: string, sha: string, inputs: Record<string, string>): Promise<BundleRun>;
  /** Flux on one cluster of ops reports on `sha`. */
  flux(sha: string, cluster: string, ok: boolean, at?: Date): void;
  /** gitops-promote's own ops result. */
  opsSuccess(sha: string, at?: Date): void;
  writes(): string[];
  close(): Promise<void>;
}

async function githubHost(fx: GitFixture): Promise<Host> {
  const api: GitHubApiDouble = await startGitHubDouble(fx.remote);
  return {
    run: (step, sha, inputs) =>
      runGitHub(step, { cwd: fx.work, sha, env: api.env(), inputs: { token: api.token, ...inputs } }),
    flux: (sha, cluster, ok, at) => {
      api.addStatus(sha, {
        context: `kustomization/ops/${cluster}`,
        state: ok ? 'success' : 'failure',
        description: ok ? 'reconciliation succeeded' : 'health check failed',
        ...(at ? { createdAt: at.toISOString() } : {}),
      });
    },
    opsSuccess: (sha, at) => {
      api.addStatus(sha, {
        context: 'gitops-promote/ops',
        state: 'success',
        description: 'applied',
        ...(at ? { createdAt: at.toISOString() } : {}),
      });
    },
    writes: () => api.requests.filter(isWrite).map((r) => `${r.method} ${r.path}`),
    close: () => api.close(),
  };
}

async function azureHost(fx: GitFixture): Promise<Host> {
  const api: AzureDevOpsApi = await startAzureApi({ repo: fx.remote });
  return {
    run: (step, sha, inputs) => runAzure(step, { cwd: fx.work, sha, env: api.env(), inputs }),
    // Flux on Azure DevOps: genre fluxcd, the name as on GitHub (carrying the cluster id).
    flux: (sha, cluster, ok, at) => {
      api.addStatus(sha, {
        genre: 'fluxcd',
        name: `kustomization/ops/${cluster}`,
        state: ok ? 'succeeded' : 'error',
        description: ok ? 'reconciliation succeeded' : 'health check failed',
        ...(at ? { creationDate: at.toISOString() } : {}),
      });
    },
    opsSuccess: (sha, at) => {
      api.addStatus(sha, {
        genre: 'gitops-promote',
        name: 'ops',
        state: 'succeeded',
        description: 'applied',
        ...(at ? { creationDate: at.toISOString() } : {}),
      });
    },
    // Azure DevOps lists pull requests by POST pullrequestquery; none happens in these steps.
    writes: () => api.requests.filter((r) => r.method !== 'GET').map((r) => `${r.method} ${r.path}`),
    close: () => api.close(),
  };
}

let host: Host | undefined;
afterEach(async () => {
  await host?.close();
  host = undefined;
});

const ENVS = 'environments:\n  - name: ops\n  - name: apps\n  - name: apps-prod\n';
const config = (extra = '') => `${ENVS}status: { timeout: 2s, interval: 1s }\n${extra}`;

/** A repository whose earlier commit ops's clusters eu-1 and us-1 reported on, and a new commit on main. */
function twoCommits(yaml: string) {
  const fx = gitFixture({ 'gitops-promote.yaml': yaml });
  const earlier = fx.git('rev-parse', 'HEAD');
  const sha = fx.commit({ 'infra/main.tf': '# change\n' });
  fx.git('push', '-q', 'origin', 'main');
  return { fx, earlier, sha };
}

const tags = (fx: GitFixture) => git(fx.remote, 'tag', '--list').split('\n').filter(Boolean);
const hours = (n: number) => new Date(Date.now() + n * 3_600_000);
const utc = (d: Date) => `${d.toISOString().slice(0, 19)}Z`;

/** `fri 16:05` on the wall clock of `zone` at `at` (read with Intl here, as a person would read a clock). */
function clockIn(zone: string, at: Date): string {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: zone,
    weekday: 'short',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(at);
  const part = (t: string) => parts.find((p) => p.type === t)!.value;
  return `${part('weekday').toLowerCase()} ${part('hour')}:${part('minute')}`;
}

describe.each([
  ['GitHub Actions + GitHub API', githubHost],
  ['Azure Pipelines + Azure DevOps API', azureHost],
] as const)('gates on %s', (_title, make) => {
  describe('several clusters', () => {
    it('every cluster green: success, each cluster named with its state', async () => {
      const { fx, earlier, sha } = twoCommits(config());
      host = await make(fx);
      for (const c of ['eu-1', 'us-1']) host.flux(earlier, c, true);
      for (const c of ['eu-1', 'us-1']) host.flux(sha, c, true);
      const r = await host.run('check-previous-env', sha, { environment: 'apps', sha });
      expect(r.failure).toBeUndefined();
      expect(r.outputs.state).toBe('success');
      expect(JSON.parse(r.outputs.statuses!).length).toBe(2);
      expect(host.writes()).toEqual([]);
    });

    it('one cluster failed: failure naming its id', async () => {
      const { fx, earlier, sha } = twoCommits(config());
      host = await make(fx);
      for (const c of ['eu-1', 'us-1']) host.flux(earlier, c, true);
      host.flux(sha, 'eu-1', true);
      host.flux(sha, 'us-1', false);
      const r = await host.run('check-previous-env', sha, { environment: 'apps', sha });
      expect(r.outputs.state).toBe('failure');
      // Flux writes failure on GitHub, error on Azure DevOps.
      expect(r.failure).toMatch(
        new RegExp(
          `ops failed for commit ${sha.slice(0, 12)}: (fluxcd/)?kustomization/ops/us-1: (failure|error) — health check failed \\(cluster eu-1 success, cluster us-1 (failure|error)\\)$`,
        ),
      );
    });

    it('a cluster known from an earlier commit that is silent here: waits, then missing naming it', async () => {
      const { fx, earlier, sha } = twoCommits(config());
      host = await make(fx);
      for (const c of ['eu-1', 'us-1']) host.flux(earlier, c, true);
      host.flux(sha, 'eu-1', true);
      const r = await host.run('check-previous-env', sha, { environment: 'apps', sha });
      expect(r.outputs.state).toBe('missing');
      expect(r.stdout).toContain('cluster eu-1 success, cluster us-1 missing');
      expect(r.stdout).toContain('next look in 1s');
      expect(r.failure).toContain(
        `ops has no result from cluster us-1 for commit ${sha.slice(0, 12)} after 2s`,
      );
    });

    it('require any: the first success passes while another cluster is silent or failed', async () => {
      const { fx, earlier, sha } = twoCommits(
        config('').replace('interval: 1s }', 'interval: 1s, require: any }'),
      );
      host = await make(fx);
      for (const c of ['eu-1', 'us-1', 'ap-1']) host.flux(earlier, c, true);
      host.flux(sha, 'eu-1', false);
      host.flux(sha, 'us-1', true);
      const r = await host.run('check-previous-env', sha, { environment: 'apps', sha });
      expect(r.failure).toBeUndefined();
      expect(r.outputs.state).toBe('success');
      expect(r.stdout).not.toContain('waiting for');
    });
  });

  describe('soak', () => {
    it('a fresh success waits, saying how long is left; the step ends pending at the timeout', async () => {
      const { fx, sha } = twoCommits(config());
      host = await make(fx);
      host.opsSuccess(sha);
      const r = await host.run('check-previous-env', sha, { environment: 'apps', sha, soak: '30m' });
      expect(r.outputs.state).toBe('pending');
      expect(r.stdout).toMatch(/gitops-promote\/ops succeeded; soaking, 30m left/);
      expect(r.failure).toContain(
        `ops succeeded for commit ${sha.slice(0, 12)}, but not 30m ago (the soak): 30m left`,
      );
      const left = Number(r.outputs['soak-remaining']!.replace(/s$/, ''));
      expect(left).toBeGreaterThan(1_700);
      expect(left).toBeLessThanOrEqual(1_800);
    });

    it('a success older than the soak (status.soak) passes at once', async () => {
      const { fx, sha } = twoCommits(config('').replace('interval: 1s }', 'interval: 1s, soak: 30m }'));
      host = await make(fx);
      host.opsSuccess(sha, hours(-2));
      const r = await host.run('check-previous-env', sha, { environment: 'apps', sha });
      expect(r.failure).toBeUndefined();
      expect(r.outputs.state).toBe('success');
      expect(r.outputs['soak-remaining']).toBe('0s');
    });
  });

  describe('freeze windows', () => {
    it('a one-off window around now: the gate answers frozen, naming the window and its end', async () => {
      const [from, until] = [utc(hours(-1)), utc(hours(1))];
      const yaml = config(`freeze:\n  - environments: [apps]\n    from: "${from}"\n    until: "${until}"\n`);
      const { fx, sha } = twoCommits(yaml);
      host = await make(fx);
      host.opsSuccess(sha);
      const r = await host.run('check-previous-env', sha, { environment: 'apps', sha });
      expect(r.outputs.state).toBe('frozen');
      expect(r.outputs['frozen-until']).toBe(new Date(until).toISOString());
      expect(r.failure).toBe(
        `check-previous-env: apps is frozen by freeze[0] (${from} to ${until}), until ${until}: nothing is promoted into it until then`,
      );
    });

    it.each(['Pacific/Auckland', 'America/New_York'])(
      'a weekly window on the clock of %s (its own day and daylight-saving offset): frozen; promote-tag creates no tag',
      async (zone) => {
        const start = new Date(Math.floor(Date.now() / 60_000) * 60_000 - 3_600_000);
        const end = new Date(start.getTime() + 3 * 3_600_000);
        const weekly = `${clockIn(zone, start)} - ${clockIn(zone, end)}`;
        const yaml = config(
          `freeze:\n  - environments: [apps]\n    weekly: "${weekly}"\n    timezone: ${zone}\n`,
        );
        const { fx, sha } = twoCommits(yaml);
        host = await make(fx);
        host.opsSuccess(sha);

        const gate = await host.run('check-previous-env', sha, { environment: 'apps', sha });
        expect(gate.outputs.state).toBe('frozen');
        expect(gate.outputs['frozen-until']).toBe(end.toISOString());
        expect(gate.failure).toContain(`apps is frozen by freeze[0] (weekly ${weekly} ${zone}), until `);
        expect(gate.failure).toContain(`${zone} (${utc(end)})`);

        const before = tags(fx);
        const promote = await host.run('promote-tag', sha, { environment: 'apps', sha });
        expect(promote.code).toBe(1);
        expect(promote.failure).toContain(
          `promote-tag: apps is frozen by freeze[0] (weekly ${weekly} ${zone})`,
        );
        expect(promote.failure).toContain('(nothing was created)');
        expect(promote.outputs.tag).toBeUndefined();
        expect(tags(fx)).toEqual(before);
        expect(host.writes()).toEqual([]);
      },
    );

    it('another environment is not frozen: promote-tag creates its tag', async () => {
      const yaml = config(
        `freeze:\n  - environments: [apps-prod]\n    from: "${utc(hours(-1))}"\n    until: "${utc(hours(1))}"\n`,
      );
      const { fx, sha } = twoCommits(yaml);
      host = await make(fx);
      host.opsSuccess(sha);
      const r = await host.run('promote-tag', sha, { environment: 'apps', sha });
      expect(r.failure).toBeUndefined();
      expect(r.outputs.created).toBe('true');
      expect(tags(fx)).toEqual([r.outputs.tag]);
    });
  });
});
