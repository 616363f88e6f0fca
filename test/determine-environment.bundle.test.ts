import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { type BundleRun, bundlePath, runAzure, runGitHub, runTerminal } from './support/bundle';
import { git, tempDir } from './support/git';

const STEP = 'determine-environment';

const CONFIGS: Record<string, string | undefined> = {
  kubestack: undefined,
  three: 'environments:\n  - name: ops\n  - name: apps\n  - name: apps-prod\n',
  branches:
    'main-branch: dev\nenvironments:\n  - { name: dev, on: { branch: dev } }\n  - { name: stage, on: { branch: stage } }\n  - { name: prod, on: { branch: prod } }\n',
  trunk:
    'main-branch: trunk\nenvironments:\n  - name: ops\n  - name: apps\n    workspace: apps-ws\n    on: { tag: "release-*" }\n',
};

interface Case {
  title: string;
  config: keyof typeof CONFIGS | 'xks';
  /** What happened: a push of a branch or tag, a pull request into `base`, a manual or scheduled run. */
  event: 'push' | 'pull-request' | 'manual' | 'schedule';
  ref: string;
  base?: string;
  expect: {
    environment: string;
    operation: string;
    trigger: string;
    'plan-next': string;
    'previous-environment'?: string;
    'next-environment'?: string;
    workspace?: string;
    reason?: string;
  };
}

