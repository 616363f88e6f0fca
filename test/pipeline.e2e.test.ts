import { execFile, execFileSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { STEPS } from '@gitops-promote/core';
import { GitRemoteProvider } from '@gitops-promote/platform/providers/git';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { startAzureApi } from './doubles/azure-api';
import { startGitHubDouble } from './doubles/github-api';
import { DIST, parseGitHubOutput, ROOT, runAzure } from './support/bundle';
import { type GitFixture, git, gitFixture, tempDir } from './support/git';

/** The one-step recipe: root action.yml (composite of the step bundles) and root task.json (one bundle). */

interface CompositeStep {
  id: string;
  if?: string;
  shell: string;
  run: string;
  env: Record<string, string>;
}
interface Composite {
  inputs: Record<string, { default?: string }>;
  outputs: Record<string, { value: string }>;
  runs: { using: string; steps: CompositeStep[] };
}

const action = parse(readFileSync(join(ROOT, 'action.yml'), 'utf8')) as Composite;
const task = JSON.parse(readFileSync(join(ROOT, 'task.json'), 'utf8')) as {
  inputs: { name: string }[];
  outputVariables: { name: string }[];
};
const camel = (n: string) => n.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());

/**
 * Runs the composite action the way the runner does, for the expressions it uses: `${{ inputs.x }}`,
 * `${{ steps.id.outputs.y }}`, and `if:` conditions made of `==`, `!=` and `&&`.
 */
async function runComposite(o: { cwd: string; env: Record<string, string>; inputs: Record<string, string> }) {
  const steps: Record<string, Record<string, string>> = {};
  const inputs: Record<string, string> = {};
  for (const [k, v] of Object.entries(action.inputs))
    inputs[k] = o.inputs[k] ?? (v.default?.startsWith('${{') ? '' : (v.default ?? ''));
  if (o.inputs.token) inputs.token = o.inputs.token;
  const value = (expr: string): string => {
    const e = expr.trim();
    const m = /^(inputs|steps\.([\w-]+)\.outputs)\.([\w-]+)$/.exec(e);
    if (m) return (m[1] === 'inputs' ? inputs[m[3]!] : steps[m[2]!]?.[m[3]!]) ?? '';
    const lit = /^'(.*)'$/.exec(e);
    if (lit) return lit[1]!;
    throw new Error(`expression not understood by the test runner: ${e}`);
  };
  const expand = (s: string) => s.replace(/\$\{\{(.*?)\}\}/g, (_, e: string) => value(e));
  const condition = (s: string) =>
    s.split('&&').every((part) => {
      const [l, op, r] = part.trim().split(/\s*(==|!=)\s*/);
      return op === '==' ? value(l!) === value(r!) : value(l!) !== value(r!);
    });
  const log: string[] = [];
  const dir = tempDir('gp-composite-');
  writeFileSync(join(dir, 'summary'), '');
  for (const step of action.runs.steps) {
    if (step.if && !condition(step.if)) continue;
    const output = join(dir, `${step.id}.out`);
    writeFileSync(output, '');
    const env: Record<string, string> = {
      ...process.env,
      ...o.env,
      GITHUB_ACTIONS: 'true',
      GITHUB_ACTION_PATH: ROOT,
      GITHUB_OUTPUT: output,
      GITHUB_STEP_SUMMARY: join(dir, 'summary'),
    } as Record<string, string>;
    for (const [k, v] of Object.entries(step.env)) env[k] = expand(String(v));
    const command = step.run.replace('$GITHUB_ACTION_PATH/dist', DIST);
    // Asynchronously: the API double answers from this same process.
    const r = await new Promise<{ code: number; stdout: string }>((resolve) =>
      execFile('bash', ['-c', command], { cwd: o.cwd, env, encoding: 'utf8' }, (err, stdout) =>
        resolve({ code: err ? Number(err.code ?? 1) : 0, stdout }),
      ),
    );
    log.push(r.stdout);
    if (r.code !== 0) return { code: r.code, log: log.join('\n'), outputs: {} as Record<string, string> };
    steps[step.id] = parseGitHubOutput(readFileSync(output, 'utf8'));
  }
  const outputs: Record<string, string> = {};
  for (const [k, v] of Object.entries(action.outputs)) outputs[k] = expand(v.value);
  return { code: 0, log: log.join('\n'), outputs };
}

beforeAll(() => {
  execFileSync('terraform', ['version'], { stdio: 'ignore' });
});

