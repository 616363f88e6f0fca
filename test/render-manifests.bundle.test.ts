import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type AzureDevOpsApi, startAzureApi } from './doubles/azure-api';
import { type GitHubApiDouble, startGitHubDouble } from './doubles/github-api';
import { type BundleRun, runAzure, runGitHub, runTerminal } from './support/bundle';
import { type GitFixture, git, gitFixture, tempDir } from './support/git';
import { azureProviderOn, githubProviderOn } from './support/hosts';

/**
 * The Bedrock pipeline with real `kubectl kustomize`: a base with dev/stage/prod overlays, rendered into
 * a real bare manifest repository through the plain-Git provider (terminal bundle), and into the
 * repository behind the GitHub and Azure DevOps API doubles (GitHub and Azure runtime bundles).
 */

const CONFIG = `environments:
  - { name: dev, on: { branch: main } }
  - { name: stage, on: { tag: "stage-deploy-*" } }
  - { name: prod, on: { tag: "prod-deploy-*" } }
`;

const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 1
  selector:
    matchLabels: { app: web }
  template:
    metadata:
      labels: { app: web }
    spec:
      containers:
        - name: web
          image: ghcr.io/example/web:1.0.0
`;
const SERVICE = `apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector: { app: web }
  ports:
    - port: 80
`;
const CONFIGMAP = `apiVersion: v1
kind: ConfigMap
metadata:
  name: web-settings
data:
  LOG_LEVEL: info
