import { describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config/load';
import { type Decision, type DetermineInput, determine, determineForRun, eventKind } from '../src/determine';
import { GitopsError, InputError } from '../src/errors';

/** The default layout: ops on main, then apps on tags apps-deploy-*. */
const tags = parseConfig('', 'default', 'gitops-promote');

/** Branch layout: each environment has its own branch. */
const branches = parseConfig(
  [
    'environments:',
    '  - name: dev',
    '    on: { branch: main }',
    '  - name: qa',
    '    on: { branch: env/qa }',
    '  - name: prod',
    '    workspace: production',
    '    on: { branch: env/prod }',
  ].join('\n'),
  'gitops-promote.yaml',
  'gitops-promote',
);

type Row = [string, DetermineInput, Pick<Decision, 'environment' | 'operation' | 'trigger' | 'reason'>];

describe('determine: ref and event → environment, operation, trigger, reason', () => {
  const cases: Row[] = [
    [
      'push to main applies ops, then plans apps',
      { ref: 'refs/heads/main', event: 'push' },
      {
        environment: 'ops',
        operation: 'apply',
        trigger: 'branch',
        reason: 'Push to main, the branch of environment ops: apply ops, then plan apps.',
      },
    ],
    [
      'Azure DevOps CI build of main is a push',
      { ref: 'refs/heads/main', event: 'IndividualCI' },
      {
        environment: 'ops',
        operation: 'apply',
        trigger: 'branch',
        reason: 'Push to main, the branch of environment ops: apply ops, then plan apps.',
      },
    ],
    [
      'manual run on main applies ops',
      { ref: 'refs/heads/main', event: 'workflow_dispatch' },
      {
        environment: 'ops',
        operation: 'apply',
        trigger: 'branch',
        reason: 'Manual run on main, the branch of environment ops: apply ops, then plan apps.',
      },
    ],
    [
      'scheduled run on main looks for drift in every environment (SPEC §3)',
      { ref: 'refs/heads/main', event: 'schedule' },
      {
        environment: '',
        operation: 'drift',
        trigger: 'other',
        reason: 'Scheduled run: look for drift in every environment at its deployed commit.',
      },
    ],
    [
      'push to a feature branch plans the first environment',
      { ref: 'refs/heads/feature/x', event: 'push' },
      {
        environment: 'ops',
        operation: 'plan',
        trigger: 'branch',
        reason: "Push to feature/x, which is no environment's branch: plan ops.",
      },
    ],
    [
      'scheduled run on another branch (Azure DevOps Schedule) looks for drift too',
      { ref: 'refs/heads/feature/x', event: 'Schedule' },
      {
        environment: '',
        operation: 'drift',
        trigger: 'other',
        reason: 'Scheduled run: look for drift in every environment at its deployed commit.',
      },
    ],
    [
      'manual run on another branch plans the first environment',
      { ref: 'refs/heads/feature/x', event: 'manual' },
      {
        environment: 'ops',
        operation: 'plan',
        trigger: 'branch',
        reason: "Manual run on feature/x, which is no environment's branch: plan ops.",
      },
    ],
    [
      'pull request into main plans ops',
      { ref: 'refs/pull/42/merge', event: 'pull_request', baseRef: 'main' },
      {
        environment: 'ops',
        operation: 'plan',
        trigger: 'pull-request',
        reason: 'Pull request #42 into main, the branch of environment ops: plan ops.',
      },
    ],
    [
      'Azure DevOps pull request from a branch, base given as a full ref',
      { ref: 'refs/heads/feature/x', event: 'PullRequest', baseRef: 'refs/heads/main' },
      {
        environment: 'ops',
        operation: 'plan',
        trigger: 'pull-request',
        reason: 'Pull request from feature/x into main, the branch of environment ops: plan ops.',
      },
    ],
    [
      "pull request into a branch that is no environment's plans the first environment",
      { ref: 'refs/pull/7/merge', event: 'pull_request', baseRef: 'release' },
      {
        environment: 'ops',
        operation: 'plan',
        trigger: 'pull-request',
        reason: "Pull request #7 into release, which is no environment's branch: plan ops.",
      },
    ],
    [
      'deploy tag applies its environment once the previous one succeeded',
      { ref: 'refs/tags/apps-deploy-20240101', event: 'push' },
      {
        environment: 'apps',
        operation: 'apply',
        trigger: 'tag',
        reason:
          'Tag apps-deploy-20240101 matches apps-deploy-*, the deploy tag of environment apps: apply apps once ops reports success for this commit.',
      },
    ],
    [
      'workflow_dispatch on a deploy tag (as promote-tag starts it) is the deploy of that tag',
      { ref: 'refs/tags/apps-deploy-20240101', event: 'workflow_dispatch' },
      {
        environment: 'apps',
        operation: 'apply',
        trigger: 'tag',
        reason:
          'Manual run on tag apps-deploy-20240101, which matches apps-deploy-*, the deploy tag of environment apps: apply apps once ops reports success for this commit.',
      },
    ],
    [
      'an Azure DevOps manual run on a deploy tag is the deploy of that tag',
      { ref: 'refs/tags/apps-deploy-20240101', event: 'Manual' },
      {
        environment: 'apps',
        operation: 'apply',
        trigger: 'tag',
        reason:
          'Manual run on tag apps-deploy-20240101, which matches apps-deploy-*, the deploy tag of environment apps: apply apps once ops reports success for this commit.',
      },
    ],
    [
      'tag matching no environment does nothing',
      { ref: 'refs/tags/v1.0.0', event: 'push' },
      {
        environment: '',
        operation: 'none',
        trigger: 'tag',
        reason:
          "Tag v1.0.0 matches no environment's deploy tag (apps-deploy-*): there is nothing to plan or apply.",
      },
    ],
    [
      'deleted ref does nothing',
      { ref: 'refs/heads/main', event: 'delete' },
      {
        environment: '',
        operation: 'none',
        trigger: 'other',
        reason: 'refs/heads/main was deleted: there is nothing to plan or apply.',
      },
    ],
    [
      'push that deleted the ref does nothing',
      { ref: 'refs/tags/apps-deploy-1', event: 'push', deleted: true },
      {
        environment: '',
        operation: 'none',
        trigger: 'other',
        reason: 'refs/tags/apps-deploy-1 was deleted: there is nothing to plan or apply.',
      },
    ],
    [
      'delete event without a ref',
      { ref: '', event: 'delete' },
      {
        environment: '',
        operation: 'none',
        trigger: 'other',
        reason: 'The ref was deleted: there is nothing to plan or apply.',
      },
    ],
  ];

  it.each(cases)('%s', (_title, input, expected) => {
    const d = determine(tags, input);
    expect({
      environment: d.environment,
      operation: d.operation,
      trigger: d.trigger,
      reason: d.reason,
    }).toEqual(expected);
  });
});

describe('determine: the rest of the decision', () => {
  it('applying ops plans apps next, in the matrix too', () => {
    const d = determine(tags, { ref: 'refs/heads/main', event: 'push', sha: 'abc' });
    expect(d).toEqual({
      environment: 'ops',
      workspace: 'ops',
      operation: 'apply',
      previousEnvironment: '',
      nextEnvironment: 'apps',
      planNext: true,
      trigger: 'branch',
      sha: 'abc',
      reason: 'Push to main, the branch of environment ops: apply ops, then plan apps.',
      matrix: {
        include: [
          { environment: 'ops', workspace: 'ops', operation: 'apply' },
          { environment: 'apps', workspace: 'apps', operation: 'plan' },
        ],
      },
    });
  });

  it('a plan does not plan the next environment', () => {
    const d = determine(tags, { ref: 'refs/pull/1/merge', event: 'pull_request', baseRef: 'main' });
    expect(d.planNext).toBe(false);
    expect(d.nextEnvironment).toBe('apps');
    expect(d.matrix.include).toEqual([{ environment: 'ops', workspace: 'ops', operation: 'plan' }]);
  });

  it('the last environment has no next one to plan', () => {
    const d = determine(tags, { ref: 'refs/tags/apps-deploy-1', event: 'push' });
    expect(d.previousEnvironment).toBe('ops');
    expect(d.nextEnvironment).toBe('');
    expect(d.planNext).toBe(false);
    expect(d.matrix.include).toEqual([{ environment: 'apps', workspace: 'apps', operation: 'apply' }]);
  });

  it('doing nothing leaves everything empty but the sha and the reason', () => {
    const d = determine(tags, { ref: 'refs/tags/v1', event: 'push', sha: 'abc' });
    expect(d).toMatchObject({
      environment: '',
      workspace: '',
      previousEnvironment: '',
      nextEnvironment: '',
      planNext: false,
      sha: 'abc',
      matrix: { include: [] },
    });
  });
});

describe('determine: branch layout', () => {
  it.each([
    [
      'refs/heads/main',
      'dev',
      'dev',
      'Push to main, the branch of environment dev: apply dev, then plan qa.',
    ],
    [
      'refs/heads/env/qa',
      'qa',
      'qa',
      'Push to env/qa, the branch of environment qa: apply qa, then plan prod.',
    ],
    [
      'refs/heads/env/prod',
      'prod',
      'production',
      'Push to env/prod, the branch of environment prod: apply prod.',
    ],
  ])('push to %s applies %s (workspace %s)', (ref, environment, workspace, reason) => {
    const d = determine(branches, { ref, event: 'push' });
    expect(d).toMatchObject({ environment, workspace, operation: 'apply', trigger: 'branch', reason });
  });

  it('a pull request into an environment branch plans that environment', () => {
    const d = determine(branches, { ref: 'refs/pull/9/merge', event: 'pull_request', baseRef: 'env/prod' });
    expect(d).toMatchObject({
      environment: 'prod',
      workspace: 'production',
      operation: 'plan',
      trigger: 'pull-request',
      previousEnvironment: 'qa',
      reason: 'Pull request #9 into env/prod, the branch of environment prod: plan prod.',
    });
  });

  it('a tag does nothing when no environment is triggered by tags', () => {
    const d = determine(branches, { ref: 'refs/tags/apps-deploy-1', event: 'push' });
    expect(d.operation).toBe('none');
    expect(d.reason).toBe(
      'Tag apps-deploy-1 matches no environment (none is triggered by tags): there is nothing to plan or apply.',
    );
  });
});

describe('determine: shell-active characters in names show as ?', () => {
  it.each([
    ['refs/heads/x$(id)', 'push', undefined, "Push to x??id?, which is no environment's branch: plan ops."],
    ['refs/heads/a`b`', 'push', undefined, "Push to a?b?, which is no environment's branch: plan ops."],
    [
      'refs/tags/v1"; rm',
      'push',
      undefined,
      "Tag v1???rm matches no environment's deploy tag (apps-deploy-*): there is nothing to plan or apply.",
    ],
    [
      "refs/heads/it's",
      'pull_request',
      "ma'in",
      "Pull request from it?s into ma?in, which is no environment's branch: plan ops.",
    ],
    ['refs/heads/a+b@c', 'push', undefined, "Push to a+b@c, which is no environment's branch: plan ops."],
  ])('%s', (ref, event, baseRef, reason) => {
    expect(determine(tags, { ref, event, baseRef }).reason).toBe(reason);
  });

  it('in the deleted ref too', () => {
    expect(determine(tags, { ref: 'refs/heads/$(x)', event: 'delete' }).reason).toBe(
      'refs/heads/??x? was deleted: there is nothing to plan or apply.',
    );
  });
});

describe('determine: refused input', () => {
  it('an empty ref, naming the input', () => {
    expect(() => determine(tags, { ref: '', event: 'push' })).toThrow(
      new InputError(
        'ref',
        '',
        'it is required: give a full ref such as refs/heads/main or refs/tags/apps-deploy-1',
      ),
    );
  });

  it('a short ref', () => {
    expect(() => determine(tags, { ref: 'main', event: 'push' })).toThrow(
      'input ref: "main" is not valid; give a full ref: refs/heads/<branch>, refs/tags/<tag> or refs/pull/<number>/merge',
    );
  });

  it('a pull request without its target branch', () => {
    expect(() => determine(tags, { ref: 'refs/pull/3/merge', event: 'pull_request' })).toThrow(
      'input base-ref: "" is not valid; a pull request (ref refs/pull/3/merge) needs its target branch; give base-ref, e.g. main',
    );
  });

  it('an unknown event', () => {
    expect(() => determine(tags, { ref: 'refs/heads/main', event: 'release' })).toThrow(
      /^input event: "release" is not valid; use a GitHub event/,
    );
  });

  it('a tag matching the deploy tags of two environments', () => {
    // parseConfig refuses overlapping globs, so build the clash by hand to reach determine's own guard.
    const clash = {
      ...tags,
      source: 'gitops-promote.yaml',
      environments: [
        tags.environments[0]!,
        { ...tags.environments[1]!, on: { tag: 'apps-*' } },
        { name: 'web', workspace: 'web', on: { tag: '*-deploy-*' }, auto: false, index: 2 },
      ],
    };
    const run = () => determine(clash, { ref: 'refs/tags/apps-deploy-1', event: 'push' });
    expect(run).toThrow(GitopsError);
    expect(run).toThrow(
      'tag apps-deploy-1 matches the deploy tags of several environments (apps: apps-*, web: *-deploy-*); change the globs in gitops-promote.yaml so that each tag names one environment',
    );
  });
});

describe('eventKind and determineForRun', () => {
  it.each([
    ['push', 'push'],
    ['create', 'push'],
    ['BatchedCI', 'push'],
    ['pull_request_target', 'pull-request'],
    ['merge_group', 'pull-request'],
    ['workflow_run', 'manual'],
    ['BuildCompletion', 'manual'],
    ['schedule', 'schedule'],
    ['delete', 'delete'],
  ])('%s is a %s', (event, kind) => {
    expect(eventKind(event)).toBe(kind);
  });

  it('decides for the run context, taking a missing event as a push', () => {
    const d = determineForRun(tags, { ref: 'refs/heads/main', sha: 'ignored', workspace: '.' });
    expect(d.operation).toBe('apply');
    expect(d.reason).toBe('Push to main, the branch of environment ops: apply ops, then plan apps.');
    expect(d.sha).toBe('');
  });
});