const CASES: Case[] = [
  {
    title: 'push to main applies ops, then plans apps',
    config: 'kubestack',
    event: 'push',
    ref: 'refs/heads/main',
    expect: {
      environment: 'ops',
      operation: 'apply',
      trigger: 'branch',
      'plan-next': 'true',
      'previous-environment': '',
      'next-environment': 'apps',
    },
  },
  {
    title: 'push to a feature branch plans ops',
    config: 'kubestack',
    event: 'push',
    ref: 'refs/heads/feature/x',
    expect: { environment: 'ops', operation: 'plan', trigger: 'branch', 'plan-next': 'false' },
  },
  {
    title: 'pull request into main plans ops',
    config: 'kubestack',
    event: 'pull-request',
    ref: 'refs/pull/7/merge',
    base: 'main',
    expect: { environment: 'ops', operation: 'plan', trigger: 'pull-request', 'plan-next': 'false' },
  },
  {
    title: 'deploy tag applies apps',
    config: 'kubestack',
    event: 'push',
    ref: 'refs/tags/apps-deploy-20260101120000',
    expect: {
      environment: 'apps',
      operation: 'apply',
      trigger: 'tag',
      'plan-next': 'false',
      'previous-environment': 'ops',
      'next-environment': '',
    },
  },
  {
    title: 'unknown tag does nothing',
    config: 'kubestack',
    event: 'push',
    ref: 'refs/tags/v1.2.3',
    expect: { environment: '', operation: 'none', trigger: 'tag', 'plan-next': 'false' },
  },
  {
    title: 'three environments: apps tag applies apps, then plans apps-prod',
    config: 'three',
    event: 'push',
    ref: 'refs/tags/apps-deploy-1',
    expect: {
      environment: 'apps',
      operation: 'apply',
      trigger: 'tag',
      'plan-next': 'true',
      'next-environment': 'apps-prod',
    },
  },
  {
    title: 'three environments: apps-prod tag applies apps-prod',
    config: 'three',
    event: 'push',
    ref: 'refs/tags/apps-prod-deploy-1',
    expect: {
      environment: 'apps-prod',
      operation: 'apply',
      trigger: 'tag',
      'plan-next': 'false',
      'previous-environment': 'apps',
    },
  },
  {
    title: 'three environments: push to main',
    config: 'three',
    event: 'push',
    ref: 'refs/heads/main',
    expect: {
      environment: 'ops',
      operation: 'apply',
      trigger: 'branch',
      'plan-next': 'true',
      'next-environment': 'apps',
    },
  },
  {
    title: 'branch layout: push to dev applies dev, then plans stage',
    config: 'branches',
    event: 'push',
    ref: 'refs/heads/dev',
    expect: {
      environment: 'dev',
      operation: 'apply',
      trigger: 'branch',
      'plan-next': 'true',
      'next-environment': 'stage',
    },
  },
  {
    title: 'branch layout: push to stage',
    config: 'branches',
    event: 'push',
    ref: 'refs/heads/stage',
    expect: {
      environment: 'stage',
      operation: 'apply',
      trigger: 'branch',
      'plan-next': 'true',
      'previous-environment': 'dev',
      'next-environment': 'prod',
    },
  },
  {
    title: 'branch layout: push to prod, nothing after it',
    config: 'branches',
    event: 'push',
    ref: 'refs/heads/prod',
    expect: {
      environment: 'prod',
      operation: 'apply',
      trigger: 'branch',
      'plan-next': 'false',
      'previous-environment': 'stage',
      'next-environment': '',
    },
  },
  {
    title: 'branch layout: pull request into stage plans stage',
    config: 'branches',
    event: 'pull-request',
    ref: 'refs/pull/12/merge',
    base: 'stage',
    expect: { environment: 'stage', operation: 'plan', trigger: 'pull-request', 'plan-next': 'false' },
  },
  {
    title: 'branch layout: pull request into prod plans prod',
    config: 'branches',
    event: 'pull-request',
    ref: 'refs/pull/13/merge',
    base: 'prod',
    expect: { environment: 'prod', operation: 'plan', trigger: 'pull-request', 'plan-next': 'false' },
  },
  {
    title: 'branch layout: feature branch plans the first environment',
    config: 'branches',
    event: 'push',
    ref: 'refs/heads/feature/y',
    expect: { environment: 'dev', operation: 'plan', trigger: 'branch', 'plan-next': 'false' },
  },
  {
    title: 'branch layout: any tag does nothing',
    config: 'branches',
    event: 'push',
    ref: 'refs/tags/v2',
    expect: { environment: '', operation: 'none', trigger: 'tag', 'plan-next': 'false' },
  },
  {
    title: 'custom main branch: push to trunk applies ops',
    config: 'trunk',
    event: 'push',
    ref: 'refs/heads/trunk',
    expect: { environment: 'ops', operation: 'apply', trigger: 'branch', 'plan-next': 'true' },
  },
  {
    title: 'custom main branch: push to main is a feature branch',
    config: 'trunk',
    event: 'push',
    ref: 'refs/heads/main',
    expect: { environment: 'ops', operation: 'plan', trigger: 'branch', 'plan-next': 'false' },
  },
  {
    title: 'custom tag glob and workspace',
    config: 'trunk',
    event: 'push',
    ref: 'refs/tags/release-7',
    expect: {
      environment: 'apps',
      operation: 'apply',
      trigger: 'tag',
      'plan-next': 'false',
      workspace: 'apps-ws',
    },
  },
  {
    title: 'manual run on main applies ops',
    config: 'kubestack',
    event: 'manual',
    ref: 'refs/heads/main',
    expect: { environment: 'ops', operation: 'apply', trigger: 'branch', 'plan-next': 'true' },
  },
  {
    // promote-tag starts the deploy this way when the tag was made with the workflow's own token.
    title:
      'manual run on a deploy tag (workflow_dispatch, Azure DevOps Manual) applies apps as its push does',
    config: 'kubestack',
    event: 'manual',
    ref: 'refs/tags/apps-deploy-20260101120000',
    expect: {
      environment: 'apps',
      operation: 'apply',
      trigger: 'tag',
      'plan-next': 'false',
      'previous-environment': 'ops',
      reason:
        'Manual run on tag apps-deploy-20260101120000, which matches apps-deploy-*, the deploy tag of environment apps: apply apps once ops reports success for this commit.',
    },
  },
  // A schedule (drift, every environment at its deployed commit) reads tags and statuses through the
  // provider: test/drift.e2e.test.ts runs it against each platform's hosting service.
  {
    title: 'pull request into a feature branch plans ops',
    config: 'kubestack',
    event: 'pull-request',
    ref: 'refs/pull/3/merge',
    base: 'feature/base',
    expect: { environment: 'ops', operation: 'plan', trigger: 'pull-request', 'plan-next': 'false' },
  },
  {
    title: 'XKS gitops-promotion.yaml: push to main applies dev',
    config: 'xks',
    event: 'push',
    ref: 'refs/heads/main',
    expect: {
      environment: 'dev',
      operation: 'apply',
      trigger: 'branch',
      'plan-next': 'true',
      'next-environment': 'qa',
    },
  },
  {
    title: 'XKS gitops-promotion.yaml: qa deploy tag',
    config: 'xks',
    event: 'push',
    ref: 'refs/tags/qa-deploy-5',
    expect: {
      environment: 'qa',
      operation: 'apply',
      trigger: 'tag',
      'plan-next': 'true',
      'previous-environment': 'dev',
      'next-environment': 'prod',
    },
  },
  {
    title: 'a branch named like a shell command is data',
    config: 'kubestack',
    event: 'push',
    ref: 'refs/heads/feat/$(touch pwned)',
    expect: {
      environment: 'ops',
      operation: 'plan',
      trigger: 'branch',
      'plan-next': 'false',
      // The reason names the branch with nothing a script pasting it would run.
      reason: "Push to feat/??touch?pwned?, which is no environment's branch: plan ops.",
    },
  },
];