`;

const overlay = (env: string, replicas: number) =>
  `namespace: ${env}\nresources:\n  - ../../base\nreplicas:\n  - name: web\n    count: ${replicas}\n`;

function appFixture(): GitFixture {
  return gitFixture({
    'gitops-promote.yaml': CONFIG,
    'base/kustomization.yaml': 'resources:\n  - deployment.yaml\n  - service.yaml\n  - configmap.yaml\n',
    'base/deployment.yaml': DEPLOYMENT,
    'base/service.yaml': SERVICE,
    'base/configmap.yaml': CONFIGMAP,
    'overlays/dev/kustomization.yaml': overlay('dev', 1),
    'overlays/stage/kustomization.yaml': overlay('stage', 2),
    'overlays/prod/kustomization.yaml': overlay('prod', 3),
  });
}

/** Files of a branch of a bare repository. */
const filesOf = (repo: string, branch = 'main') =>
  git(repo, 'ls-tree', '-r', '--name-only', branch).split('\n').filter(Boolean);
const show = (repo: string, path: string, branch = 'main') => git(repo, 'show', `${branch}:${path}`);
const head = (repo: string, branch = 'main') => git(repo, 'rev-parse', branch);
const commitCount = (repo: string, branch = 'main') => Number(git(repo, 'rev-list', '--count', branch));

const RENDERED = [
  'configmap-{env}-web-settings.yaml',
  'deployment-{env}-web.yaml',
  'service-{env}-web.yaml',
  '.gitops-promote-rendered',
];
const renderedFiles = (folder: string, env: string) =>
  RENDERED.map((f) => `${folder}/${f.replace('{env}', env)}`).sort();

function expectOk(r: BundleRun): void {
  expect(r.code, `${r.failure ?? ''}\n${r.stderr}\n${r.stdout}`).toBe(0);
}

describe('plain Git from a terminal: another repository (path) as the manifest repository', () => {
  let app: GitFixture;
  let manifests: GitFixture;
  // The diff file is read after the run: in a temp folder of the user's (the run's own is removed at exit).
  const run = (inputs: Record<string, string>, env: Record<string, string> = {}) =>
    runTerminal('render-manifests', {
      cwd: app.work,
      inputs: { source: 'overlays/{env}', 'target-repository': manifests.remote, ...inputs },
      env: { GITOPS_PROMOTE_TEMP: tempDir('gp-keep-'), ...env },
    });

  beforeEach(() => {
    app = appFixture();
    manifests = gitFixture({ 'README.md': '# manifests\n' });
  });

  it('renders dev and prod: one file per object in each folder, one commit naming the source commit', async () => {
    const before = head(manifests.remote);
    const r = await run({ environment: 'dev\nprod' });
    expectOk(r);
    const sha = head(manifests.remote);
    expect(r.outputs).toEqual({
      changed: 'true',
      commit: sha,
      files: '6',
      'diff-file': expect.stringMatching(/render-manifests\.diff$/),
    });
    expect(git(manifests.remote, 'rev-parse', `${sha}^`)).toBe(before);
    expect(filesOf(manifests.remote)).toEqual(
      ['README.md', ...renderedFiles('dev', 'dev'), ...renderedFiles('prod', 'prod')].sort(),
    );
    expect(show(manifests.remote, 'prod/deployment-prod-web.yaml')).toContain('replicas: 3');
    expect(show(manifests.remote, 'dev/deployment-dev-web.yaml')).toContain('namespace: dev');
    const source = app.git('rev-parse', 'HEAD');
    const message = git(manifests.remote, 'log', '-1', '--format=%B', 'main');
    expect(message).toContain(`render-manifests: dev, prod from ${app.remote}@${source.slice(0, 12)}`);
    expect(message).toContain(`at commit ${source}`);
    expect(message).toContain('dev: kubectl kustomize overlays/dev → dev/ (3 objects)');
    const diff = readFileSync(r.outputs['diff-file']!, 'utf8');
    expect(diff).toContain('+++ b/prod/deployment-prod-web.yaml');
    expect(diff).toContain('+  replicas: 3');
    // The checkout is left as it was.
    expect(app.git('status', '--porcelain')).toBe('');
  });

  it('defaults to the environment of the run (a push to main: dev)', async () => {
    const r = await run({});
    expectOk(r);
    expect(filesOf(manifests.remote)).toEqual(['README.md', ...renderedFiles('dev', 'dev')].sort());
  });

  it('a second run with nothing changed makes no commit', async () => {
    expectOk(await run({ environment: 'dev\nprod' }));
    const sha = head(manifests.remote);
    const again = await run({ environment: 'dev\nprod' });
    expectOk(again);
    expect(again.outputs).toMatchObject({ changed: 'false', commit: '', files: '0' });
    expect(head(manifests.remote)).toBe(sha);
    expect(readFileSync(again.outputs['diff-file']!, 'utf8')).toBe('');
  });

  it('a resource removed from the base disappears; files the step did not write stay; hand edits are undone', async () => {
    expectOk(await run({ environment: 'dev\nprod' }));
    manifests.git('pull', '-q', 'origin', 'main');
    manifests.commit({
      'dev/README.md': 'notes by a person\n',
      'dev/deployment-dev-web.yaml': 'edited by hand\n',
    });
    manifests.git('push', '-q', 'origin', 'main');
    writeFileSync(
      join(app.work, 'base/kustomization.yaml'),
      'resources:\n  - deployment.yaml\n  - service.yaml\n',
    );
    app.commit({}, 'drop the config map');
    const r = await run({ environment: 'dev\nprod' });
    expectOk(r);
    expect(r.outputs).toMatchObject({ changed: 'true', files: '3' });
    expect(filesOf(manifests.remote)).toEqual(
      [
        'README.md',
        'dev/README.md',
        ...renderedFiles('dev', 'dev').filter((f) => !f.includes('configmap')),
        ...renderedFiles('prod', 'prod').filter((f) => !f.includes('configmap')),
      ].sort(),
    );
    expect(show(manifests.remote, 'dev/deployment-dev-web.yaml')).toContain('kind: Deployment');
    const diff = readFileSync(r.outputs['diff-file']!, 'utf8');
    expect(diff).toContain('deleted file mode 100644\n--- a/dev/configmap-dev-web-settings.yaml');
    expect(diff).toContain('-edited by hand');
  });

  it('three runs at once all land: a run whose push loses re-reads the branch and commits on top', async () => {
    expectOk(await run({ environment: 'dev' }));
    // A barrier in the remote's hook: no push lands before all three runs are pushing, so all three computed
    // their commit on the same head and two of them must lose the race and retry.
    const hook = join(manifests.remote, 'hooks', 'pre-receive');
    writeFileSync(
      hook,
      '#!/bin/sh\ncat >/dev/null\nmkdir -p barrier && touch "barrier/$$"\n' +
        'i=0; while [ "$(ls barrier | wc -l)" -lt 3 ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i+1)); done\n',
    );
    chmodSync(hook, 0o755);
    const before = commitCount(manifests.remote);
    writeFileSync(join(app.work, 'base/configmap.yaml'), CONFIGMAP.replace('info', 'debug'));
    app.commit({}, 'debug logs');
    const runs = await Promise.all(['dev', 'stage', 'prod'].map((environment) => run({ environment })));
    for (const r of runs) expectOk(r);
    expect(runs.map((r) => r.outputs.changed)).toEqual(['true', 'true', 'true']);
    expect(commitCount(manifests.remote)).toBe(before + 3);
    expect(filesOf(manifests.remote)).toEqual(
      [
        'README.md',
        ...renderedFiles('dev', 'dev'),
        ...renderedFiles('stage', 'stage'),
        ...renderedFiles('prod', 'prod'),
      ].sort(),
    );
    for (const env of ['dev', 'stage', 'prod'])
      expect(show(manifests.remote, `${env}/configmap-${env}-web-settings.yaml`)).toContain(
        'LOG_LEVEL: debug',
      );
    expect(
      runs.filter((r) => /moved to [0-9a-f]{12} while committing/.test(r.stderr)).length,
    ).toBeGreaterThanOrEqual(2);
  });

  it('a broken overlay fails with kustomize’s own error and leaves the manifest repository as it was', async () => {
    expectOk(await run({ environment: 'dev\nprod' }));
    const sha = head(manifests.remote);
    writeFileSync(join(app.work, 'base/configmap.yaml'), CONFIGMAP.replace('info', 'warn'));
    writeFileSync(
      join(app.work, 'overlays/prod/kustomization.yaml'),
      'namespace: prod\nresources:\n  - ../../base\n  - missing-patch.yaml\n',
    );
    app.commit({}, 'break prod');
    const r = await run({ environment: 'dev\nprod' });
    expect(r.code).toBe(1);
    expect(r.failure).toMatch(
      /^render-manifests: kubectl kustomize overlays\/prod failed for prod \(exit code 1\): /,
    );
    expect(r.failure).toContain('missing-patch.yaml');
    expect(head(manifests.remote)).toBe(sha);
  });

  it('verify pushes nothing and writes the diff', async () => {
    expectOk(await run({ environment: 'dev' }));
    const sha = head(manifests.remote);
    writeFileSync(join(app.work, 'overlays/dev/kustomization.yaml'), overlay('dev', 4));
    app.commit({}, 'scale dev');
    const r = await run({ environment: 'dev', mode: 'verify' });
    expectOk(r);
    expect(r.outputs).toMatchObject({ changed: 'true', commit: '', files: '1' });
    expect(readFileSync(r.outputs['diff-file']!, 'utf8')).toBe(
      [
        'diff --git a/dev/deployment-dev-web.yaml b/dev/deployment-dev-web.yaml',
        '--- a/dev/deployment-dev-web.yaml',
        '+++ b/dev/deployment-dev-web.yaml',
        '@@ -4,7 +4,7 @@',
        '   name: web',
        '   namespace: dev',
        ' spec:',
        '-  replicas: 1',
        '+  replicas: 4',
        '   selector:',
        '     matchLabels:',
        '       app: web',
        '',
      ].join('\n'),
    );
    expect(head(manifests.remote)).toBe(sha);
  });

  it('a new manifest repository: branch per environment, each branch created with its first commit', async () => {
    const root = tempDir('gp-empty-');
    const empty = join(root, 'manifests.git');
    git(root, 'init', '-q', '--bare', '-b', 'main', empty);
    const r = await runTerminal('render-manifests', {
      cwd: app.work,
      inputs: {
        environment: 'dev\nprod',
        source: 'overlays/{env}',
        'target-repository': empty,
        'target-branch': 'env/{env}',
        'target-path': '.',
      },
    });
    expectOk(r);
    const commits = r.outputs.commit!.split(' ');
    expect(commits).toEqual([head(empty, 'env/dev'), head(empty, 'env/prod')]);
    expect(filesOf(empty, 'env/prod')).toEqual(RENDERED.map((f) => f.replace('{env}', 'prod')).sort());
  });

  it('the same repository through the plain-Git provider, beside the sources', async () => {
    const r = await runTerminal('render-manifests', {
      cwd: app.work,
      inputs: { environment: 'dev\nprod', source: 'overlays/{env}', 'target-path': 'deploy/{env}' },
    });
    expectOk(r);
    expect(r.outputs.commit).toBe(head(app.remote));
    expect(filesOf(app.remote)).toEqual(
      expect.arrayContaining([
        ...renderedFiles('deploy/dev', 'dev'),
        ...renderedFiles('deploy/prod', 'prod'),
      ]),
    );
    expect(filesOf(app.remote)).toContain('overlays/dev/kustomization.yaml');
    const again = await runTerminal('render-manifests', {
      cwd: app.work,
      inputs: { environment: 'dev\nprod', source: 'overlays/{env}', 'target-path': 'deploy/{env}' },
    });
    expect(again.outputs).toMatchObject({ changed: 'false', commit: '' });
  });

  it('renderer command: arguments split without a shell, {env} filled in, a List unpacked', async () => {
    writeFileSync(
      join(app.work, 'render.mjs'),
      `const [env, literal] = process.argv.slice(2);
