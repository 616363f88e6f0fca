import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { type Board, metadataBlock } from '@gitops-promote/core';
import { GitRemoteProvider } from '@gitops-promote/platform/providers/git';
import { afterEach, describe, expect, it } from 'vitest';
import { type AzureDevOpsApi, startAzureApi } from './doubles/azure-api';
import { type GitHubApiDouble, isWrite, startGitHubDouble } from './doubles/github-api';
import { type BundleRun, bundlePath, parseVso, runAzure, runGitHub, runTerminal } from './support/bundle';
import { type GitFixture, git, gitFixture } from './support/git';
import { azureProviderOn, githubProviderOn } from './support/hosts';

/**
 * promotion-board through the built bundle on the GitHub double, the Azure DevOps double and a plain Git
 * remote: the same histories give the same board, and the board writes nothing.
 */

interface Host {
  name: 'github' | 'azure' | 'git';
  /** Posts an environment's result the host's way (ours, or Flux's with `flux`). */
  status(sha: string, context: string, ok: boolean | 'pending', description: string): Promise<void>;
  /** Opens a pull request (test setup, before the board runs). */
  openPull(head: string, title: string, body: string): Promise<number | undefined>;
  board(inputs?: Record<string, string>): Promise<BundleRun>;
  /** Requests that could have changed something, since the last `board`. */
  writes(): string[];
  close(): Promise<void>;
}

const FAST = { baseDelayMs: 1, maxDelayMs: 20, timeoutMs: 5_000, totalMs: 10_000 };

async function githubHost(fx: GitFixture): Promise<Host> {
  const api: GitHubApiDouble = await startGitHubDouble(fx.remote);
  const provider = githubProviderOn(api);
  let from = 0;
  return {
    name: 'github',
    status: async (sha, context, ok, description) => {
      api.addStatus(sha, {
        context,
        state: ok === 'pending' ? 'pending' : ok ? 'success' : 'failure',
        description,
      });
    },
    openPull: async (head, title, body) =>
      (await provider.createPullRequest({ head, base: 'main', title, body })).number,
    board: (inputs = {}) => {
      from = api.requests.length;
      return runGitHub('promotion-board', {
        cwd: fx.work,
        event: 'schedule',
        env: api.env(),
        inputs: { token: api.token, ...inputs },
      });
    },
    writes: () =>
      api.requests
        .slice(from)
        .filter(isWrite)
        .map((r) => `${r.method} ${r.path}`),
    close: () => api.close(),
  };
}

async function azureHost(fx: GitFixture): Promise<Host> {
  const api: AzureDevOpsApi = await startAzureApi({ repo: fx.remote });
  const provider = azureProviderOn(api, { retry: FAST });
  let from = 0;
  return {
    name: 'azure',
    status: async (sha, context, ok, description) => {
      const flux = context.startsWith('kustomization/');
      const [genre, ...name] = context.split('/');
      const state = ok === 'pending' ? 'pending' : ok ? 'succeeded' : flux ? 'error' : 'failed';
      api.addStatus(
        sha,
        flux
          ? { genre: 'fluxcd', name: context, state, description }
          : { genre: genre!, name: name.join('/'), state, description },
      );
    },
    openPull: async (head, title, body) =>
      (await provider.createPullRequest({ head, base: 'main', title, body })).number,
    board: (inputs = {}) => {
      from = api.requests.length;
      return runAzure('promotion-board', { cwd: fx.work, reason: 'Schedule', env: api.env(), inputs });
    },
    writes: () =>
      api.requests
        .slice(from)
        .filter(isWrite)
        .map((r) => `${r.method} ${r.path}`),
    close: () => api.close(),
  };
}

async function gitHost(fx: GitFixture): Promise<Host> {
  const provider = new GitRemoteProvider({ cwd: fx.work });
  const refs = () => git(fx.remote, 'for-each-ref', '--format=%(refname) %(objectname)');
  let before = '';
  return {
    name: 'git',
    status: (sha, context, ok, description) =>
      provider.setStatus(sha, {
        context,
        state: ok === 'pending' ? 'pending' : ok ? 'success' : 'failure',
        description,
      }),
    openPull: async () => undefined,
    board: (inputs = {}) => {
      before = refs();
      return runTerminal('promotion-board', { cwd: fx.work, inputs });
    },
    writes: () => (refs() === before ? [] : [`refs changed:\n${refs()}`]),
    close: async () => {},
  };
}

const HOSTS = [
  ['GitHub', githubHost],
  ['Azure DevOps', azureHost],
  ['a plain Git remote', gitHost],
] as const;
let open: Host | undefined;
afterEach(async () => {
  await open?.close();
  open = undefined;
});