const GITHUB_EVENTS = {
  push: 'push',
  'pull-request': 'pull_request',
  manual: 'workflow_dispatch',
  schedule: 'schedule',
};
const AZURE_REASONS = {
  push: 'IndividualCI',
  'pull-request': 'PullRequest',
  manual: 'Manual',
  schedule: 'Schedule',
};
const SHA = 'a'.repeat(40);
const HEAD_SHA = 'b'.repeat(40);

const repos: Record<string, string> = {};
function repoFor(config: Case['config']): string {
  if (repos[config]) return repos[config]!;
  const dir = tempDir('gp-de-');
  git(dir, 'init', '-q', '-b', 'main');
  if (config === 'xks')
    writeFileSync(
      join(dir, 'gitops-promotion.yaml'),
      'prflow: per-app\nstatus_timeout_minutes: 10\nenvironments:\n  - name: dev\n    auto: true\n  - name: qa\n    auto: true\n  - name: prod\n',
    );
  else if (CONFIGS[config]) writeFileSync(join(dir, 'gitops-promote.yaml'), CONFIGS[config]!);
  repos[config] = dir;
  return dir;
}

function onGitHub(c: Case): Promise<BundleRun> {
  const pr = c.event === 'pull-request';
  return runGitHub(STEP, {
    cwd: repoFor(c.config),
    event: GITHUB_EVENTS[c.event],
    ref: c.ref,
    sha: SHA,
    payload: pr
      ? {
          number: 7,
          pull_request: { number: 7, base: { ref: c.base }, head: { ref: 'feature/x', sha: HEAD_SHA } },
        }
      : { ref: c.ref, deleted: false },
    env: pr ? { GITHUB_BASE_REF: c.base!, GITHUB_HEAD_REF: 'feature/x' } : {},
  });
}

function onAzure(c: Case): Promise<BundleRun> {
  const pr = c.event === 'pull-request';
  return runAzure(STEP, {
    cwd: repoFor(c.config),
    reason: AZURE_REASONS[c.event],
    sourceBranch: c.ref,
    sha: SHA,
    ...(pr
      ? {
          pullRequest: {
            target: `refs/heads/${c.base}`,
            source: 'refs/heads/feature/x',
            id: 7,
            sourceCommit: HEAD_SHA,
          },
        }
      : {}),
  });
}