console.log(['apiVersion: v1', 'kind: List', 'items:',
  '- {apiVersion: v1, kind: Namespace, metadata: {name: ' + env + '}}',
  '- {apiVersion: v1, kind: ConfigMap, metadata: {name: args, namespace: ' + env + '}, data: {literal: ' + JSON.stringify(literal) + ', from: ' + process.env.GITOPS_PROMOTE_ENVIRONMENT + '}}',
].join('\\n'));
`,
    );
    app.commit({}, 'renderer');
    const r = await run({
      environment: 'dev',
      renderer: 'command',
      source: '',
      command: `node render.mjs {env} "$(touch pwned) it's"`,
    });
    expectOk(r);
    expect(filesOf(manifests.remote)).toEqual(
      [
        'README.md',
        'dev/.gitops-promote-rendered',
        'dev/configmap-dev-args.yaml',
        'dev/namespace-dev.yaml',
      ].sort(),
    );
    const cm = show(manifests.remote, 'dev/configmap-dev-args.yaml');
    expect(cm).toContain(`literal: "$(touch pwned) it's"`);
    expect(cm).toContain('from: dev');
    expect(() => readFileSync(join(app.work, 'pwned'))).toThrow();
  });

  it('helm: a clear error when helm is missing; helm template with the environment’s values when present', async () => {
    mkdirSync(join(app.work, 'charts/web'), { recursive: true });
    writeFileSync(join(app.work, 'charts/web/Chart.yaml'), 'apiVersion: v2\nname: web\nversion: 0.1.0\n');
    writeFileSync(join(app.work, 'charts/web/values-prod.yaml'), 'replicas: 3\n');
    const bin = tempDir('gp-bin-');
    // Nothing on PATH but an empty directory: no helm anywhere (the bundle itself runs by its full path).
    const missing = await run({ environment: 'prod', renderer: 'helm', source: 'charts/web' }, { PATH: bin });
    expect(missing.code).toBe(1);
    expect(missing.failure).toBe(
      'render-manifests: helm was not found on PATH: install it before this step (GitHub: azure/setup-helm; Azure DevOps: the HelmInstaller task), or render with renderer: command',
    );
    // A stand-in helm that prints its arguments as a ConfigMap.
    writeFileSync(
      join(bin, 'helm'),
      `#!/bin/sh\nprintf 'apiVersion: v1\\nkind: ConfigMap\\nmetadata:\\n  name: helm-args\\ndata:\\n  args: "%s"\\n' "$*"\n`,
    );
    chmodSync(join(bin, 'helm'), 0o755);
    const r = await run(
      { environment: 'prod', renderer: 'helm', source: 'charts/web' },
      { PATH: `${bin}:${process.env.PATH}` },
    );
    expectOk(r);
    expect(show(manifests.remote, 'prod/configmap-helm-args.yaml')).toContain(
      'args: "template web charts/web --include-crds --values charts/web/values-prod.yaml"',
    );
    rmSync(bin, { recursive: true, force: true });
  });

  it.each([
    [{ renderer: 'jsonnet' }, 'input renderer: "jsonnet" is not valid; use one of kustomize, helm, command'],
    [{ mode: 'dry-run' }, 'input mode: "dry-run" is not valid; use one of publish, verify'],
    [
      { environment: 'qa' },
      'input environment: "qa" is not valid; gitops-promote.yaml defines dev, stage, prod',
    ],
    [{ source: '' }, 'input source: "" is not valid; renderer: kustomize needs the kustomization directory'],
    [
      { source: 'overlays/{environment}' },
      'input source: "overlays/{environment}" is not valid; {environment} is no placeholder',
    ],
    [{ source: 'nope/{env}' }, 'input source: "nope/{env}" is not valid; nope/dev is not a directory under'],
    [{ source: 'base/..' }, 'has no kustomization.yaml'],
    [
      { command: 'kustomize build' },
      'input command: "kustomize build" is not valid; command is for renderer: command',
    ],
    [{ renderer: 'command' }, 'input command: "" is not valid; renderer: command needs the command line'],
    [
      { renderer: 'command', command: 'render "{env}' },
      'input command: "render \\"{env}" is not valid; close the " quote',
    ],
    [
      { 'target-path': '../{env}' },
      'input target-path: "../{env}" is not valid; give a folder inside the repository',
    ],
    [
      { 'target-path': 'all', environment: 'dev\nprod' },
      'dev and prod would both be written to all/ on main',
    ],
    [
      { 'target-branch': 'env..{env}' },
      'input target-branch: "env..{env}" is not valid; env..dev: it contains ".."',
    ],
    [{ provider: 'gitlab' }, 'input provider: "gitlab" is not valid; use one of auto, github, azure, git'],
    [
      { 'target-repository': 'octo/manifests' },
      'input target-repository: "octo/manifests" is not valid; no such directory',
    ],
  ])('bad input %o: one message naming it, nothing rendered or pushed', async (inputs, message) => {
    const sha = head(manifests.remote);
    const r = await run({ environment: 'dev', ...inputs });
    expect(r.code).toBe(1);
    expect(r.failure).toContain(message);
    expect(r.stderr).not.toContain('kustomize overlays');
    expect(head(manifests.remote)).toBe(sha);
  });
});

