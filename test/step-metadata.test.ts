import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, decisionOutputs, parseConfig, STEPS } from '@gitops-promote/core';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ROOT } from './support/bundle';

const camel = (n: string) => n.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());

interface ActionYml {
  inputs: Record<string, unknown>;
  outputs: Record<string, unknown>;
  runs: { using: string; main: string };
}
interface TaskJson {
  id: string;
  inputs: { name: string }[];
  outputVariables: { name: string }[];
  execution: Record<string, { target: string }>;
}

const OUTPUTS: Record<string, string[]> = {
  'determine-environment': Object.keys(
    decisionOutputs({
      environment: '',
      workspace: '',
      operation: 'none',
      previousEnvironment: '',
      nextEnvironment: '',
      planNext: false,
      trigger: 'other',
      sha: '',
      reason: '',
      matrix: { include: [] },
    }),
  ),
  // SPEC §4: the outputs each step promises.
  'terraform-run': [
    'exitcode',
    'has-changes',
    'to-add',
    'to-change',
    'to-destroy',
    'to-replace',
    'plan-file',
    'plan-json-file',
    'fingerprint',
    'outputs',
    // (new) operation drift
    'drift',
    'parity',
    'parity-report',
  ],
  'check-previous-env': [
    'state',
    'previous-environment',
    'checked-sha',
    'statuses',
    'soak-remaining',
    'frozen-until',
  ],
  'promote-tag': [
    'environment',
    'sha',
    'tag',
    'created',
    'pull-request-number',
    'pull-request-url',
    'branch',
    'auto-merge',
    'dispatched',
  ],
  'render-manifests': ['changed', 'commit', 'files', 'diff-file'],
  'promotion-board': ['board', 'html-file'],
};

/** GitHub-only inputs: the workflow's own token, to compare with `token` (Azure DevOps has no such pitfall). */
const GITHUB_ONLY = ['workflow-token'];

