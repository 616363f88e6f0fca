// The one-step recipes beside the infrastructure one, run as their platforms run them (test/support/
// recipes.ts): the image-promotion and rendering composite actions (GitHub) with each event, their `run:`
// steps executed by bash and the built bundles against the GitHub API double; the Azure step templates
// with each build reason, conditions evaluated and each task's bundle run against the Azure DevOps double.
// Not executed here: GitHub's and Azure's own expression engines (the runners above implement the
// operators the recipes use), the `resources.repositories` checkout of a template.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { type AzureDevOpsApi, startAzureApi } from './doubles/azure-api';
import { type GitHubApiDouble, startGitHubDouble } from './doubles/github-api';
import { ROOT } from './support/bundle';
import { type GitFixture, git, gitFixture, tempDir } from './support/git';
import { githubProviderOn } from './support/hosts';
import { azureCondition, runComposite, runTemplate } from './support/recipes';

const XKS =
  'prflow: per-app\nenvironments:\n  - name: dev\n    auto: true\n  - name: qa\n    auto: true\n  - name: prod\n    auto: false\n';
const deployment = (tag: string) =>
  `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: podinfo\n  namespace: apps\nspec:\n  template:\n    spec:\n      containers:\n        - name: podinfo\n          image: ghcr.io/org/podinfo:${tag} # {"$imagepolicy": "apps:podinfo"}\n`;

function xksRepo(): GitFixture {
  const files: Record<string, string> = { 'gitops-promotion.yaml': XKS };
  for (const env of ['dev', 'qa', 'prod']) files[`apps/${env}/podinfo.yaml`] = deployment('1.0.0');
  return gitFixture(files);
}

/** What a CI checkout of main gives; returns its commit. */
function checkoutMain(fx: GitFixture): string {
  fx.git('fetch', '-q', 'origin');
  fx.git('checkout', '-q', 'main');
  fx.git('reset', '-q', '--hard', 'origin/main');
  return fx.git('rev-parse', 'HEAD');
}

const show = (fx: GitFixture, ref: string, path: string) => git(fx.remote, 'show', `${ref}:${path}`);
const writes = (requests: { method: string }[]) => requests.filter((r) => r.method !== 'GET');

let closing: (() => Promise<void>) | undefined;
afterEach(async () => {
  await closing?.();
  closing = undefined;
});

// ---------------------------------------------------------------------------------------------------------

/** A GitHub event as the runner gives it to every step of the job. */
function githubEvent(
  fx: GitFixture,
  api: GitHubApiDouble,
  event: string,
  ref: string,
  sha: string,
  payload: unknown = {},
) {
  const dir = tempDir('gp-event-');
  writeFileSync(join(dir, 'event.json'), JSON.stringify(payload));
  return {
    cwd: fx.work,
    github: { event_name: event, ref, token: api.token },
    env: {
      ...api.env(),
      GITHUB_EVENT_NAME: event,
      GITHUB_EVENT_PATH: join(dir, 'event.json'),
      GITHUB_REF: ref,
      GITHUB_SHA: sha,
      GITHUB_WORKSPACE: fx.work,
      RUNNER_TEMP: dir,
    },
  };
}

function pullRequestEvent(fx: GitFixture, api: GitHubApiDouble, number: number) {
  const pr = api.pullRequest(number)!;
  const head = pr.head as { ref: string; sha: string };
  const base = pr.base as { ref: string };
  return githubEvent(fx, api, 'pull_request', `refs/pull/${number}/merge`, head.sha, {
    number,
    pull_request: { number, base: { ref: base.ref }, head },
  });
}