describe('GitHub Actions through the API double: the same repository', () => {
  let app: GitFixture;
  let api: GitHubApiDouble;
  beforeEach(async () => {
    app = appFixture();
    api = await startGitHubDouble(app.remote);
  });
  afterEach(async () => {
    await api.close();
  });

  const run = (inputs: Record<string, string>, o: { event?: string; ref?: string; payload?: unknown } = {}) =>
    runGitHub('render-manifests', {
      cwd: app.work,
      sha: app.git('rev-parse', 'HEAD'),
      ...o,
      env: { ...api.env() },
      inputs: { source: 'overlays/{env}', 'target-path': 'deploy/{env}', token: api.token, ...inputs },
    });

  it('a push to main renders dev through the API; a second run makes no commit; a removed resource goes', async () => {
    const r = await run({});
    expectOk(r);
    const sha = head(app.remote);
    expect(r.outputs).toMatchObject({ changed: 'true', commit: sha, files: '3' });
    expect(filesOf(app.remote)).toEqual(expect.arrayContaining(renderedFiles('deploy/dev', 'dev')));
    expect(git(app.remote, 'log', '-1', '--format=%s', 'main')).toBe(
      `render-manifests: dev from ${api.repository}@${app.git('rev-parse', 'HEAD').slice(0, 12)}`,
    );
    expect(r.summary).toContain('| dev | `kubectl kustomize overlays/dev` |');
    expect(r.summary).toContain('+  replicas: 1');

    const again = await run({});
    expectOk(again);
    expect(again.outputs).toMatchObject({ changed: 'false', commit: '', files: '0' });
    expect(head(app.remote)).toBe(sha);

    app.git('pull', '-q', 'origin', 'main');
    writeFileSync(
      join(app.work, 'base/kustomization.yaml'),
      'resources:\n  - deployment.yaml\n  - configmap.yaml\n',
    );
    app.commit({}, 'no service');
    app.git('push', '-q', 'origin', 'main');
    const third = await run({});
    expectOk(third);
    expect(third.outputs).toMatchObject({ changed: 'true', files: '1' });
    expect(filesOf(app.remote)).not.toContain('deploy/dev/service-dev-web.yaml');
    expect(filesOf(app.remote)).toContain('deploy/dev/deployment-dev-web.yaml');
  });

  it('two runs at once both land: the one whose ref update is refused retries on the new head', async () => {
    const start = commitCount(app.remote);
    // The first ref update waits, so the other run moves main under it and its own update is not a fast forward.
    api.failNext({ method: 'PATCH', path: '/git/refs/heads/main', delayMs: 5000 });
    const runs = await Promise.all([run({ environment: 'dev' }), run({ environment: 'prod' })]);
    for (const r of runs) expectOk(r);
    expect(commitCount(app.remote)).toBe(start + 2);
    expect(filesOf(app.remote)).toEqual(
      expect.arrayContaining([
        ...renderedFiles('deploy/dev', 'dev'),
        ...renderedFiles('deploy/prod', 'prod'),
      ]),
    );
    expect(runs.some((r) => /main in octo-org\/octo-repo moved to [0-9a-f]{12}/.test(r.stdout))).toBe(true);
  });

  it('no token, or a target branch that does not exist: a clear failure and nothing written', async () => {
    const noToken = await runGitHub('render-manifests', {
      cwd: app.work,
      env: api.env(),
      inputs: { source: 'overlays/{env}' },
    });
    expect(noToken.code).toBe(1);
    expect(noToken.failure).toContain(
      'render-manifests: input token: "" is not valid; the github provider needs a token',
    );
    expect(noToken.stdout).not.toContain('kustomize');
    const missing = await run({ 'target-branch': 'manifests' });
    expect(missing.code).toBe(1);
    expect(missing.failure).toBe(
      'render-manifests: branch manifests does not exist in octo-org/octo-repo; create it first, or give target-branch an existing branch (only a target-repository given as a Git path or URL gets missing branches created)',
    );
    expect(api.requests.filter((q) => q.method !== 'GET')).toEqual([]);
  });

  it('a broken overlay fails with the renderer’s error and calls no write API', async () => {
    writeFileSync(join(app.work, 'overlays/dev/kustomization.yaml'), 'resources:\n  - ../../nowhere\n');
    const r = await run({});
    expect(r.code).toBe(1);
    expect(r.failure).toMatch(
      /^render-manifests: kubectl kustomize overlays\/dev failed for dev \(exit code 1\): .*nowhere/,
    );
    expect(api.requests.filter((q) => q.method !== 'GET')).toEqual([]);
  });

  it('verify on a pull request: the diff as one sticky comment and in the summary, nothing pushed', async () => {
    expectOk(await run({ environment: 'dev' }));
    const sha = head(app.remote);
    app.git('pull', '-q', 'origin', 'main');
    app.git('checkout', '-q', '-b', 'feature/scale');
    writeFileSync(join(app.work, 'overlays/dev/kustomization.yaml'), overlay('dev', 5));
    const feature = app.commit({}, 'scale dev');
    app.git('push', '-q', 'origin', 'feature/scale');
    const pr = await githubProviderOn(api, { writeIntervalMs: 0, log: () => {}, env: {} }).createPullRequest({
      head: 'feature/scale',
      base: 'main',
      title: 'Scale dev',
      body: '',
    });
    const event = {
      event: 'pull_request',
      ref: `refs/pull/${pr.number}/merge`,
      payload: {
        pull_request: {
          number: pr.number,
          base: { ref: 'main' },
          head: { ref: 'feature/scale', sha: feature },
        },
      },
    };
    const r = await run({}, event);
    expectOk(r);
    expect(r.outputs).toMatchObject({ changed: 'true', commit: '', files: '1' });
    expect(head(app.remote)).toBe(sha);
    const comments = api.comments(pr.number);
    expect(comments).toHaveLength(1);
    const body = String(comments[0]!.body);
    expect(body).toContain('<!-- gitops-promote:render-manifests:dev -->');
    expect(body).toContain('**1 file: 1 changed**');
    expect(body).toContain('-  replicas: 1\n+  replicas: 5');
    expect(r.summary).toContain('render-manifests (verify)');
    expect(r.summary).toContain('+  replicas: 5');

    writeFileSync(join(app.work, 'overlays/dev/kustomization.yaml'), overlay('dev', 1));
    app.commit({}, 'back to one');
    const again = await run({}, event);
    expectOk(again);
    expect(again.outputs).toMatchObject({ changed: 'false', files: '0' });
    const updated = api.comments(pr.number);
    expect(updated).toHaveLength(1);
    expect(String(updated[0]!.body)).toContain('No change');
  });
});

