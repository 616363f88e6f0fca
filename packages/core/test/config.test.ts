import { mkdirSync, mkdtempSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  defaultConfig,
  InputError,
  loadConfig,
  onConfigWarning,
  parseConfig,
} from '../src/index';

function issuesOf(text: string, format: 'gitops-promote' | 'gitops-promotion' = 'gitops-promote') {
  try {
    parseConfig(text, 'gitops-promote.yaml', format);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as ConfigError).issues;
  }
  throw new Error('expected the configuration to be refused');
}

describe('bad configuration: one message with file, line, column, key and what is valid', () => {
  // [title, yaml, line, column, key, fragment of the message]
  const cases: [string, string, number, number, string, string][] = [
    [
      'YAML syntax error',
      'environments:\n  - name: ops\n    on: {branch: main\n',
      4,
      1,
      '',
      'YAML syntax error',
    ],
    [
      'unknown top-level key with a suggestion',
      'main-brnch: main\n',
      1,
      1,
      'main-brnch',
      'did you mean "main-branch"?',
    ],
    [
      'unknown nested key with a suggestion',
      'environments:\n  - name: ops\n    on: { brnch: main }\n',
      3,
      11,
      'environments[0].on.brnch',
      'did you mean "branch"?',
    ],
    [
      'unknown environment key, valid keys listed',
      'environments:\n  - name: ops\n    colour: red\n',
      3,
      5,
      'environments[0].colour',
      'Valid keys here: name, workspace, on, auto',
    ],
    [
      'duplicate environment name',
      'environments:\n  - name: ops\n  - name: apps\n  - name: ops\n',
      4,
      11,
      'environments[2].name',
      'already defined at environments[0]',
    ],
    [
      'invalid environment name',
      'environments:\n  - name: Ops_1\n',
      2,
      11,
      'environments[0].name',
      'not a valid environment name',
    ],
    [
      'environment without a name',
      'environments:\n  - workspace: ops\n',
      2,
      5,
      'environments[0].name',
      'needs a name',
    ],
    [
      'bad tag glob',
      'environments:\n  - name: ops\n  - name: apps\n    on: { tag: "apps-[deploy-*" }\n',
      4,
      16,
      'environments[1].on.tag',
      'not a valid tag glob',
    ],
    [
      'tag glob with a space',
      'environments:\n  - name: ops\n  - name: apps\n    on: { tag: "apps deploy-*" }\n',
      4,
      16,
      'environments[1].on.tag',
      'not a valid tag glob',
    ],
    ['bare-number duration', 'status:\n  timeout: 10\n', 2, 12, 'status.timeout', 'bare number'],
    ['malformed duration', 'status:\n  interval: 15 seconds\n', 2, 13, 'status.interval', 'not a duration'],
    [
      'bare-number lock timeout',
      'terraform:\n  lock-timeout: 300\n',
      2,
      17,
      'terraform.lock-timeout',
      'bare number',
    ],
    [
      'two environments on one branch',
      'environments:\n  - name: dev\n    on: { branch: dev }\n  - name: qa\n    on: { branch: dev }\n',
      5,
      9,
      'environments[1].on',
      'collides with branch dev of environment "dev"',
    ],
    [
      'overlapping tag globs',
      'environments:\n  - name: ops\n  - name: apps\n    on: { tag: "apps-*" }\n  - name: apps-prod\n    on: { tag: "apps-prod-*" }\n',
      6,
      9,
      'environments[2].on',
      'collides with tag apps-* of environment "apps"',
    ],
    [
      'both branch and tag',
      'environments:\n  - name: ops\n    on: { branch: main, tag: "x-*" }\n',
      3,
      9,
      'environments[0].on',
      'exactly one of branch',
    ],
    [
      'auto is not a boolean',
      'environments:\n  - name: dev\n    auto: yes\n',
      3,
      11,
      'environments[0].auto',
      'expected true or false',
    ],
    ['invalid branch name', 'main-branch: "feature..x"\n', 1, 14, 'main-branch', 'not a valid branch name'],
    [
      'a branch name a script would run',
      'environments:\n  - name: dev\n    on: { branch: "dev$(id)" }\n',
      3,
      19,
      'environments[0].on.branch',
      '"dev$(id)" is not a valid branch name: it contains "$"; environment branches use only A-Z a-z 0-9 . _ - /',
    ],
    [
      'unknown prflow',
      'promotion:\n  prflow: per-team\n',
      2,
      11,
      'promotion.prflow',
      'expected one of per-app, per-env',
    ],
    [
      'unknown parity mode',
      'parity:\n  mode: strict\n',
      2,
      9,
      'parity.mode',
      'expected one of off, warn, error',
    ],
    [
      'parity.ignore not a list',
      'parity:\n  ignore: "terraform_data.*"\n',
      2,
      11,
      'parity.ignore',
      'expected a list of resource address globs',
    ],
    [
      'misspelt key under parity',
      'parity:\n  ignores: []\n',
      2,
      3,
      'parity.ignores',
      'did you mean "ignore"?',
    ],
    [
      'an empty parity.ignore glob',
      'parity:\n  ignore: ["module.x.*", ""]\n',
      2,
      26,
      'parity.ignore[1]',
      'expected a resource address glob',
    ],
    [
      'path without {env}',
      'promotion:\n  path: "{group}/manifests"\n',
      2,
      9,
      'promotion.path',
      'must contain {env}',
    ],
    [
      'unknown placeholder in contexts',
      'status:\n  contexts: ["gitops-promote/{environment}"]\n',
      2,
      14,
      'status.contexts[0]',
      'unknown placeholder {environment}',
    ],
    [
      'duplicate key, named',
      'main-branch: main\nmain-branch: trunk\n',
      2,
      1,
      'main-branch',
      'duplicate key "main-branch": it appears twice in one mapping; keep one',
    ],
    [
      'duplicate nested key, named with its path',
      'environments:\n  - name: ops\n    workspace: a\n    workspace: b\n',
      4,
      5,
      'environments[0].workspace',
      'duplicate key "workspace"',
    ],
    [
      'tag glob with a shell substitution',
      'environments:\n  - name: ops\n  - name: apps\n    on: { tag: "apps-$(id)-*" }\n',
      4,
      16,
      'environments[1].on.tag',
      'it contains "$"; deploy tags use only A-Z a-z 0-9 . _ - / (and * ? [ ] in the glob, ! only as [!…])',
    ],
    [
      'tag glob with a negation outside brackets',
      'environments:\n  - name: ops\n  - name: apps\n    on: { tag: "!apps-*" }\n',
      4,
      16,
      'environments[1].on.tag',
      'it contains "!"',
    ],
    [
      'promotion path leaving the repository',
      'promotion:\n  path: "../{group}/{env}"\n',
      2,
      9,
      'promotion.path',
      'must stay inside the repository',
    ],
    [
      'absolute promotion path',
      'promotion:\n  path: "/srv/{env}"\n',
      2,
      9,
      'promotion.path',
      'must stay inside the repository',
    ],
    [
      'environments is not a list',
      'environments: ops\n',
      1,
      15,
      'environments',
      'expected a list of environments',
    ],
    ['empty environment list', 'environments: []\n', 1, 15, 'environments', 'the list is empty'],
    [
      'interval longer than timeout',
      'status:\n  timeout: 1m\n  interval: 5m\n',
      3,
      13,
      'status.interval',
      'must not be longer than status.timeout',
    ],
    ['root is a list', '- ops\n- apps\n', 1, 1, '', 'must be a mapping'],
    ['XKS: a prflow XKS itself refuses', 'prflow: per-team\n', 1, 9, 'prflow', 'expected one of per-app'],
  ];

  it.each(cases)('%s', (_title, yaml, line, column, key, fragment) => {
    const issues = issuesOf(yaml, _title.startsWith('XKS') ? 'gitops-promotion' : 'gitops-promote');
    const first = issues[0]!;
    expect({ line: first.line, column: first.column, key: first.key }).toEqual({ line, column, key });
    expect(first.message).toContain(fragment);
    const message = new ConfigError(issues).message;
    expect(message.split('\n')[0]).toBe(
      `gitops-promote.yaml:${line}:${column}: ${key ? `${key}: ` : ''}${first.message}`,
    );
  });

  it('reports every problem of the file at once, in one message', () => {
    const issues = issuesOf('main-brnch: main\nstatus:\n  timeout: 10\n');
    expect(issues.map((i) => i.key)).toEqual(['main-brnch', 'status.timeout']);
  });
});