describe('recipes/image-promotion (GitHub composite action)', () => {
  const ACTION = 'recipes/image-promotion/action.yml';

  it('new image → the dev pull request; its check → the gate; the merge push → the qa pull request, gated on Flux', async () => {
    const fx = xksRepo();
    const api = await startGitHubDouble(fx.remote);
    closing = () => api.close();
    const gateInputs = { timeout: '1s', interval: '1s' };

    // A new image (workflow_dispatch with image-tag): new.
    const m0 = checkoutMain(fx);
    const created = await runComposite(ACTION, {
      ...githubEvent(fx, api, 'workflow_dispatch', 'refs/heads/main', m0),
      inputs: { 'image-tag': 'a8b91c33', group: 'apps', app: 'podinfo' },
    });
    expect(created.code, created.log).toBe(0);
    expect(created.ran).toEqual(['decide', 'new']);
    expect(created.outputs).toMatchObject({
      operation: 'new',
      environment: 'dev',
      tag: 'a8b91c33',
      'pull-request-number': '1',
      state: '',
    });
    expect(show(fx, 'promote/apps-podinfo', 'apps/dev/podinfo.yaml')).toBe(deployment('a8b91c33').trimEnd());

    // Its pull request's check: the gate (dev is first: nothing to wait for).
    const gate1 = await runComposite(ACTION, { ...pullRequestEvent(fx, api, 1), inputs: gateInputs });
    expect(gate1.code, gate1.log).toBe(0);
    expect(gate1.ran).toEqual(['decide', 'gate']);
    expect(gate1.outputs).toMatchObject({ operation: 'gate', state: 'success', 'pull-request-number': '' });

    // The merge's push to main: promote opens qa's pull request.
    const merged = await api.mergePullRequest(1);
    checkoutMain(fx);
    const promoted = await runComposite(ACTION, {
      ...githubEvent(fx, api, 'push', 'refs/heads/main', merged),
      inputs: {},
    });
    expect(promoted.code, promoted.log).toBe(0);
    expect(promoted.ran).toEqual(['decide', 'promote']);
    expect(promoted.outputs).toMatchObject({
      operation: 'promote',
      environment: 'qa',
      tag: 'a8b91c33',
      'pull-request-number': '2',
    });

    // qa's check waits for Flux in dev: missing fails it; Flux's success passes it.
    const waiting = await runComposite(ACTION, { ...pullRequestEvent(fx, api, 2), inputs: gateInputs });
    expect(waiting.code).not.toBe(0);
    expect(waiting.ran).toEqual(['decide', 'gate']);
    expect(waiting.log).toMatch(
      /::error::check-previous-env: pull request #2 .* to qa: dev has no result for commit/,
    );
    api.addStatus(merged, {
      context: 'kustomization/apps-dev/1a2b3c4d',
      state: 'success',
      description: 'applied',
    });
    const passed = await runComposite(ACTION, { ...pullRequestEvent(fx, api, 2), inputs: gateInputs });
    expect(passed.code, passed.log).toBe(0);
    expect(passed.outputs).toMatchObject({ operation: 'gate', state: 'success' });
  });

  it('any other event does nothing, and says why: no step runs, no request is made', async () => {
    const fx = xksRepo();
    const api = await startGitHubDouble(fx.remote);
    closing = () => api.close();
    const sha = checkoutMain(fx);
    for (const event of ['schedule', 'workflow_dispatch', 'release']) {
      const r = await runComposite(ACTION, {
        ...githubEvent(fx, api, event, 'refs/heads/main', sha),
        inputs: {},
      });
      expect(r.code, r.log).toBe(0);
      expect(r.ran).toEqual(['decide']);
      expect(r.outputs.operation).toBe('none');
      expect(r.log).toContain(`nothing to do on a ${event} event without image-tag`);
    }
    expect(api.requests).toEqual([]);
  });

  it('an event name is data: it never runs as a command', async () => {
    const fx = xksRepo();
    const api = await startGitHubDouble(fx.remote);
    closing = () => api.close();
    const sha = checkoutMain(fx);
    const event = '$(touch pwned)`touch pwned`';
    const r = await runComposite(ACTION, {
      ...githubEvent(fx, api, event, 'refs/heads/main', sha),
      inputs: {},
    });
    expect(r.code, r.log).toBe(0);
    expect(r.outputs.operation).toBe('none');
    expect(fx.git('status', '--porcelain')).toBe('');
  });
});

// ---------------------------------------------------------------------------------------------------------

const RENDER_CONFIG =
  'environments:\n  - { name: dev, on: { branch: main } }\n  - { name: prod, on: { tag: "prod-deploy-*" } }\n';
const overlay = (replicas: number) =>
  `namespace: dev\nresources:\n  - ../../base\nreplicas:\n  - name: web\n    count: ${replicas}\n`;
const DEPLOYMENT =
  'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 1\n  selector:\n    matchLabels: { app: web }\n  template:\n    metadata:\n      labels: { app: web }\n    spec:\n      containers:\n        - name: web\n          image: ghcr.io/example/web:1.0.0\n';