function repo(): GitFixture {
  return gitFixture({
    '.gitignore': '.terraform/\nterraform.tfstate.d/\n.terraform.lock.hcl\n',
    'gitops-promote.yaml': 'status: { timeout: 5s, interval: 1s }\n',
    'main.tf':
      'resource "terraform_data" "cluster" {\n  input = terraform.workspace\n}\noutput "name" {\n  value = terraform_data.cluster.output\n}\n',
  });
}

describe('the recipe declares what the steps it runs need', () => {
  it('root action.yml and task.json have the pipeline step inputs and the same outputs', () => {
    const step = STEPS.pipeline!;
    expect(Object.keys(action.inputs).sort()).toEqual([...step.inputs].sort());
    expect(task.inputs.map((i) => i.name).sort()).toEqual(step.inputs.map(camel).sort());
    expect(task.outputVariables.map((o) => o.name).sort()).toEqual(
      Object.keys(action.outputs).map(camel).sort(),
    );
    expect(action.runs.using).toBe('composite');
  });

  it('each composite step passes only inputs its step declares, to a bundle that exists', () => {
    for (const s of action.runs.steps) {
      const name = /dist\/([\w-]+)\/index\.cjs/.exec(s.run)![1]!;
      expect(existsSync(join(DIST, name, 'index.cjs'))).toBe(true);
      const declared = STEPS[name]!.inputs.map((i) => `INPUT_${i.toUpperCase()}`);
      for (const k of Object.keys(s.env)) expect(declared, `${s.id}: ${k}`).toContain(k);
    }
  });

  it('root task.json agrees with the JSON shape Azure DevOps expects of inputs', () => {
    const validate = new Ajv2020({ strict: false }).compile({
      type: 'array',
      items: { type: 'object', required: ['name', 'type', 'label'] },
    });
    expect(validate(task.inputs)).toBe(true);
  });
});