describe.each(Object.keys(OUTPUTS))('%s: action.yml and task.json agree with the step', (name) => {
  const step = STEPS[name]!;
  const action = parse(readFileSync(join(ROOT, 'packages', name, 'action.yml'), 'utf8')) as ActionYml;
  const task = JSON.parse(readFileSync(join(ROOT, 'packages', name, 'task.json'), 'utf8')) as TaskJson;

  it('declares the same inputs (kebab-case on GitHub, camelCase on Azure DevOps)', () => {
    expect(Object.keys(action.inputs).sort()).toEqual([...step.inputs].sort());
    expect(task.inputs.map((i) => i.name).sort()).toEqual(
      step.inputs
        .filter((i) => !GITHUB_ONLY.includes(i))
        .map(camel)
        .sort(),
    );
  });

  it('declares every output the step writes', () => {
    // The step's own list types what it may write: a name outside it does not compile.
    expect([...step.outputs].sort()).toEqual([...OUTPUTS[name]!].sort());
    expect(Object.keys(action.outputs).sort()).toEqual([...OUTPUTS[name]!].sort());
    expect(task.outputVariables.map((o) => o.name).sort()).toEqual(OUTPUTS[name]!.map(camel).sort());
  });

  it('runs the committed bundle on node24 and on both Azure DevOps Node handlers', () => {
    expect(action.runs).toEqual({ using: 'node24', main: `../../dist/${name}/index.cjs` });
    expect(Object.keys(task.execution).sort()).toEqual(['Node20_1', 'Node24']);
    expect(task.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  });
});

describe('the recipe: root action.yml and task.json agree with the pipeline step', () => {
  const action = parse(readFileSync(join(ROOT, 'action.yml'), 'utf8')) as ActionYml;
  const task = JSON.parse(readFileSync(join(ROOT, 'task.json'), 'utf8')) as TaskJson;
  it('declares every output the recipe writes', () => {
    const outputs = [...STEPS.pipeline!.outputs].sort();
    expect(Object.keys(action.outputs).sort()).toEqual(outputs);
    expect(task.outputVariables.map((o) => o.name).sort()).toEqual(outputs.map(camel));
  });
});

describe('the JSON Schema shipped for editors agrees with the loader', () => {
  const schema = JSON.parse(readFileSync(join(ROOT, 'schema', 'gitops-promote.schema.json'), 'utf8'));
  const validate = new Ajv2020({ allErrors: true, strict: false }).compile(schema);
  const accepts = (text: string) => {
    try {
      parseConfig(text, 'x.yaml', 'gitops-promote');
      return true;
    } catch (e) {
      if (e instanceof ConfigError) return false;
      throw e;
    }
  };

  const table: [string, string][] = [
    ['empty mapping', '{}'],
    ['kubestack three environments', 'environments:\n  - name: ops\n  - name: apps\n  - name: apps-prod\n'],
    [
      'branch layout',
      'main-branch: dev\nenvironments:\n  - { name: dev, on: { branch: dev } }\n  - { name: prod, on: { branch: prod } }\n',
    ],
    [
      'everything',
      'main-branch: trunk\nterraform: { binary: tofu, working-directory: infra, lock-timeout: 5m }\nstatus: { timeout: 1h30m, interval: 30s, contexts: ["gitops-promote/{env}", "kustomization/{group}-{env}*"] }\npromotion: { prflow: per-env, path: "{group}/{env}" }\n',
    ],
    ['misspelt key', 'main-brnch: main\n'],
    ['bare number duration', 'status: { timeout: 10 }\n'],
    ['bad duration', 'status: { timeout: 10 minutes }\n'],
    ['bad environment name', 'environments:\n  - name: Ops\n'],
    ['environment without name', 'environments:\n  - workspace: x\n'],
    ['both branch and tag', 'environments:\n  - { name: ops, on: { branch: main, tag: "x-*" } }\n'],
    ['prflow unknown', 'promotion: { prflow: per-team }\n'],
    ['path without env', 'promotion: { path: "{group}" }\n'],
    ['parity', 'parity: { mode: error, ignore: ["terraform_data.extra*"] }\n'],
    ['parity mode unknown', 'parity: { mode: strict }\n'],
    ['parity ignore not a list', 'parity: { ignore: "x.*" }\n'],
    ['unknown placeholder', 'status: { contexts: ["x/{environment}"] }\n'],
    ['auto not boolean', 'environments:\n  - { name: dev, auto: "yes" }\n'],
    ['invalid branch', 'main-branch: "a..b"\n'],
    ['empty environments', 'environments: []\n'],
    ['clusters and soak', 'status: { require: any, soak: 30m }\n'],
    ['require unknown', 'status: { require: most }\n'],
    [
      'weekly freeze',
      'freeze:\n  - { environments: [apps], weekly: "fri 16:00 - mon 08:00", timezone: Europe/Stockholm }\n',
    ],
    [
      'one-off freeze',
      'freeze:\n  - { environments: [apps], from: "2026-12-20T00:00:00Z", until: "2027-01-04" }\n',
    ],
    [
      'freeze both kinds',
      'freeze:\n  - { environments: [apps], weekly: "fri 16:00 - mon 08:00", from: "2026-12-20" }\n',
    ],
    ['freeze without environments', 'freeze:\n  - { weekly: "fri 16:00 - mon 08:00" }\n'],
  ];

  it.each(table)('%s', (_title, text) => {
    expect(validate(parse(text))).toBe(accepts(text));
  });
});

/**
 * GitHub runs JavaScript actions on Node 24: what the project shows users (README, examples, its own
 * workflows) pins majors that run on node24, and its own actions declare it. First major on node24, read
 * from each action's action.yml at its major tag; an action not in the table must be checked and added.
 */
const FIRST_NODE24_MAJOR: Record<string, number> = {
  'actions/checkout': 5,
  'actions/setup-node': 5,
  'actions/create-github-app-token': 3,
  'actions/cache': 5,
  'actions/upload-artifact': 6,
  'actions/download-artifact': 7,
  'actions/github-script': 8,
  'hashicorp/setup-terraform': 4,
  'actions/upload-pages-artifact': 5,
  'actions/deploy-pages': 5,
};

function filesUnder(dir: string, keep: (name: string) => boolean): string[] {
  return readdirSync(join(ROOT, dir), { recursive: true, encoding: 'utf8' })
    .filter((f) => keep(f) && !f.split(/[\\/]/).includes('node_modules'))
    .map((f) => join(dir, f));
}

/** `uses: owner/name[/path]@vN` references to other repositories' actions that pin a major older than node24's. */
function oldActions(file: string, text: string): string[] {
  const found: string[] = [];
  for (const m of text.matchAll(/uses:\s*["']?([\w.-]+\/[\w.-]+)[^@\s"']*@v?(\d+)/g)) {
    const [action, major] = [m[1]!, Number(m[2])];
    if (action.toLowerCase() === 'gitops-promote/gitops-promote') continue;
    const at = `${file}:${text.slice(0, m.index).split('\n').length}`;
    const first = FIRST_NODE24_MAJOR[action];
    if (first === undefined)
      found.push(`${at}: ${action}: check which major runs on node24 and add it to FIRST_NODE24_MAJOR`);
    else if (major < first)
      found.push(`${at}: ${action}@v${major} runs on Node 20 or older; use v${first} or later`);
  }
  return found;
}

describe('actions on the runner’s Node (node24)', () => {
  const shown = [
    'README.md',
    'action.yml',
    ...filesUnder('.github/workflows', (f) => /\.ya?ml$/.test(f)),
    ...filesUnder('examples', (f) => /\.(ya?ml|md)$/.test(f)),
    ...filesUnder('packages', (f) => /(^|[\\/])(action\.yml|README\.md)$/.test(f)),
  ];

  it('the scan reads the files that reference actions', () => {
    const text = shown.map((f) => readFileSync(join(ROOT, f), 'utf8')).join('\n');
    for (const action of ['actions/checkout', 'actions/create-github-app-token', 'hashicorp/setup-terraform'])
      expect(text).toContain(`uses: ${action}@`);
  });

  it.each(shown)('%s pins no action major that runs on Node 20 or older', (file) => {
    expect(oldActions(file, readFileSync(join(ROOT, file), 'utf8'))).toEqual([]);
  });

  it('finds a node20 major and an action it does not know; passes a current one and its own', () => {
    const text = [
      '- uses: actions/checkout@v4',
      '- uses: "actions/cache/restore@v5"',
      '- uses: gitops-promote/gitops-promote@v1',
      '- uses: octo/unknown@v9',
    ].join('\n');
    expect(oldActions('x.yml', text)).toEqual([
      'x.yml:1: actions/checkout@v4 runs on Node 20 or older; use v5 or later',
      'x.yml:4: octo/unknown: check which major runs on node24 and add it to FIRST_NODE24_MAJOR',
    ]);
  });

  it.each(['action.yml', ...filesUnder('packages', (f) => /(^|[\\/])action\.yml$/.test(f))])(
    '%s runs on node24 (or is a composite of the node bundles)',
    (file) => {
      const { runs } = parse(readFileSync(join(ROOT, file), 'utf8')) as ActionYml;
      expect(['node24', 'composite']).toContain(runs.using);
    },
  );

  it.each(['task.json', ...filesUnder('packages', (f) => /(^|[\\/])task\.json$/.test(f))])(
    '%s has the Node24 handler, and Node20_1 for agents without it',
    (file) => {
      const task = JSON.parse(readFileSync(join(ROOT, file), 'utf8')) as TaskJson;
      expect(Object.keys(task.execution).sort()).toEqual(['Node20_1', 'Node24']);
    },
  );
});