const KUBESTACK = `environments:
  - name: ops
  - name: apps
  - name: apps-prod
`;

/** ops applied C1..C3 (ahead of apps); apps applied C1 and failed C2; apps-prod never applied. */
async function kubestack(make: (fx: GitFixture) => Promise<Host>) {
  const fx = gitFixture({ 'gitops-promote.yaml': KUBESTACK });
  const c = [1, 2, 3].map((i) => fx.commit({ 'main.tf': `# ${i}\n` }, `change ${i}`));
  fx.git('push', '-q', 'origin', 'main');
  fx.git('tag', 'apps-deploy-20261101000000', c[0]!);
  fx.git('tag', 'apps-deploy-20261102000000', c[1]!);
  fx.git('push', '-q', 'origin', '--tags');
  const host = await make(fx);
  open = host;
  for (const sha of c) await host.status(sha, 'gitops-promote/ops', true, 'applied +1 ~0 -0');
  await host.status(c[2]!, 'gitops-promote/ops/drift', true, 'no drift');
  await host.status(c[0]!, 'gitops-promote/apps', true, 'applied +1 ~0 -0');
  await host.status(c[1]!, 'gitops-promote/apps', false, 'Error: quota "exceeded" for [vm] <b>x</b> | y');
  return { fx, host, c };
}