function onTerminal(c: Case): Promise<BundleRun> {
  const inputs: Record<string, string> = {
    ref: c.ref,
    event: c.event,
    sha: c.event === 'pull-request' ? HEAD_SHA : SHA,
  };
  if (c.base) inputs['base-ref'] = c.base;
  return runTerminal(STEP, { cwd: repoFor(c.config), inputs });
}

beforeAll(() => {
  if (!existsSync(bundlePath(STEP)))
    throw new Error(`${bundlePath(STEP)} is missing: run npm run build (npm test does)`);
});

describe.each(CASES)('$title', (c) => {
  it('gives the same answer on GitHub Actions, Azure Pipelines and a terminal', async () => {
    const [gh, az, term] = await Promise.all([onGitHub(c), onAzure(c), onTerminal(c)]);
    for (const [name, r] of Object.entries({ github: gh, azure: az, terminal: term })) {
      expect(r.code, `${name} exit code; stderr: ${r.stderr}; stdout: ${r.stdout}`).toBe(0);
      expect(r.failure, name).toBeUndefined();
    }
    expect(az.result).toBe('Succeeded');
    expect(az.stdout).toContain(
      `##vso[task.setvariable variable=planNext;isOutput=true;issecret=false;]${c.expect['plan-next']}`,
    );
    expect(gh.outputs).toMatchObject(c.expect);
    expect(az.outputs).toEqual(gh.outputs);
    expect(term.outputs).toEqual(gh.outputs);
    expect(gh.outputs.sha).toBe(c.event === 'pull-request' ? HEAD_SHA : SHA);
    expect(gh.outputs.reason).toMatch(/\.$/);
    const matrix = JSON.parse(gh.outputs.matrix!) as {
      include: { environment: string; operation: string }[];
    };
    if (c.expect.operation === 'none') expect(matrix.include).toEqual([]);
    else
      expect(matrix.include[0]).toMatchObject({
        environment: c.expect.environment,
        operation: c.expect.operation,
      });
    expect(matrix.include.length).toBe(
      c.expect.operation === 'none' ? 0 : c.expect['plan-next'] === 'true' ? 2 : 1,
    );
    // Azure's strategy.matrix: the same entries as named legs ([A-Za-z][A-Za-z0-9_]*), values strings.
    const legs = JSON.parse(gh.outputs['matrix-azure']!) as Record<string, Record<string, string>>;
    expect(Object.values(legs)).toEqual(matrix.include);
    for (const [leg, vars] of Object.entries(legs)) {
      expect(leg).toMatch(/^[A-Za-z][A-Za-z0-9_]{0,99}$/);
      expect(leg).toBe(vars.environment!.replace(/-/g, '_'));
    }
    expect(gh.summary).toContain('determine-environment');
    expect(az.summary.trim()).toEqual(gh.summary.trim());
    expect(existsSync(join(repoFor(c.config), 'pwned'))).toBe(false);
  });
});