describe('the Kubestack flow in one step', () => {
  it('GitHub (composite action): main applies ops and plans apps; the deploy tag gates and applies apps', async () => {
    const fx = repo();
    const api = await startGitHubDouble(fx.remote);
    try {
      const sha = fx.git('rev-parse', 'HEAD');
      const base = {
        ...api.env(),
        GITHUB_SHA: sha,
        GITHUB_WORKSPACE: fx.work,
        GITHUB_EVENT_NAME: 'push',
      };
      const main = await runComposite({
        cwd: fx.work,
        env: { ...base, GITHUB_REF: 'refs/heads/main' },
        inputs: { token: api.token },
      });
      expect(main.code, main.log).toBe(0);
      expect(main.outputs).toMatchObject({
        environment: 'ops',
        operation: 'apply',
        'plan-next': 'true',
        'to-add': '1',
        gate: '',
        'next-has-changes': 'true',
      });
      expect(main.outputs['next-fingerprint']).toMatch(/^[0-9a-f]{64}$/);
      git(fx.remote, 'tag', 'apps-deploy-1', sha);
      const tag = await runComposite({
        cwd: fx.work,
        env: { ...base, GITHUB_REF: 'refs/tags/apps-deploy-1' },
        inputs: { token: api.token },
      });
      expect(tag.code, tag.log).toBe(0);
      expect(tag.outputs).toMatchObject({
        environment: 'apps',
        operation: 'apply',
        gate: 'success',
        'plan-next': 'false',
      });
      expect(tag.outputs.fingerprint).toBe(main.outputs['next-fingerprint']);
      expect(api.statuses(sha).map((s) => `${s.context}=${s.state}`)).toEqual(
        expect.arrayContaining(['gitops-promote/ops=success', 'gitops-promote/apps=success']),
      );
    } finally {
      await api.close();
    }
  });

  it('Azure DevOps (root task bundle): the same flow, outputs as camelCase output variables', async () => {
    const fx = repo();
    const api = await startAzureApi({ repo: fx.remote });
    try {
      const sha = fx.git('rev-parse', 'HEAD');
      const env = { ...api.env() };
      const main = await runAzure('pipeline', { cwd: fx.work, sourceBranch: 'refs/heads/main', sha, env });
      expect(main.result, main.stdout).toBe('Succeeded');
      expect(main.outputs).toMatchObject({
        environment: 'ops',
        operation: 'apply',
        'plan-next': 'true',
        'next-has-changes': 'true',
      });
      expect(main.stdout).toContain('##vso[task.setvariable variable=nextFingerprint;isOutput=true;');
      // Azure DevOps titles each summary tab by its file's name: one per part, by step and environment.
      expect(main.summaries?.map((s) => s.name)).toEqual([
        'determine-environment · ops.md',
        'terraform-run · ops.md',
        'terraform-run · apps.md',
      ]);
      expect(main.summaries?.[2]?.text).toContain('apps');
      const tag = await runAzure('pipeline', {
        cwd: fx.work,
        sourceBranch: 'refs/tags/apps-deploy-1',
        sha,
        env,
      });
      expect(tag.result, tag.stdout).toBe('Succeeded');
      expect(tag.outputs).toMatchObject({ environment: 'apps', operation: 'apply', gate: 'success' });
      expect(tag.outputs.fingerprint).toBe(main.outputs['next-fingerprint']);
      expect(tag.summaries?.map((s) => s.name)).toEqual([
        'determine-environment · apps.md',
        'check-previous-env · apps.md',
        'terraform-run · apps.md',
      ]);
    } finally {
      await api.close();
    }
  });

  it('GitHub: a deploy tag past the gate still refuses an apps plan nobody recorded, and applies nothing', async () => {
    const fx = repo();
    const api = await startGitHubDouble(fx.remote);
    try {
      const sha = fx.git('rev-parse', 'HEAD');
      // ops reports success for the commit (the gate passes), but no plan of apps was ever recorded.
      api.addStatus(sha, {
        context: 'gitops-promote/ops',
        state: 'success',
        description: 'applied +1 ~0 -0 ±0',
      });
      const tag = await runComposite({
        cwd: fx.work,
        env: {
          ...api.env(),
          GITHUB_SHA: sha,
          GITHUB_WORKSPACE: fx.work,
          GITHUB_EVENT_NAME: 'push',
          GITHUB_REF: 'refs/tags/apps-deploy-1',
        },
        inputs: { token: api.token },
      });
      expect(tag.code).toBe(1);
      expect(tag.log).toContain(
        `apply refused: no plan was recorded for apps on ${sha.slice(0, 12)} (gitops-promote/apps/plan), and a deploy tag run (apps-deploy-1) promotes a change to apps`,
      );
      expect(tag.log).toContain('Nothing was applied.');
      expect(existsSync(join(fx.work, 'terraform.tfstate.d', 'apps', 'terraform.tfstate'))).toBe(false);
      expect(api.statuses(sha).map((st) => `${st.context}=${st.state}`)).toEqual(
        expect.arrayContaining(['gitops-promote/ops=success', 'gitops-promote/apps=failure']),
      );
      expect(api.statuses(sha).map((st) => st.context)).not.toContain('gitops-promote/apps/plan');
    } finally {
      await api.close();
    }
  });

  it('Azure DevOps: main fails when the next plan cannot be recorded, naming the permission; the tag run then refuses', async () => {
    const fx = repo();
    const api = await startAzureApi({ repo: fx.remote });
    try {
      const sha = fx.git('rev-parse', 'HEAD');
      const env = api.env();
      api.deny('GenericContribute');
      const main = await runAzure('pipeline', { cwd: fx.work, sourceBranch: 'refs/heads/main', sha, env });
      expect(main.result, main.stdout).toBe('Failed');
      expect(main.failure).toContain(
        `could not record the plan of apps for review as gitops-promote/apps/plan on ${sha.slice(0, 12)}`,
      );
      expect(main.failure).toContain(
        'Azure DevOps: allow "Contribute" on the repository for the build service identity',
      );
      expect(api.statuses(sha)).toEqual([]);
      // ops applied; its own status could not be written either, which is only a warning.
      expect(main.warnings.join('\n')).toContain('could not write the commit status gitops-promote/ops');
      api.allow('GenericContribute');
      api.addStatus(sha, {
        genre: 'gitops-promote',
        name: 'ops',
        state: 'succeeded',
        description: 'applied',
      });
      const tag = await runAzure('pipeline', {
        cwd: fx.work,
        sourceBranch: 'refs/tags/apps-deploy-1',
        sha,
        env,
      });
      expect(tag.result, tag.stdout).toBe('Failed');
      expect(tag.failure).toContain('apply refused: no plan was recorded for apps');
      expect(existsSync(join(fx.work, 'terraform.tfstate.d', 'apps', 'terraform.tfstate'))).toBe(false);
    } finally {
      await api.close();
    }
  });

  it('a deploy tag before ops succeeded stops at the gate and applies nothing', async () => {
    const fx = repo();
    const sha = fx.git('rev-parse', 'HEAD');
    const r = await runComposite({
      cwd: fx.work,
      env: {
        GITHUB_REF: 'refs/tags/apps-deploy-1',
        GITHUB_SHA: sha,
        GITHUB_WORKSPACE: fx.work,
        GITHUB_EVENT_NAME: 'push',
      },
      inputs: { provider: 'git', timeout: '1s', interval: '1s' },
    });
    expect(r.code).toBe(1);
    expect(r.log).toContain('ops has no result for commit');
    expect(existsSync(join(fx.work, 'terraform.tfstate.d', 'apps'))).toBe(false);
    expect(await new GitRemoteProvider({ cwd: fx.work }).listStatuses(sha)).toEqual([]);
  });
});