describe.each(HOSTS)('promotion-board on %s', (_, make) => {
  it('Kubestack: ops ahead of apps, apps failed on its newest tag, apps-prod never applied', async () => {
    const { host, c } = await kubestack(make);
    const r = await host.board();
    expect(r.failure).toBeUndefined();
    expect(r.code).toBe(0);
    const board = JSON.parse(r.outputs.board!) as Board;
    expect(board.environments.map((e) => ({ ...e, since: e.since ? 'set' : '', description: '' }))).toEqual([
      {
        environment: 'ops',
        sha: c[2],
        ref: 'main',
        state: 'success',
        since: 'set',
        description: '',
        parity: 'unknown',
        drift: 'none',
        freeze: 'open',
        waiting: [],
      },
      {
        environment: 'apps',
        sha: c[0],
        ref: 'apps-deploy-20261101000000',
        state: 'failure',
        since: 'set',
        description: '',
        parity: 'unknown',
        drift: 'unknown',
        freeze: 'open',
        attempt: { sha: c[1], ref: 'apps-deploy-20261102000000', state: 'failure' },
        waiting: [
          {
            sha: c[2],
            ref: 'main',
            reason: 'no-tag',
            detail: `no apps-deploy-* tag on ${c[2]!.slice(0, 12)} yet`,
          },
        ],
      },
      {
        environment: 'apps-prod',
        sha: '',
        ref: '',
        state: 'never',
        since: '',
        description: '',
        parity: 'unknown',
        drift: 'unknown',
        freeze: 'open',
        waiting: [
          {
            sha: c[0],
            ref: 'apps-deploy-20261101000000',
            reason: 'no-tag',
            detail: `no apps-prod-deploy-* tag on ${c[0]!.slice(0, 12)} yet`,
          },
        ],
      },
    ]);
    expect(board.environments[1]!.description).toContain('quota "exceeded"');
    expect(board.apps).toEqual([]);
    expect(host.writes()).toEqual([]);

    const page = readFileSync(r.outputs['html-file']!, 'utf8');
    expect(page).toContain('quota &quot;exceeded&quot; for [vm] &lt;b&gt;x&lt;/b&gt;');
    expect(page).not.toContain('<b>x</b>');
    expect(page).not.toMatch(/<script|<link|https?:\/\//i);

    if (host.name === 'github') {
      expect(r.summary).toContain('| apps | failed; newest: apps-deploy-20261102000000 @ ');
      expect(r.summary).toContain('```mermaid\nflowchart LR');
      expect(r.summary).toContain(':::failure');
      expect(r.summary).toContain(`e0 -->|"1 waiting: not promoted yet #40;${c[2]!.slice(0, 7)}#41;"| e1`);
      expect(r.summary).toContain('classDef never ');
    }
    if (host.name === 'azure') {
      expect(r.summary).toContain('| apps-prod | never deployed |');
      expect(r.summary).not.toContain('mermaid');
      const upload = parseVso(r.stdout).find((v) => v.command === 'artifact.upload');
      expect(upload).toMatchObject({
        props: { artifactname: 'promotion-board' },
        message: r.outputs['html-file'],
      });
    }
  });

  it('an environment not in the configuration: one message naming it and the valid ones, nothing read', async () => {
    const { host } = await kubestack(make);
    const r = await host.board({ environment: 'ops\nstaging' });
    expect(r.code).toBe(1);
    expect(r.failure).toContain('environment');
    expect(r.failure).toContain('staging');
    expect(r.failure).toContain('ops, apps, apps-prod');
    expect(r.outputs.board).toBeUndefined();
    expect(host.writes()).toEqual([]);
  });

  it('XKS: three environments on different image tags, an open promotion pull request into prod', async () => {
    const deployment = (tag: string) =>
      `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: podinfo\nspec:\n  template:\n    spec:\n      containers:\n        - name: podinfo\n          image: ghcr.io/org/podinfo:${tag} # {"$imagepolicy": "apps:podinfo"}\n`;
    const fx = gitFixture({
      'gitops-promotion.yaml':
        'prflow: per-app\nenvironments:\n  - name: dev\n    auto: true\n  - name: qa\n    auto: true\n  - name: prod\n    auto: false\n',
      'apps/dev/podinfo.yaml': deployment('1.2.0'),
      'apps/qa/podinfo.yaml': deployment('1.1.0'),
      'apps/prod/podinfo.yaml': deployment('1.0.0'),
    });
    const main = fx.git('rev-parse', 'HEAD');
    fx.git('checkout', '-q', '-b', 'promote/apps-podinfo');
    const head = fx.commit(
      { 'apps/prod/podinfo.yaml': deployment('1.1.0') },
      'promote podinfo 1.1.0 to prod',
    );
    fx.git('push', '-q', 'origin', 'promote/apps-podinfo');
    fx.git('checkout', '-q', 'main');
    const host = await make(fx);
    open = host;
    for (const env of ['dev', 'qa'])
      await host.status(main, `kustomization/apps-${env}/1a2b3c4d`, true, 'Applied revision');
    await host.status(main, 'kustomization/apps-prod/1a2b3c4d', 'pending', 'Reconciliation in progress');
    const body = `Promotes podinfo.\n\n${metadataBlock({ group: 'apps', app: 'podinfo', tag: '1.1.0', env: 'prod', sha: main, type: 'promote' })}`;
    const number = await host.openPull(
      'promote/apps-podinfo',
      'Promote apps/podinfo version 1.1.0 to environment prod',
      body,
    );

    const r = await host.board();
    expect(r.failure).toBeUndefined();
    const board = JSON.parse(r.outputs.board!) as Board;
    expect(board.environments.map((e) => [e.environment, e.sha, e.ref, e.state])).toEqual([
      ['dev', main, 'main', 'success'],
      ['qa', main, 'main', 'success'],
      ['prod', main, 'main', 'pending'],
    ]);
    const pr = number === undefined ? {} : { pullRequest: { number, url: expect.any(String), tag: '1.1.0' } };
    expect(board.apps).toEqual([
      {
        group: 'apps',
        app: 'podinfo',
        environments: [
          { environment: 'dev', tag: '1.2.0' },
          { environment: 'qa', tag: '1.1.0' },
          { environment: 'prod', tag: '1.0.0', ...pr },
        ],
      },
    ]);
    // dev runs 1.2.0 and qa does not, with nothing open for it: qa waits for that image.
    expect(board.environments[1]!.waiting).toEqual([
      {
        sha: '',
        ref: 'apps/podinfo:1.2.0',
        reason: 'no-tag',
        detail: 'apps/podinfo 1.2.0 runs in dev, not promoted to qa yet',
      },
    ]);
    const prodWaiting = board.environments[2]!.waiting;
    if (number === undefined)
      expect(prodWaiting).toEqual([
        {
          sha: '',
          ref: 'apps/podinfo:1.1.0',
          reason: 'no-tag',
          detail: 'apps/podinfo 1.1.0 runs in qa, not promoted to prod yet',
        },
      ]);
    else
      expect(prodWaiting).toEqual([
        {
          sha: head,
          ref: 'promote/apps-podinfo',
          reason: 'pull-request',
          detail: `pull request #${number} promotes apps/podinfo 1.1.0`,
        },
      ]);
    expect(host.writes()).toEqual([]);
    if (host.name !== 'git') {
      expect(r.summary).toContain('#### Images');
      expect(r.summary).toContain('| qa | success | main @ ');
      expect(r.summary).toContain(`| apps/podinfo | 1.2.0 | 1.1.0 | 1.0.0 \\(PR \\#${number} → 1.1.0\\) |`);
    }
  });
});

describe('promotion-board reads a bounded amount', () => {
  it('statuses of at most 5 deploy tags per environment, however many there are', async () => {
    const fx = gitFixture({ 'gitops-promote.yaml': KUBESTACK });
    const api = await startGitHubDouble(fx.remote);
    open = { close: () => api.close() } as Host;
    const tagged: string[] = [];
    for (let i = 10; i < 22; i++) {
      tagged.push(fx.commit({ 'main.tf': `# ${i}\n` }, `change ${i}`));
      fx.git('tag', `apps-deploy-202611${i}000000`, tagged.at(-1)!);
    }
    const head = fx.commit({ 'main.tf': '# ops\n' }, 'ops ahead');
    fx.git('push', '-q', 'origin', 'main', '--tags');
    api.addStatus(head, { context: 'gitops-promote/ops', state: 'success' });
    for (const sha of tagged)
      api.addStatus(sha, { context: 'gitops-promote/apps', state: 'failure', description: 'boom' });
    const r = await runGitHub('promotion-board', {
      cwd: fx.work,
      env: api.env(),
      inputs: { token: api.token },
    });
    expect(r.failure).toBeUndefined();
    const apps = (JSON.parse(r.outputs.board!) as Board).environments[1]!;
    expect(apps).toMatchObject({ state: 'failure', sha: tagged.at(-1), ref: 'apps-deploy-20261121000000' });
    expect(apps.description).toMatch(/^no success among the newest 5 deploy tags/);
    const read = api
      .requestsTo('GET', /\/commits\/[0-9a-f]{40}\/statuses$/)
      .map((q) => q.path.split('/').at(-2));
    expect(new Set(read)).toEqual(new Set([head, ...tagged.slice(-5)])); // ops' head and apps' 5 newest tags
    expect(api.requests.filter(isWrite)).toEqual([]);
  });
});

describe('gitops-promote board (terminal)', () => {
  it('prints the table as plain text; --json prints the board', async () => {
    const { fx, c } = await kubestack(gitHost);
    const cli = (...args: string[]) =>
      execFileSync(process.execPath, [bundlePath('cli'), 'board', ...args], {
        cwd: fx.work,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    const lines = cli().trimEnd().split('\n');
    expect(lines[0]).toMatch(/^environment +state +runs +since +waiting +drift +parity$/);
    expect(lines[1]).toMatch(new RegExp(`^ops +success +main @ ${c[2]!.slice(0, 7)} `));
    expect(lines[2]).toMatch(
      /^apps +failed; newest: apps-deploy-20261102000000 @ \w{7} failed +apps-deploy-20261101000000 @/,
    );
    expect(lines[3]).toMatch(
      new RegExp(
        `^apps-prod +never deployed +— +— +${c[0]!.slice(0, 7)} \\(apps-deploy-20261101000000\\): not promoted yet`,
      ),
    );
    const board = JSON.parse(cli('--environment', 'apps-prod', '--json')) as Board;
    expect(board.environments.map((e) => e.environment)).toEqual(['apps-prod']);
    expect(board.environments[0]!.waiting[0]!.sha).toBe(c[0]);
  });
});

describe('promotion-board without pull-requests: read', () => {
  it('still shows the environments, with a note saying what it could not read', async () => {
    const fx = gitFixture({ 'gitops-promote.yaml': KUBESTACK });
    const api = await startGitHubDouble(fx.remote);
    open = { close: () => api.close() } as Host;
    api.deny('pull-requests:read');
    api.addStatus(fx.git('rev-parse', 'HEAD'), { context: 'gitops-promote/ops', state: 'success' });
    const r = await runGitHub('promotion-board', {
      cwd: fx.work,
      env: api.env(),
      inputs: { token: api.token },
    });
    expect(r.failure).toBeUndefined();
    const board = JSON.parse(r.outputs.board!) as Board;
    expect(board.environments.map((e) => e.state)).toEqual(['success', 'never', 'never']);
    expect(board.notes).toEqual([expect.stringMatching(/^open pull requests could not be read: .*403/)]);
    expect(r.warnings).toEqual(board.notes);
  });
});

describe('promotion-board html-file', () => {
  it('a path outside the repository and the job temp folder is refused before anything is read', async () => {
    const fx = gitFixture({ 'gitops-promote.yaml': KUBESTACK });
    const r = await runTerminal('promotion-board', {
      cwd: fx.work,
      inputs: { 'html-file': '../board.html' },
    });
    expect(r.code).toBe(1);
    expect(r.failure).toMatch(
      /input html-file: "\.\.\/board\.html" is not valid; it leads to .* outside the repository/,
    );
  });
});