describe('refs and payloads that are data, never commands', () => {
  it('a deleted branch (GitHub push with deleted: true) ends green with operation none', async () => {
    const r = await runGitHub(STEP, {
      cwd: repoFor('kubestack'),
      event: 'push',
      ref: 'refs/heads/old',
      payload: { ref: 'refs/heads/old', deleted: true },
    });
    expect(r.code).toBe(0);
    expect(r.outputs).toMatchObject({ operation: 'none', environment: '', trigger: 'other' });
    expect(r.outputs.reason).toContain('was deleted');
  });

  it('the GitHub delete event names the deleted ref from the payload', async () => {
    const r = await runGitHub(STEP, {
      cwd: repoFor('kubestack'),
      event: 'delete',
      ref: 'refs/heads/main',
      payload: { ref: 'apps-deploy-1', ref_type: 'tag' },
    });
    expect(r.outputs).toMatchObject({ operation: 'none', trigger: 'other' });
    expect(r.outputs.reason).toContain('refs/tags/apps-deploy-1 was deleted');
  });

  it('a ref with quotes and a newline cannot write outputs or commands on Azure DevOps', async () => {
    const ref = 'refs/heads/it\'s "x"\n##vso[task.setvariable variable=operation;isOutput=true]apply';
    const r = await runAzure(STEP, { cwd: repoFor('kubestack'), sourceBranch: ref });
    expect(r.code).toBe(0);
    expect(r.outputs.operation).toBe('plan');
    // The reason names the branch with every character a script or log would act on shown as ?.
    expect(r.outputs.reason).toContain(
      'Push to it?s??x????vso?task.setvariable?variable?operation?isOutput?true?apply,',
    );
    const forged = r.stdout
      .split('\n')
      .filter((l) => l.startsWith('##vso[task.setvariable variable=operation') && l.endsWith(']apply'));
    expect(forged).toEqual([]);
  });

  it('a ref with a newline cannot issue workflow commands on GitHub', async () => {
    const r = await runGitHub(STEP, {
      cwd: repoFor('kubestack'),
      ref: 'refs/heads/x\n::error::forged',
      payload: {},
    });
    expect(r.code).toBe(0);
    expect(r.stdout).not.toMatch(/^::error::forged/m);
    expect(r.outputs.operation).toBe('plan');
    expect(r.outputs.reason).toContain('Push to x???error??forged,');
  });
});

