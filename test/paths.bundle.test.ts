import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AzureDevOpsApi, startAzureApi } from './doubles/azure-api';
import { type GitHubApiDouble, isWrite, startGitHubDouble } from './doubles/github-api';
import { type BundleRun, bundlePath, runAzure, runGitHub, runTerminal } from './support/bundle';
import { type GitFixture, git, gitFixture, tempDir } from './support/git';

/**
 * Paths leave the repository: every path input, each way out (.., absolute, a symbolic link, a/../..,
 * a template whose environment leads out), on GitHub, Azure DevOps and a terminal, through the built
 * bundles. Each is refused with one message naming the input, before any command runs or anything is
 * written: no request to write in the API doubles, no ref in the bare remote, no file outside.
 */

const CONFIG =
  'environments:\n  - { name: dev, on: { branch: main } }\n  - { name: prod, on: { tag: "prod-deploy-*" } }\n';
const KUSTOMIZATION = 'resources:\n  - cm.yaml\n';
const CM = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: leaked\ndata:\n  secret: from-outside\n';

// The fixture is made as the file loads: the table below names its paths.
const fx: GitFixture = gitFixture({
  'gitops-promote.yaml': CONFIG,
  'main.tf': 'variable "size" {\n  default = "small"\n}\noutput "size" {\n  value = var.size\n}\n',
  'overlays/dev/kustomization.yaml': KUSTOMIZATION,
  'overlays/dev/cm.yaml': CM.replace('leaked', 'dev'),
});
const root = realpathSync(fx.work);
// Beside the checkout, where `../outside` leads: a Terraform configuration, secrets and overlays.
const outside = join(dirname(root), 'outside');
for (const env of ['dev', 'prod']) {
  mkdirSync(join(outside, env), { recursive: true });
  writeFileSync(join(outside, env, 'kustomization.yaml'), KUSTOMIZATION);
  writeFileSync(join(outside, env, 'cm.yaml'), CM);
}
writeFileSync(join(outside, 'main.tf'), 'output "pwned" {\n  value = "outside"\n}\n');
writeFileSync(join(outside, 'secret.tfvars'), 'size = "stolen"\n');
writeFileSync(join(outside, 'backend.hcl'), 'path = "stolen.tfstate"\n');
writeFileSync(join(outside, 'gitops-promote.yaml'), CONFIG);
// Links in the checkout (as a cloned repository may hold them) that point out of it.
symlinkSync(outside, join(root, 'link'));
symlinkSync(join(outside, 'prod'), join(root, 'overlays', 'prod'));
const temp = realpathSync(tempDir('gp-job-temp-'));
let gh: GitHubApiDouble;
let az: AzureDevOpsApi;

beforeAll(async () => {
  for (const step of ['terraform-run', 'render-manifests', 'pipeline'])
    if (!existsSync(bundlePath(step))) throw new Error(`${bundlePath(step)} is missing: run npm run build`);
  execFileSync('terraform', ['version'], { stdio: 'ignore' });
  gh = await startGitHubDouble(fx.remote);
  az = await startAzureApi({ repo: fx.remote });
});

afterAll(async () => {
  await gh?.close();
  await az?.close();
});

type Platform = 'github' | 'azure' | 'terminal';
const PLATFORMS: Platform[] = ['github', 'azure', 'terminal'];

function run(platform: Platform, step: string, inputs: Record<string, string>): Promise<BundleRun> {
  const sha = fx.git('rev-parse', 'HEAD');
  if (platform === 'github')
    return runGitHub(step, {
      cwd: root,
      sha,
      env: { ...gh.env(), RUNNER_TEMP: temp },
      inputs: { token: gh.token, ...inputs },
    });
  if (platform === 'azure')
    return runAzure(step, { cwd: root, sha, env: { ...az.env(), AGENT_TEMPDIRECTORY: temp }, inputs });
  return runTerminal(step, { cwd: root, inputs });
}