describe('recipes/rendering (GitHub composite action)', () => {
  const ACTION = 'recipes/rendering/action.yml';

  it('a push publishes to the manifest repository; a pull request posts the diff and pushes nothing', async () => {
    const app = gitFixture({
      'gitops-promote.yaml': RENDER_CONFIG,
      'base/kustomization.yaml': 'resources:\n  - deployment.yaml\n',
      'base/deployment.yaml': DEPLOYMENT,
      'overlays/dev/kustomization.yaml': overlay(1),
    });
    const manifests = gitFixture({ 'README.md': '# manifests\n' });
    const api = await startGitHubDouble(app.remote);
    closing = () => api.close();
    const inputs = { source: 'overlays/{env}', 'target-repository': manifests.remote };

    const published = await runComposite(ACTION, {
      ...githubEvent(app, api, 'push', 'refs/heads/main', app.git('rev-parse', 'HEAD')),
      inputs,
    });
    expect(published.code, published.log).toBe(0);
    expect(published.ran).toEqual(['decide', 'render']);
    const commit = git(manifests.remote, 'rev-parse', 'main');
    expect(published.outputs).toMatchObject({ mode: 'publish', changed: 'true', commit });
    expect(git(manifests.remote, 'show', 'main:dev/deployment-dev-web.yaml')).toContain('replicas: 1');

    app.git('checkout', '-q', '-b', 'feature/scale');
    writeFileSync(join(app.work, 'overlays/dev/kustomization.yaml'), overlay(5));
    const feature = app.commit({}, 'scale dev');
    app.git('push', '-q', 'origin', 'feature/scale');
    const pr = await githubProviderOn(api, { writeIntervalMs: 0, log: () => {}, env: {} }).createPullRequest({
      head: 'feature/scale',
      base: 'main',
      title: 'Scale dev',
      body: '',
    });
    const verified = await runComposite(ACTION, {
      ...githubEvent(app, api, 'pull_request', `refs/pull/${pr.number}/merge`, feature, {
        number: pr.number,
        pull_request: {
          number: pr.number,
          base: { ref: 'main' },
          head: { ref: 'feature/scale', sha: feature },
        },
      }),
      inputs,
    });
    expect(verified.code, verified.log).toBe(0);
    expect(verified.outputs).toMatchObject({ mode: 'verify', changed: 'true', commit: '', files: '1' });
    expect(git(manifests.remote, 'rev-parse', 'main')).toBe(commit);
    expect(String(api.comments(pr.number)[0]?.body)).toContain('+  replicas: 5');

    const nothing = await runComposite(ACTION, {
      ...githubEvent(app, api, 'schedule', 'refs/heads/main', feature),
      inputs,
    });
    expect(nothing.ran).toEqual(['decide']);
    expect(nothing.outputs).toMatchObject({ mode: 'none', changed: '' });
    expect(git(manifests.remote, 'rev-parse', 'main')).toBe(commit);
  });
});

// ---------------------------------------------------------------------------------------------------------

describe('templates/image-promotion.yml (Azure Pipelines step template)', () => {
  const TEMPLATE = 'templates/image-promotion.yml';
  let api: AzureDevOpsApi;
  const prOf = (n: number) => api.pullRequests().find((p) => p.pullRequestId === n)!;

  it('a manual run with imageTag → new; the pull request build → the gate; the CI build of the merge → promote', async () => {
    const fx = xksRepo();
    api = await startAzureApi({ repo: fx.remote });
    closing = () => api.close();
    const azure = (reason: string, sha: string, extra: Record<string, unknown> = {}) => ({
      cwd: fx.work,
      reason,
      sourceBranch: 'refs/heads/main',
      sha,
      env: { ...api.env() },
      ...extra,
    });
    const parameters = { group: 'apps', app: 'podinfo', timeout: '1s' };

    const m0 = checkoutMain(fx);
    const created = await runTemplate(TEMPLATE, {
      parameters: { ...parameters, imageTag: 'a8b91c33' },
      azure: azure('Manual', m0),
    });
    expect(created.ran.map((r) => r.displayName)).toEqual([
      'Image promotion: apps/podinfo a8b91c33 enters the first environment',
    ]);
    expect(created.failed, created.ran[0]?.run.stdout).toBe(false);
    expect(created.ran[0]!.run.outputs).toMatchObject({
      environment: 'dev',
      tag: 'a8b91c33',
      'pull-request-number': '1',
    });
    expect(created.ran[0]!.run.summaries?.map((s) => s.name)).toEqual(['promote-tag · dev.md']);

    const pr = prOf(1);
    const head = git(fx.remote, 'rev-parse', String(pr.sourceRefName));
    const gate = await runTemplate(TEMPLATE, {
      parameters,
      azure: azure('PullRequest', head, {
        sourceBranch: 'refs/pull/1/merge',
        pullRequest: {
          id: 1,
          target: String(pr.targetRefName),
          source: String(pr.sourceRefName),
          sourceCommit: head,
        },
      }),
    });
    expect(gate.ran.map((r) => r.displayName)).toEqual(['Image promotion: gate on the previous environment']);
    expect(gate.failed).toBe(false);
    expect(gate.ran[0]!.run.outputs.state).toBe('success');

    const merged = await api.completePullRequest(1);
    checkoutMain(fx);
    const promoted = await runTemplate(TEMPLATE, { parameters, azure: azure('IndividualCI', merged) });
    expect(promoted.ran.map((r) => r.displayName)).toEqual(['Image promotion: on to the next environment']);
    expect(promoted.failed, promoted.ran[0]?.run.stdout).toBe(false);
    expect(promoted.ran[0]!.run.outputs).toMatchObject({ environment: 'qa', 'pull-request-number': '2' });
  });

  it('a scheduled build runs none of its steps and writes nothing', async () => {
    const fx = xksRepo();
    api = await startAzureApi({ repo: fx.remote });
    closing = () => api.close();
    const sha = checkoutMain(fx);
    const r = await runTemplate(TEMPLATE, {
      parameters: { group: 'apps', app: 'podinfo' },
      azure: { cwd: fx.work, reason: 'Schedule', sha, env: { ...api.env() } },
    });
    expect(r.ran).toEqual([]);
    expect(writes(api.requests)).toEqual([]);
  });
});