describe('bad input: one message naming the input, the value and what is valid; no outputs written', () => {
  const cases: [string, Record<string, string>, RegExp][] = [
    [
      'a short ref',
      { ref: 'main' },
      /input ref: "main" is not valid; give a full ref: refs\/heads\/<branch>, refs\/tags\/<tag>/,
    ],
    [
      'an unknown event',
      { ref: 'refs/heads/main', event: 'pushed' },
      /input event: "pushed" is not valid; use a GitHub event \(push, pull_request/,
    ],
    [
      'a pull request with no target branch',
      { ref: 'refs/pull/1/merge', event: 'pull_request' },
      /input base-ref: "" is not valid; a pull request \(ref refs\/pull\/1\/merge\) needs its target branch/,
    ],
    [
      'a config path that does not exist',
      { config: 'missing.yaml' },
      /input config: "missing.yaml" is not valid; no such file/,
    ],
    [
      'a short commit SHA',
      { sha: 'abc123' },
      /^determine-environment: input sha: "abc123" is not valid; give the full 40-character hexadecimal commit SHA$/,
    ],
    [
      'a SHA with something after it',
      { sha: `${'a'.repeat(40)}; rm -rf /` },
      /input sha: "a{40}; rm -rf \/" is not valid; give the full 40-character hexadecimal commit SHA$/,
    ],
  ];

  it.each(cases)('%s (GitHub)', async (_t, inputs, message) => {
    const r = await runGitHub(STEP, { cwd: repoFor('kubestack'), inputs, payload: {} });
    expect(r.code).toBe(1);
    expect(r.failure).toMatch(message);
    expect(r.outputs).toEqual({});
  });

  it.each(cases)('%s (Azure DevOps)', async (_t, inputs, message) => {
    const r = await runAzure(STEP, { cwd: repoFor('kubestack'), inputs });
    expect(r.result).toBe('Failed');
    expect(r.failure).toMatch(message);
    expect(r.outputs).toEqual({});
  });

  it('a broken configuration file fails with file, line, column and key on both platforms and the terminal', async () => {
    const dir = tempDir('gp-bad-');
    writeFileSync(
      join(dir, 'gitops-promote.yaml'),
      'environments:\n  - name: ops\n    on: { brnch: main }\n',
    );
    const gh = await runGitHub(STEP, { cwd: dir, payload: {} });
    const az = await runAzure(STEP, { cwd: dir });
    const term = await runTerminal(STEP, { cwd: dir, inputs: { ref: 'refs/heads/main' } });
    const expected =
      'determine-environment: gitops-promote.yaml:3:11: environments[0].on.brnch: unknown key; did you mean "branch"? Valid keys here: branch, tag';
    expect(gh.failure).toBe(expected);
    expect(az.failure).toBe(expected);
    expect(term.failure).toBe(expected);
    expect(term.code).toBe(1);
  });

  it('the terminal refuses an unknown flag with a suggestion', async () => {
    const r = await runTerminal(STEP, { cwd: repoFor('kubestack'), inputs: { rev: 'refs/heads/main' } });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('determine-environment has no input --rev; did you mean --ref?');
  });
});

describe('sha: only a full 40-hex commit is accepted or given out', () => {
  it('the terminal refuses sha: abc123 like GitHub and Azure DevOps', async () => {
    const r = await runTerminal(STEP, {
      cwd: repoFor('kubestack'),
      inputs: { ref: 'refs/heads/main', sha: 'abc123' },
    });
    expect(r.code).toBe(1);
    expect(r.failure).toBe(
      'determine-environment: input sha: "abc123" is not valid; give the full 40-character hexadecimal commit SHA',
    );
  });

  it('a run whose own commit is not a full SHA (GITHUB_SHA, BUILD_SOURCEVERSION) is refused, not passed on', async () => {
    const gh = await runGitHub(STEP, { cwd: repoFor('kubestack'), sha: 'abc123', payload: {} });
    const az = await runAzure(STEP, { cwd: repoFor('kubestack'), sha: 'abc123' });
    const expected =
      'determine-environment: input sha: "abc123" is not valid; give the full 40-character hexadecimal commit SHA (this value is the run\'s own commit, as the platform reported it)';
    expect(gh.failure).toBe(expected);
    expect(az.failure).toBe(expected);
    expect(gh.outputs).toEqual({});
    expect(az.outputs).toEqual({});
  });

  it('an upper-case full SHA is given out in lower case', async () => {
    const r = await runGitHub(STEP, {
      cwd: repoFor('kubestack'),
      inputs: { sha: 'AB'.repeat(20) },
      payload: {},
    });
    expect(r.code).toBe(0);
    expect(r.outputs.sha).toBe('ab'.repeat(20));
  });
});

describe('the XKS README file (groups and all): read as XKS reads it, one warning naming what is ignored', () => {
  const XKS_README = [
    'prflow: per-app',
    'environments:',
    '  - name: dev',
    '    auto: true',
    '  - name: qa',
    '    auto: true',
    '  - name: prod',
    '    auto: false',
    'groups:',
    '  apps:',
    '    applications:',
    '      podinfo:',
    '        featureOverwrite: false',
    '        featureLabelSelector:',
    '          app: podinfo',
    '',
  ].join('\n');

  it('on GitHub, Azure DevOps and a terminal', async () => {
    const dir = tempDir('gp-xks-');
    writeFileSync(join(dir, 'gitops-promotion.yaml'), XKS_README);
    const [gh, az, term] = await Promise.all([
      runGitHub(STEP, { cwd: dir, sha: SHA, payload: {} }),
      runAzure(STEP, { cwd: dir, sha: SHA }),
      runTerminal(STEP, { cwd: dir, inputs: { ref: 'refs/heads/main', sha: SHA } }),
    ]);
    const warning =
      'gitops-promotion.yaml: ignoring groups: gitops-promote does not act on this XKS key (feature environments are not supported)';
    for (const [name, r] of Object.entries({ github: gh, azure: az, terminal: term })) {
      expect(r.code, `${name}: ${r.failure}`).toBe(0);
      expect(r.outputs, name).toMatchObject({
        environment: 'dev',
        operation: 'apply',
        'next-environment': 'qa',
      });
      expect(r.warnings, name).toEqual([warning]);
    }
  });
});