describe('Azure Pipelines through the API double', () => {
  let app: GitFixture;
  let api: AzureDevOpsApi;
  beforeEach(async () => {
    app = appFixture();
    api = await startAzureApi({ repo: app.remote });
  });
  afterEach(async () => {
    await api.close();
  });

  const run = (
    inputs: Record<string, string>,
    o: Parameters<typeof runAzure>[1] extends infer T ? Partial<T> : never = {},
  ) =>
    runAzure('render-manifests', {
      cwd: app.work,
      sha: app.git('rev-parse', 'HEAD'),
      ...o,
      env: { ...api.env() },
      inputs: { source: 'overlays/{env}', 'target-path': 'deploy/{env}', ...inputs },
    });

  it('publishes through the pushes API, then verify on a pull request posts the diff as one thread', async () => {
    const published = await run({ environment: 'dev' });
    expectOk(published);
    expect(published.outputs).toMatchObject({ changed: 'true', commit: head(app.remote), files: '3' });
    const sha = head(app.remote);

    app.git('pull', '-q', 'origin', 'main');
    app.git('checkout', '-q', '-b', 'feature/scale');
    writeFileSync(join(app.work, 'overlays/dev/kustomization.yaml'), overlay('dev', 2));
    const feature = app.commit({}, 'scale dev');
    app.git('push', '-q', 'origin', 'feature/scale');
    const pr = await azureProviderOn(api).createPullRequest({
      head: 'feature/scale',
      base: 'main',
      title: 'Scale dev',
      body: 'b',
    });
    const event = {
      reason: 'PullRequest',
      sourceBranch: `refs/pull/${pr.number}/merge`,
      pullRequest: {
        target: 'refs/heads/main',
        source: 'refs/heads/feature/scale',
        id: pr.number,
        sourceCommit: feature,
      },
    };
    const r = await run({}, event);
    expectOk(r);
    expect(r.outputs).toMatchObject({ changed: 'true', commit: '', files: '1' });
    expect(head(app.remote)).toBe(sha);
    const threads = api
      .threads(pr.number)
      .filter((t) => JSON.stringify(t).includes('gitops-promote:render-manifests:dev'));
    expect(threads).toHaveLength(1);
    expect(JSON.stringify(threads[0])).toContain('+  replicas: 2');
    expect(r.summary).toContain('+  replicas: 2');

    expectOk(await run({}, event));
    expect(
      api.threads(pr.number).filter((t) => JSON.stringify(t).includes('gitops-promote:render-manifests:dev')),
    ).toHaveLength(1);
  });
});

