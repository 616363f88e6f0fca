import { execFileSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { startAzureApi } from './doubles/azure-api';
import { startGitHubDouble } from './doubles/github-api';
import { type BundleRun, runAzure, runGitHub } from './support/bundle';
import { type GitFixture, git, gitFixture } from './support/git';

/**
 * The pull-request strategy with a large manifest, through the built bundle on both hosting doubles.
 * GitHub's contents API leaves out files over 1 MB (content "", encoding "none"); up to 4 MiB the
 * blob is read instead, beyond that the step refuses, naming the file and its size, before writing.
 */

interface Host {
  run(sha: string, inputs: Record<string, string>): Promise<BundleRun>;
  pulls(): number;
  writes(): string[];
  close(): Promise<void>;
}

async function github(fx: GitFixture): Promise<Host> {
  const api = await startGitHubDouble(fx.remote);
  return {
    run: (sha, inputs) =>
      runGitHub('promote-tag', {
        cwd: fx.work,
        event: 'workflow_dispatch',
        sha,
        env: api.env(),
        inputs: { token: api.token, ...inputs },
      }),
    pulls: () => api.pullRequests().length,
    writes: () => api.requests.filter((r) => r.method !== 'GET').map((r) => `${r.method} ${r.path}`),
    close: () => api.close(),
  };
}

async function azure(fx: GitFixture): Promise<Host> {
  const api = await startAzureApi({ repo: fx.remote });
  return {
    run: (sha, inputs) =>
      runAzure('promote-tag', {
        cwd: fx.work,
        reason: 'Manual',
        sha,
        env: api.env(),
        inputs,
      }),
    pulls: () => api.pullRequests().length,
    writes: () => api.requests.filter((r) => r.method !== 'GET').map((r) => `${r.method} ${r.path}`),
    close: () => api.close(),
  };
}

let host: Host | undefined;
afterEach(async () => {
  await host?.close();
  host = undefined;
});

const CONFIG = 'environments:\n  - name: dev\n    auto: true\n  - name: qa\n';
const LINE = '# generated: keep the rendered objects of podinfo together in one file, as a tool would\n';
const MARKED = 'image: ghcr.io/org/podinfo:1.0.0 # {"$imagepolicy": "apps:podinfo"}\n';
const NEW = { strategy: 'pull-request', command: 'new', group: 'apps', app: 'podinfo', 'image-tag': 'c2' };

/** A manifest of about `bytes` bytes with podinfo's setter near the end. */
const manifest = (bytes: number) => `${LINE.repeat(Math.ceil(bytes / LINE.length))}${MARKED}`;

describe.each([
  ['GitHub', github],
  ['Azure DevOps', azure],
] as const)('a large manifest on %s', (_title, make) => {
  it('3 MiB (over the 1 MB GitHub serves inline): the tag is written, the rest byte for byte', async () => {
    const text = manifest(3 * 1024 * 1024);
    const fx = gitFixture({ 'gitops-promotion.yaml': CONFIG, 'apps/dev/podinfo.yaml': text });
    host = await make(fx);
    const r = await host.run(fx.git('rev-parse', 'HEAD'), NEW);
    expect(r.code, `${r.failure}\n${r.stderr}`).toBe(0);
    expect(r.outputs).toMatchObject({ created: 'true', 'pull-request-number': '1', tag: 'c2' });
    const written = execFileSync('git', ['show', 'promote/apps-podinfo:apps/dev/podinfo.yaml'], {
      cwd: fx.remote,
      encoding: 'utf8',
      maxBuffer: 64 << 20,
    });
    expect(written).toBe(text.replace('podinfo:1.0.0', 'podinfo:c2'));
  });

  it('over 4 MiB: refused with the file and its size, and nothing is written', async () => {
    const text = manifest(4 * 1024 * 1024 + 1);
    const bytes = Buffer.byteLength(text);
    const fx = gitFixture({ 'gitops-promotion.yaml': CONFIG, 'apps/dev/podinfo.yaml': text });
    host = await make(fx);
    const r = await host.run(fx.git('rev-parse', 'HEAD'), NEW);
    expect(r.code).toBe(1);
    expect(r.failure).toBe(
      `promote-tag: apps/dev/podinfo.yaml is 4.0 MiB (${bytes} bytes); promote-tag edits manifests of at most 4 MiB: move the app's image into a smaller file (nothing was written)`,
    );
    expect(host.pulls()).toBe(0);
    expect(host.writes()).toEqual([]);
    expect(git(fx.remote, 'branch', '--list', 'promote/*')).toBe('');
  });
});