describe('templates/rendering.yml (Azure Pipelines step template)', () => {
  it('the CI build publishes, a scheduled build does nothing', async () => {
    const app = gitFixture({
      'gitops-promote.yaml': RENDER_CONFIG,
      'base/kustomization.yaml': 'resources:\n  - deployment.yaml\n',
      'base/deployment.yaml': DEPLOYMENT,
      'overlays/dev/kustomization.yaml': overlay(1),
    });
    const manifests = gitFixture({ 'README.md': '# manifests\n' });
    const api = await startAzureApi({ repo: app.remote });
    closing = () => api.close();
    const parameters = { source: 'overlays/{env}', targetRepository: manifests.remote };
    const azure = (reason: string) => ({
      cwd: app.work,
      reason,
      sha: app.git('rev-parse', 'HEAD'),
      env: { ...api.env() },
    });

    const ci = await runTemplate('templates/rendering.yml', { parameters, azure: azure('IndividualCI') });
    expect(ci.ran.map((r) => r.displayName)).toEqual(['Rendering: publish what changed']);
    expect(ci.failed, ci.ran[0]?.run.stdout).toBe(false);
    const commit = git(manifests.remote, 'rev-parse', 'main');
    expect(ci.ran[0]!.run.outputs).toMatchObject({ changed: 'true', commit });

    const scheduled = await runTemplate('templates/rendering.yml', { parameters, azure: azure('Schedule') });
    expect(scheduled.ran).toEqual([]);
    expect(git(manifests.remote, 'rev-parse', 'main')).toBe(commit);
  });
});

describe('the example workflows that use the recipes', () => {
  const workflows = [
    'examples/recipes/.github/workflows/image-promotion.yml',
    'examples/recipes/.github/workflows/rendering.yml',
  ];

  it.each(workflows)(
    '%s gives each recipe only inputs it declares (actionlint cannot see a remote action)',
    (file) => {
      const wf = parse(readFileSync(join(ROOT, file), 'utf8')) as {
        jobs: Record<string, { steps: { uses?: string; with?: Record<string, string> }[] }>;
      };
      const uses = Object.values(wf.jobs)
        .flatMap((j) => j.steps)
        .filter((s) => s.uses?.startsWith('gitops-promote/gitops-promote/recipes/'));
      expect(uses.length).toBe(1);
      for (const step of uses) {
        const recipe = /recipes\/([\w-]+)@v1$/.exec(step.uses!)?.[1];
        const action = parse(readFileSync(join(ROOT, 'recipes', recipe!, 'action.yml'), 'utf8')) as {
          inputs: Record<string, unknown>;
        };
        for (const name of Object.keys(step.with ?? {}))
          expect(Object.keys(action.inputs), `${file}: ${name}`).toContain(name);
      }
    },
  );
});

describe('the Azure condition evaluator the template runner uses', () => {
  it('reads the functions the templates use, as Azure does (case-insensitive comparisons)', () => {
    const v = { 'Build.Reason': 'PullRequest' };
    expect(azureCondition("and(succeeded(), eq(variables['Build.Reason'], 'pullrequest'))", v, true)).toBe(
      true,
    );
    expect(azureCondition("and(succeeded(), eq(variables['Build.Reason'], 'PullRequest'))", v, false)).toBe(
      false,
    );
    expect(azureCondition("in(variables['Build.Reason'], 'IndividualCI', 'BatchedCI')", v, true)).toBe(false);
    expect(azureCondition("and(ne('', ''), succeeded())", v, true)).toBe(false);
    expect(() => azureCondition("contains(variables['Build.Reason'], 'Pull')", v, true)).toThrow(
      /not understood/,
    );
  });
});