describe('every input of the recipe is checked before the gate waits or Terraform runs', () => {
  // A gate that would wait ten minutes for ops: reaching it at all shows in the double as a status read.
  const waiting = () => {
    const fx = repo();
    writeFileSync(join(fx.work, 'gitops-promote.yaml'), 'status: { timeout: 10m, interval: 1m }\n');
    return fx;
  };
  const refused =
    'pipeline: input lock-timeout: "forever" is not valid; write a number with a unit: 90s, 10m, 1h, 1h30m or 500ms';

  it('Azure DevOps: lockTimeout forever on a deploy tag fails at once; the gate is never asked', async () => {
    const fx = waiting();
    const api = await startAzureApi({ repo: fx.remote });
    try {
      const r = await runAzure('pipeline', {
        cwd: fx.work,
        sourceBranch: 'refs/tags/apps-deploy-1',
        sha: fx.git('rev-parse', 'HEAD'),
        env: api.env(),
        inputs: { 'lock-timeout': 'forever' },
      });
      expect(r.result).toBe('Failed');
      expect(r.failure).toBe(refused);
      expect(api.requests).toEqual([]);
      expect(r.stdout).not.toContain('gate:');
      expect(existsSync(join(fx.work, '.terraform'))).toBe(false);
    } finally {
      await api.close();
    }
  });

  it('GitHub (composite action): the same, and a var file outside the repository likewise', async () => {
    const fx = waiting();
    const api = await startGitHubDouble(fx.remote);
    try {
      const env = {
        ...api.env(),
        GITHUB_REF: 'refs/tags/apps-deploy-1',
        GITHUB_SHA: fx.git('rev-parse', 'HEAD'),
        GITHUB_WORKSPACE: fx.work,
        GITHUB_EVENT_NAME: 'push',
      };
      const r = await runComposite({
        cwd: fx.work,
        env,
        inputs: { token: api.token, 'lock-timeout': 'forever' },
      });
      expect(r.code).toBe(1);
      expect(r.log).toContain(`::error::${refused}`);
      expect(r.log).not.toContain('gate:');
      const outside = await runComposite({
        cwd: fx.work,
        env,
        inputs: { token: api.token, 'var-files': '../outside.tfvars' },
      });
      expect(outside.code).toBe(1);
      expect(outside.log).toContain(
        '::error::pipeline: input var-files: "../outside.tfvars" is not valid; it leads to',
      );
      expect(api.requests).toEqual([]);
      expect(existsSync(join(fx.work, '.terraform'))).toBe(false);
    } finally {
      await api.close();
    }
  });

  it('terraform.working-directory in the configuration that leads out stops the recipe, naming file, line and key', async () => {
    const fx = repo();
    writeFileSync(join(fx.work, 'gitops-promote.yaml'), 'terraform:\n  working-directory: ../\n');
    const api = await startAzureApi({ repo: fx.remote });
    try {
      const r = await runAzure('pipeline', {
        cwd: fx.work,
        sourceBranch: 'refs/heads/main',
        sha: fx.git('rev-parse', 'HEAD'),
        env: api.env(),
      });
      expect(r.failure).toBe(
        `pipeline: gitops-promote.yaml:2:22: terraform.working-directory: "../": it leads to ${join(fx.work, '..')}, outside the repository ${fx.work}; give a directory inside the repository`,
      );
      expect(api.requests).toEqual([]);
    } finally {
      await api.close();
    }
  });

  it('the configuration is read by every part, its XKS warning said once', async () => {
    const fx = repo();
    rmSync(join(fx.work, 'gitops-promote.yaml'));
    writeFileSync(
      join(fx.work, 'gitops-promotion.yaml'),
      'environments:\n  - name: dev\n  - name: prod\ngroups:\n  apps: {}\n',
    );
    const r = await runAzure('pipeline', {
      cwd: fx.work,
      sourceBranch: 'refs/heads/main',
      sha: fx.git('rev-parse', 'HEAD'),
      inputs: { 'lock-timeout': 'forever', provider: 'git' },
    });
    expect(r.failure).toBe(refused);
    expect(r.warnings).toEqual([
      'gitops-promotion.yaml: ignoring groups: gitops-promote does not act on this XKS key (feature environments are not supported)',
    ]);
  });
});