/** Every file below `dir`, links not followed. */
function filesBelow(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

/** What could have been written: requests that write, refs of the remote (notes too), files outside, plans. */
function writes() {
  return {
    github: gh.requests.filter(isWrite).length,
    azure: az.requests.filter((r) => r.method !== 'GET').length,
    refs: git(fx.remote, 'for-each-ref', '--format=%(refname) %(objectname)'),
    outside: filesBelow(outside),
    // The job temp folder holds the platform's own files (Azure's task key and summaries); no plan may appear.
    plans: filesBelow(temp).filter((f) => /tfplan/.test(f)),
    terraform: existsSync(join(root, '.terraform')),
  };
}

// Each way out: the value given, and where it really leads (below `outside`).
const WAYS: [string, (rest: string) => string][] = [
  ['..', (rest) => `../outside${rest}`],
  ['an absolute path', (rest) => `${outside}${rest}`],
  ['a symbolic link in the checkout', (rest) => `link${rest}`],
  ['a/../..', (rest) => `a/../../outside${rest}`],
];

interface Case {
  step: 'terraform-run' | 'render-manifests' | 'pipeline';
  input: string;
  /** `rest` after the way out, e.g. `/secret.tfvars`. */
  rest: string;
  inputs?: Record<string, string>;
  /** What is valid, as the message ends; `temp` when the job temp folder is allowed. */
  valid: string;
  temp?: boolean;
  /** The value written into the input, from the way out (templates: `{env}` in it). */
  value?: (path: string) => string;
  /** Where it leads, when not `outside + rest`. */
  leads?: string;
}

const CASES: Case[] = [
  {
    step: 'terraform-run',
    input: 'working-directory',
    rest: '',
    inputs: { environment: 'dev' },
    valid: 'give a directory inside the repository',
  },
  {
    step: 'terraform-run',
    input: 'var-files',
    rest: '/secret.tfvars',
    inputs: { environment: 'dev' },
    valid: 'give a path inside the repository',
    temp: true,
  },
  {
    step: 'terraform-run',
    input: 'backend-config',
    rest: '/backend.hcl',
    inputs: { environment: 'dev' },
    valid: 'give a path inside the repository',
    temp: true,
  },
  {
    step: 'terraform-run',
    input: 'config',
    rest: '/gitops-promote.yaml',
    inputs: { environment: 'dev' },
    valid: 'give the path of a gitops-promote.yaml inside the repository',
  },
  {
    step: 'render-manifests',
    input: 'source',
    rest: '/{env}',
    inputs: { environment: 'dev', 'target-path': 'deploy/{env}' },
    valid: 'give the kustomization directory of dev, inside the repository',
    leads: '/dev',
  },
  {
    step: 'render-manifests',
    input: 'config',
    rest: '/gitops-promote.yaml',
    inputs: { environment: 'dev', source: 'overlays/{env}' },
    valid: 'give the path of a gitops-promote.yaml inside the repository',
  },
  {
    step: 'pipeline',
    input: 'working-directory',
    rest: '',
    valid: 'give a directory inside the repository',
  },
  {
    step: 'pipeline',
    input: 'var-files',
    rest: '/secret.tfvars',
    valid: 'give a path inside the repository',
    temp: true,
  },
];

const TABLE = CASES.flatMap((c) =>
  WAYS.flatMap(([way, value]) =>
    PLATFORMS.map((platform) => ({ ...c, way, given: value(c.rest), platform })),
  ),
);

describe.each(TABLE)('$step $input through $way on $platform', (c) => {
  it('is refused with one message naming the input; nothing runs, nothing is written', async () => {
    const before = writes();
    const r = await run(c.platform, c.step, { ...c.inputs, [c.input]: c.given });
    const leads = join(outside, (c.leads ?? c.rest).replace('{env}', 'dev'));
    const withTemp = c.temp && c.platform !== 'terminal';
    const valid = withTemp ? `${c.valid} or the job temp folder` : c.valid;
    expect(r.failure, r.stdout + r.stderr).toBe(
      `${c.step}: input ${c.input}: ${JSON.stringify(c.given)} is not valid; it leads to ${leads}, outside the repository ${root}${withTemp ? ` or the job temp folder ${temp}` : ''}; ${valid}`,
    );
    expect(r.code).toBe(1);
    expect(`${r.stdout}${r.stderr}`).not.toMatch(/init -input=false|kustomize build|kubectl kustomize/);
    expect(writes()).toEqual(before);
  });
});

describe('a template that leads out for one environment is refused for all, before any render', () => {
  it.each(PLATFORMS)('%s: overlays/{env} where overlays/prod is a link out', async (platform) => {
    const before = writes();
    const r = await run(platform, 'render-manifests', {
      environment: 'dev\nprod',
      source: 'overlays/{env}',
      'target-path': 'deploy/{env}',
    });
    expect(r.failure).toBe(
      `render-manifests: input source: "overlays/{env}" is not valid; it leads to ${join(outside, 'prod')}, outside the repository ${root}; give the kustomization directory of prod, inside the repository`,
    );
    expect(`${r.stdout}${r.stderr}`).not.toMatch(/kustomize/);
    expect(writes()).toEqual(before);
  });

  it.each(PLATFORMS.flatMap((p) => ['../{env}', '/srv/{env}', 'a/../../{env}'].map((t) => [p, t] as const)))(
    '%s: target-path %s stays inside the target repository tree',
    async (platform, template) => {
      const before = writes();
      const r = await run(platform, 'render-manifests', {
        environment: 'dev',
        source: 'overlays/{env}',
        'target-path': template,
      });
      expect(r.failure).toBe(
        `render-manifests: input target-path: ${JSON.stringify(template)} is not valid; give a folder inside the repository, relative to its root, without "..", "\\" or .git (e.g. {env} or clusters/{env})`,
      );
      expect(`${r.stdout}${r.stderr}`).not.toMatch(/kustomize/);
      expect(writes()).toEqual(before);
    },
  );
});

describe('init-args cannot bring in what backend-config and var-files may not', () => {
  it.each(PLATFORMS)('%s: -backend-config=../outside/backend.hcl in init-args', async (platform) => {
    const before = writes();
    const r = await run(platform, 'terraform-run', {
      environment: 'dev',
      'init-args': '-backend-config=../outside/backend.hcl',
    });
    const temp_ = platform === 'terminal' ? '' : ` or the job temp folder ${temp}`;
    expect(r.failure).toBe(
      `terraform-run: input init-args: "-backend-config=../outside/backend.hcl" is not valid; it leads to ${join(outside, 'backend.hcl')}, outside the repository ${root}${temp_}; give a path inside the repository${temp_ ? ' or the job temp folder' : ''}`,
    );
    expect(writes()).toEqual(before);
  });
});

describe('the job temp folder is allowed for var-files and backend-config files', () => {
  it.each(['github', 'azure'] as const)(
    '%s: a var file and a backend file in the job temp folder are used',
    async (platform) => {
      const vars = join(temp, `${platform}.tfvars`);
      const backend = join(temp, `${platform}-backend.hcl`);
      writeFileSync(vars, 'size = "large"\n');
      writeFileSync(backend, `path = "${join(temp, `${platform}.tfstate`)}"\n`);
      const r = await run(platform, 'terraform-run', {
        environment: 'dev',
        'var-files': vars,
        'backend-config': `${backend}\nworkspace_dir=${join(temp, `${platform}-ws`)}`,
        status: 'false',
        comment: 'off',
        summary: 'false',
      });
      expect(r.code, `${r.failure}\n${r.stdout}`).toBe(0);
      expect(JSON.parse(r.outputs.outputs!)).toEqual({ size: 'large' });
      expect(r.stdout).toContain(`-backend-config=${backend}`);
    },
  );

  it('a terminal has no job temp folder: the same file is refused there', async () => {
    const vars = join(temp, 'terminal.tfvars');
    writeFileSync(vars, 'size = "large"\n');
    const r = await run('terminal', 'terraform-run', { environment: 'dev', 'var-files': vars });
    expect(r.failure).toBe(
      `terraform-run: input var-files: ${JSON.stringify(vars)} is not valid; it leads to ${vars}, outside the repository ${root}; give a path inside the repository`,
    );
  });
});