describe('good configuration', () => {
  it('defaults to the Kubestack layout without a file', () => {
    const c = defaultConfig();
    expect(c.environments.map((e) => [e.name, e.workspace, e.on])).toEqual([
      ['ops', 'ops', { branch: 'main' }],
      ['apps', 'apps', { tag: 'apps-deploy-*' }],
    ]);
    expect(c.status).toEqual({
      timeoutMs: 600_000,
      intervalMs: 15_000,
      contexts: ['gitops-promote/{env}', 'kustomization/{env}', 'kustomization/{group}-{env}'],
      require: 'all',
      soakMs: 0,
    });
    expect(c.terraform).toEqual({ binary: 'terraform', workingDirectory: '.', lockTimeout: '300s' });
  });

  it('reads the full format with defaults filled per environment', () => {
    const c = parseConfig(
      [
        'main-branch: trunk',
        'environments:',
        '  - name: ops',
        '  - name: apps',
        '    workspace: apps-ws',
        '  - name: apps-prod',
        '    auto: true',
        'terraform: { binary: tofu, working-directory: infra, lock-timeout: 5m }',
        'status: { timeout: 1h, interval: 30s, contexts: ["gitops-promote/{env}", "kustomization/{group}-{env}*"] }',
        'promotion: { prflow: per-env, path: "clusters/{env}/{group}" }',
      ].join('\n'),
      'gitops-promote.yaml',
      'gitops-promote',
    );
    expect(c.environments.map((e) => [e.name, e.workspace, e.on, e.auto])).toEqual([
      ['ops', 'ops', { branch: 'trunk' }, false],
      ['apps', 'apps-ws', { tag: 'apps-deploy-*' }, false],
      ['apps-prod', 'apps-prod', { tag: 'apps-prod-deploy-*' }, true],
    ]);
    expect(c.terraform).toEqual({ binary: 'tofu', workingDirectory: 'infra', lockTimeout: '300s' });
    expect(c.status.timeoutMs).toBe(3_600_000);
    expect(c.promotion).toEqual({ prflow: 'per-env', path: 'clusters/{env}/{group}' });
    expect(c.parity).toEqual({ mode: 'warn', ignore: [] });
  });

  it('reads parity: mode and address globs', () => {
    const c = parseConfig(
      'parity:\n  mode: error\n  ignore: ["terraform_data.extra*", \'module.dns["eu"].*\']\n',
      'gitops-promote.yaml',
      'gitops-promote',
    );
    expect(c.parity).toEqual({ mode: 'error', ignore: ['terraform_data.extra*', 'module.dns["eu"].*'] });
    const off = parseConfig('parity: { mode: off }\n', 'gitops-promote.yaml', 'gitops-promote');
    expect(off.parity.mode).toBe('off');
  });

  it('reads the XKS gitops-promotion.yaml with its meaning; minutes are minutes', () => {
    const c = parseConfig(
      'prflow: per-env\nstatus_timeout_minutes: 5\nenvironments:\n  - name: dev\n    auto: true\n  - name: qa\n    auto: true\n  - name: prod\n    auto: false\n',
      'gitops-promotion.yaml',
      'gitops-promotion',
    );
    expect(c.format).toBe('gitops-promotion');
    expect(c.status.timeoutMs).toBe(300_000);
    expect(c.promotion.prflow).toBe('per-env');
    expect(c.environments.map((e) => [e.name, e.auto])).toEqual([
      ['dev', true],
      ['qa', true],
      ['prod', false],
    ]);
  });

  it('finds gitops-promote.yaml before the XKS file, and names a missing config input', () => {
    const dir = join(tmpdir(), `gp-config-${process.pid}-${Date.now()}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'gitops-promotion.yaml'), 'environments:\n  - name: dev\n');
    expect(loadConfig(dir).environments[0]!.name).toBe('dev');
    writeFileSync(join(dir, 'gitops-promote.yaml'), 'environments:\n  - name: ops\n');
    expect(loadConfig(dir).environments[0]!.name).toBe('ops');
    expect(() => loadConfig(dir, 'nope.yaml')).toThrow(InputError);
    expect(() => loadConfig(dir, 'nope.yaml')).toThrow(/input config: "nope.yaml"/);
  });

  it('accepts the branch-per-environment layout', () => {
    const c = parseConfig(
      'main-branch: dev\nenvironments:\n  - { name: dev, on: { branch: dev } }\n  - { name: stage, on: { branch: stage } }\n  - { name: prod, on: { branch: prod } }\n',
      'f',
      'gitops-promote',
    );
    expect(c.environments.map((e) => e.on)).toEqual([
      { branch: 'dev' },
      { branch: 'stage' },
      { branch: 'prod' },
    ]);
  });
});

describe('files as they arrive: bytes, XKS files, paths', () => {
  it('a file that is not valid UTF-8 is refused, naming the line of the first bad byte', () => {
    const bytes = Buffer.concat([
      Buffer.from('environments:\n  - name: ops\n  - name: apps\n    on: { tag: "apps-'),
      Buffer.from([0xff, 0xfe]),
      Buffer.from('-*" }\n'),
    ]);
    let error: unknown;
    try {
      parseConfig(bytes, 'gitops-promote.yaml', 'gitops-promote');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toBe(
      'gitops-promote.yaml:4:22: the file is not valid UTF-8 (byte 0xff on line 4); save it as UTF-8',
    );
  });

  it('overlong and surrogate forms are not UTF-8 either; valid multi-byte text and a BOM are', () => {
    for (const bad of [
      [0xc0, 0xaf],
      [0xed, 0xa0, 0x80],
      [0xe2, 0x82],
    ])
      expect(() =>
        parseConfig(Buffer.from([...Buffer.from('main-branch: m'), ...bad, 0x0a]), 'f', 'gitops-promote'),
      ).toThrow(/^f:1:15: the file is not valid UTF-8/);
    const ok = Buffer.concat([
      Buffer.from([0xef, 0xbb, 0xbf]),
      Buffer.from('# räksmörgås ✓ 🚀\nmain-branch: main\n'),
    ]);
    expect(parseConfig(ok, 'f', 'gitops-promote').mainBranch).toBe('main');
  });

  it('the XKS README file, groups and all, is read as XKS reads it: groups ignored with one warning', () => {
    const xks = [
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
    const c = parseConfig(xks, 'gitops-promotion.yaml', 'gitops-promotion');
    expect(c.environments.map((e) => [e.name, e.auto])).toEqual([
      ['dev', true],
      ['qa', true],
      ['prod', false],
    ]);
    expect(c.promotion.prflow).toBe('per-app');
    expect(c.warnings).toEqual([
      'gitops-promotion.yaml: ignoring groups: gitops-promote does not act on this XKS key (feature environments are not supported)',
    ]);
  });

  it('every XKS key we do not act on, older ones too, is named in the one warning', () => {
    const c = parseConfig(
      'features:\n  apps: {}\nenvironments:\n  - name: dev\n    colour: red\ngroups: {}\n',
      'gitops-promotion.yaml',
      'gitops-promotion',
    );
    expect(c.warnings).toEqual([
      'gitops-promotion.yaml: ignoring features, groups, environments[0].colour: gitops-promote does not act on these XKS keys (feature environments are not supported)',
    ]);
    expect(parseConfig('environments:\n  - name: dev\n', 'f', 'gitops-promotion').warnings).toEqual([]);
  });

  it('loadConfig passes the warnings to the step log once per load, through onConfigWarning', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gp-config-xks-'));
    writeFileSync(join(dir, 'gitops-promotion.yaml'), 'environments:\n  - name: dev\ngroups: {}\n');
    const seen: string[] = [];
    const restore = onConfigWarning((m) => seen.push(m));
    try {
      loadConfig(dir);
    } finally {
      restore();
    }
    loadConfig(dir);
    expect(seen).toEqual([expect.stringMatching(/^gitops-promotion.yaml: ignoring groups: /)]);
  });

  describe('paths in and to the configuration stay inside the repository', () => {
    const top = realpathSync(mkdtempSync(join(tmpdir(), 'gp-config-paths-')));
    const root = join(top, 'repo');
    mkdirSync(join(root, 'infra'), { recursive: true });
    mkdirSync(join(top, 'outside'));
    writeFileSync(join(top, 'outside', 'gitops-promote.yaml'), 'main-branch: evil\n');
    symlinkSync(join(top, 'outside'), join(root, 'link'));

    it.each([
      ['../outside/gitops-promote.yaml'],
      ['a/../../outside/gitops-promote.yaml'],
      ['link/gitops-promote.yaml'],
      [join(top, 'outside', 'gitops-promote.yaml')],
    ])('config %s is refused, naming the input', (value) => {
      expect(() => loadConfig(root, value)).toThrow(
        `input config: ${JSON.stringify(value)} is not valid; it leads to ${join(top, 'outside', 'gitops-promote.yaml')}, outside the repository ${root}; give the path of a gitops-promote.yaml inside the repository`,
      );
    });

    it.each([['../outside'], ['link'], ['infra/../../outside'], [join(top, 'outside')]])(
      'terraform.working-directory %s is refused with file, line, column and key',
      (dir) => {
        writeFileSync(
          join(root, 'gitops-promote.yaml'),
          `terraform:\n  working-directory: ${JSON.stringify(dir)}\n`,
        );
        expect(() => loadConfig(root)).toThrow(
          `gitops-promote.yaml:2:22: terraform.working-directory: ${JSON.stringify(dir)}: it leads to ${join(top, 'outside')}, outside the repository ${root}; give a directory inside the repository`,
        );
      },
    );

    it('a default configuration file that is a link out of the repository is refused too', () => {
      const repo = join(top, 'linked');
      mkdirSync(repo);
      symlinkSync(join(top, 'outside', 'gitops-promote.yaml'), join(repo, 'gitops-promote.yaml'));
      expect(() => loadConfig(repo)).toThrow(
        `input config: "gitops-promote.yaml" is not valid; it leads to ${join(top, 'outside', 'gitops-promote.yaml')}, outside the repository ${repo}; give the path of a gitops-promote.yaml inside the repository`,
      );
    });

    it('terraform.working-directory inside the repository is read', () => {
      writeFileSync(join(root, 'gitops-promote.yaml'), 'terraform:\n  working-directory: infra/../infra\n');
      expect(loadConfig(root).terraform.workingDirectory).toBe('infra/../infra');
    });
  });
});