/**
 * A Git smart-HTTP server (`git http-backend` behind Node's http) that only lets in requests with the
 * given Authorization header, as GitHub and Azure DevOps take a token over HTTPS.
 */
async function startGitHttp(root: string, authorization: string) {
  const seen: string[] = [];
  const server: Server = createServer((req, res) => {
    seen.push(String(req.headers.authorization ?? ''));
    if (req.headers.authorization !== authorization) {
      res.writeHead(401, { 'www-authenticate': 'Basic realm="git"' }).end();
      return;
    }
    const url = new URL(req.url ?? '/', 'http://localhost');
    const cgi = spawn('git', ['http-backend'], {
      env: {
        PATH: process.env.PATH,
        GIT_PROJECT_ROOT: root,
        GIT_HTTP_EXPORT_ALL: '1',
        PATH_INFO: decodeURIComponent(url.pathname),
        QUERY_STRING: url.search.slice(1),
        REQUEST_METHOD: req.method ?? 'GET',
        CONTENT_TYPE: String(req.headers['content-type'] ?? ''),
        HTTP_CONTENT_ENCODING: String(req.headers['content-encoding'] ?? ''),
        GIT_PROTOCOL: String(req.headers['git-protocol'] ?? ''),
        REMOTE_USER: 'token',
        REMOTE_ADDR: '127.0.0.1',
      },
    });
    req.pipe(cgi.stdin);
    const out: Buffer[] = [];
    cgi.stdout.on('data', (c: Buffer) => out.push(c));
    cgi.on('close', () => {
      const all = Buffer.concat(out);
      const end = all.indexOf('\r\n\r\n');
      const headers: Record<string, string> = {};
      let status = 200;
      for (const line of all.subarray(0, end).toString('utf8').split('\r\n')) {
        const i = line.indexOf(':');
        const [k, v] = [line.slice(0, i).trim(), line.slice(i + 1).trim()];
        if (k.toLowerCase() === 'status') status = Number.parseInt(v, 10);
        else headers[k] = v;
      }
      res.writeHead(status, headers).end(all.subarray(end + 4));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, seen, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

describe('another repository on the same host, by name, over Git with the token', () => {
  it('GitHub: owner/name is cloned and pushed over HTTPS with the token as x-access-token', async () => {
    const app = appFixture();
    const root = tempDir('gp-http-');
    const repo = join(root, 'octo-org', 'manifests.git');
    mkdirSync(join(root, 'octo-org'));
    git(root, 'init', '-q', '--bare', '-b', 'main', repo);
    const token = 'ghs_render0manifests0token0value00000';
    const http = await startGitHttp(
      root,
      `basic ${Buffer.from(`x-access-token:${token}`).toString('base64')}`,
    );
    try {
      const r = await runGitHub('render-manifests', {
        cwd: app.work,
        sha: app.git('rev-parse', 'HEAD'),
        env: { GITHUB_REPOSITORY: 'octo-org/app', GITHUB_SERVER_URL: http.url },
        inputs: {
          environment: 'dev\nprod',
          source: 'overlays/{env}',
          'target-repository': 'octo-org/manifests',
          token,
        },
      });
      expectOk(r);
      expect(r.outputs.commit).toBe(head(repo));
      expect(filesOf(repo)).toEqual(
        [...renderedFiles('dev', 'dev'), ...renderedFiles('prod', 'prod')].sort(),
      );
      expect(git(repo, 'log', '-1', '--format=%s', 'main')).toMatch(
        /^render-manifests: dev, prod from octo-org\/app@/,
      );
      expect(http.seen.length).toBeGreaterThan(0);
      // The runner hides it from the log once told (::add-mask::); nothing else may print it.
      expect(`${r.stdout}${r.stderr}${r.summary}`.replace(/^::add-mask::.*$/gm, '')).not.toContain(token);
      const again = await runGitHub('render-manifests', {
        cwd: app.work,
        env: { GITHUB_REPOSITORY: 'octo-org/app', GITHUB_SERVER_URL: http.url },
        inputs: {
          environment: 'dev\nprod',
          source: 'overlays/{env}',
          'target-repository': 'octo-org/manifests',
          token,
        },
      });
      expect(again.outputs).toMatchObject({ changed: 'false', commit: '' });
    } finally {
      await http.close();
    }
  });

  it('GitHub: the token goes to a Git URL on the GitHub server, never to another host', async () => {
    const app = appFixture();
    const token = 'ghs_render0token0stays0home000000000';
    const auth = `basic ${Buffer.from(`x-access-token:${token}`).toString('base64')}`;
    const serverRoot = tempDir('gp-http-');
    const otherRoot = tempDir('gp-http-');
    for (const root of [serverRoot, otherRoot]) {
      mkdirSync(join(root, 'octo-org'));
      git(root, 'init', '-q', '--bare', '-b', 'main', join(root, 'octo-org', 'manifests.git'));
    }
    const server = await startGitHttp(serverRoot, auth);
    // Another host that would take the token if it were sent: it must never see it.
    const other = await startGitHttp(otherRoot, auth);
    const run = (url: string) =>
      runGitHub('render-manifests', {
        cwd: app.work,
        sha: app.git('rev-parse', 'HEAD'),
        env: { GITHUB_REPOSITORY: 'octo-org/app', GITHUB_SERVER_URL: server.url },
        inputs: { environment: 'prod', source: 'overlays/{env}', 'target-repository': url, token },
      });
    try {
      const home = await run(`${server.url}/octo-org/manifests.git`);
      expectOk(home);
      expect(filesOf(join(serverRoot, 'octo-org', 'manifests.git'))).toEqual(renderedFiles('prod', 'prod'));

      const away = await run(`${other.url}/octo-org/manifests.git`);
      expect(away.code).toBe(1);
      expect(away.failure).toContain(
        'the token input is sent only to the hosting service this run belongs to (its server URL or collection), never to another host',
      );
      expect(other.seen.length).toBeGreaterThan(0);
      expect(other.seen.filter((h) => h !== '')).toEqual([]);
      expect(git(join(otherRoot, 'octo-org', 'manifests.git'), 'for-each-ref')).toBe('');
    } finally {
      await server.close();
      await other.close();
    }
  });

  it('Azure DevOps: a repository of the project by name, with the token as a bearer token; a wrong token fails clearly', async () => {
    const app = appFixture();
    const root = tempDir('gp-http-');
    const repo = join(root, 'fabrikam', 'Fabrikam Fiber', '_git', 'manifests');
    mkdirSync(join(root, 'fabrikam', 'Fabrikam Fiber', '_git'), { recursive: true });
    git(root, 'init', '-q', '--bare', '-b', 'main', repo);
    const http = await startGitHttp(root, 'bearer azure-system-access-token');
    const azureEnv = {
      SYSTEM_COLLECTIONURI: `${http.url}/fabrikam/`,
      SYSTEM_TEAMPROJECT: 'Fabrikam Fiber',
      BUILD_REPOSITORY_NAME: 'app',
    };
    try {
      const r = await runAzure('render-manifests', {
        cwd: app.work,
        env: azureEnv,
        inputs: {
          environment: 'prod',
          source: 'overlays/{env}',
          'target-repository': 'manifests',
          token: 'azure-system-access-token',
        },
      });
      expectOk(r);
      expect(filesOf(repo)).toEqual(renderedFiles('prod', 'prod'));
      const wrong = await runAzure('render-manifests', {
        cwd: app.work,
        env: azureEnv,
        inputs: {
          environment: 'dev',
          source: 'overlays/{env}',
          'target-repository': 'manifests',
          token: 'expired',
        },
      });
      expect(wrong.result).toBe('Failed');
      expect(wrong.failure).toMatch(/^render-manifests: git fetch manifests main failed: fatal: /);
      expect(wrong.failure).toContain(
        'manifests refused the token: it must be allowed to read and push there',
      );
      expect(filesOf(repo)).toEqual(renderedFiles('prod', 'prod'));
    } finally {
      await http.close();
    }
  });
});
