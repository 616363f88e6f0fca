import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { STEPS } from '@gitops-promote/core';
import { credentialsIn } from '@gitops-promote/platform/log-safety';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type AzureDevOpsApi, startAzureApi } from './doubles/azure-api';
import { type GitHubApiDouble, startGitHubDouble } from './doubles/github-api';
import { type BundleRun, bundlePath, runAzure, runGitHub, runTerminal } from './support/bundle';
import { type GitFixture, git, gitFixture, tempDir } from './support/git';
import { githubProviderOn, requireTerraform } from './support/hosts';

/**
 * No secret reaches a log, on any platform, with debug logging on: every step bundle (and the recipe)
 * with a token, a backend access key, a command-line password and a URL with credentials, on success
 * and on the error paths (the hosting service refuses the token, a remote cannot be reached).
 * On GitHub and Azure DevOps a value may appear in exactly one kind of line: the command that registers
 * it as a secret (`::add-mask::`, `##vso[task.setsecret]`), and that line must come before any other
 * line that would show it. From a terminal, a value never appears.
 */

const TOKEN = 'gp-token-5b1e0c7a9d3f41';
const WORKFLOW_TOKEN = 'gp-workflow-token-8c2d';
const ACCESS_KEY = 'gp-access-key-AKIA7QX2';
const SAS_TOKEN = 'gp-sas-sv2024sig9f1';
const PASSWORD = 'gp-password-h7Kq2w';
const URL_PASSWORD = 'gp-url-password-3e8d';
const SECRETS = [TOKEN, WORKFLOW_TOKEN, ACCESS_KEY, SAS_TOKEN, PASSWORD, URL_PASSWORD];

const CONFIG = `environments:
  - { name: ops, on: { branch: main } }
  - { name: apps, on: { tag: "apps-deploy-*" } }
terraform: { working-directory: infra, lock-timeout: 30s }
status: { timeout: 2s, interval: 1s }
`;
// On apply, the provisioner writes the environment Terraform's children see to PROBE_FILE (when set).
const MAIN_TF = `resource "terraform_data" "cluster" {
  input = terraform.workspace
  provisioner "local-exec" {
    command = "if [ -n \\"$PROBE_FILE\\" ]; then env > \\"$PROBE_FILE\\"; fi"
  }
}
`;
const PROBE_RENDER = `import { writeFileSync } from 'node:fs';
writeFileSync(process.env.PROBE_FILE, Object.entries(process.env).map(([k, v]) => k + '=' + v).join('\\n'));
console.log('apiVersion: v1\\nkind: ConfigMap\\nmetadata: {name: probe}\\ndata: {a: b}');
`;
const RENDER = `console.log('apiVersion: v1\\nkind: ConfigMap\\nmetadata: {name: settings, namespace: ' + process.argv[2] + '}\\ndata: {a: b}');\n`;

/** Inputs that carry secrets, for the steps that take them. */
const TERRAFORM = {
  'backend-config': `access_key=${ACCESS_KEY}\npath=terraform.tfstate`,
  'init-args': `-backend-config=sas_token=${SAS_TOKEN}`,
};

beforeAll(requireTerraform);

type Platform = 'azure' | 'github' | 'terminal';

interface Host {
  run(step: string, inputs: Record<string, string>, env?: Record<string, string>): Promise<BundleRun>;
  /** The previous environment's success, as the hosting service would hold it. */
  succeeded(sha: string, env: string): void;
  statuses(sha: string): unknown[];
  close(): Promise<void>;
}

/** Lines of a run that show a secret in clear, as the platform would display them. */
function leaks(platform: Platform, r: BundleRun, secret: string): string[] {
  const register =
    platform === 'azure' ? '##vso[task.setsecret]' : platform === 'github' ? '::add-mask::' : undefined;
  const shown: string[] = [];
  let masked = false;
  for (const line of r.stdout.split('\n')) {
    if (!line.includes(secret)) continue;
    if (register && line === `${register}${secret}`) masked = true;
    else if (!masked) shown.push(line);
  }
  for (const line of r.stderr.split('\n')) if (line.includes(secret)) shown.push(`stderr: ${line}`);
  if (r.summary.includes(secret)) shown.push(`summary: ${r.summary}`);
  for (const [k, v] of Object.entries(r.outputs)) if (v.includes(secret)) shown.push(`output ${k}: ${v}`);
  return shown;
}

/** Lines other than the registration itself that carry the token, masked or not: nothing echoes it. */
function echoes(platform: Platform, r: BundleRun, secret: string): string[] {
  const register = platform === 'azure' ? '##vso[task.setsecret]' : '::add-mask::';
  return `${r.stdout}\n${r.stderr}`
    .split('\n')
    .filter((l) => l.includes(secret) && l !== `${register}${secret}`);
}

function expectNoSecretShown(platform: Platform, r: BundleRun): void {
  for (const secret of SECRETS) expect(leaks(platform, r, secret), secret).toEqual([]);
  expect(echoes(platform, r, TOKEN)).toEqual([]);
  if (platform !== 'terminal') expectRegisteredFirst(platform, r, TOKEN);
}

/** The token is registered before the step writes anything (only debug lines may come earlier). */
function expectRegisteredFirst(platform: Platform, r: BundleRun, token: string): void {
  const lines = r.stdout.split('\n');
  const at = lines.indexOf(`${platform === 'azure' ? '##vso[task.setsecret]' : '::add-mask::'}${token}`);
  expect(at, 'the token is registered as a secret').toBeGreaterThanOrEqual(0);
  expect(
    lines.slice(0, at).filter((l) => !/^(##vso\[task\.(debug|setsecret)\]|::add-mask::)/.test(l)),
  ).toEqual([]);
}

function expectOk(r: BundleRun): void {
  expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
  expect(r.failure).toBeUndefined();
}

let fx: GitFixture;
let sha: string;

beforeEach(() => {
  fx = gitFixture({
    'gitops-promote.yaml': CONFIG,
    'infra/main.tf': MAIN_TF,
    'render.mjs': RENDER,
    'probe.mjs': PROBE_RENDER,
    '.gitignore': '.terraform*\nterraform.tfstate*\n*.tfplan\n',
  });
  sha = fx.git('rev-parse', 'HEAD');
});

async function azureHost(token = TOKEN): Promise<Host> {
  const api: AzureDevOpsApi = await startAzureApi({ repo: fx.remote, token });
  // No SYSTEM_ACCESSTOKEN: the token input is the only way in, so a step that ignored it would fail.
  const { SYSTEM_ACCESSTOKEN: _, ...env } = api.env();
  return {
    run: (step, inputs, extra) =>
      runAzure(step, {
        cwd: fx.work,
        sha,
        env: { ...env, SYSTEM_DEBUG: 'true', ...extra },
        inputs: { token: TOKEN, ...inputs },
      }),
    succeeded: (s, e) => api.addStatus(s, { genre: 'gitops-promote', name: e, state: 'succeeded' }),
    statuses: (s) => api.statuses(s),
    close: () => api.close(),
  };
}

async function githubHost(token = TOKEN): Promise<Host> {
  const api: GitHubApiDouble = await startGitHubDouble(fx.remote, { token });
  return {
    run: (step, inputs, extra) =>
      runGitHub(step, {
        cwd: fx.work,
        sha,
        env: {
          ...api.env(),
          ACTIONS_STEP_DEBUG: 'true',
          RUNNER_DEBUG: '1',
          ...extra,
        },
        inputs: { token: TOKEN, ...inputs },
      }),
    succeeded: (s, e) => api.addStatus(s, { context: `gitops-promote/${e}`, state: 'success' }),
    statuses: (s) => api.statuses(s),
    close: () => api.close(),
  };
}

/** A terminal talking to GitHub (`--provider github --token …`), debug on. */
async function terminalHost(token = TOKEN): Promise<Host> {
  const api: GitHubApiDouble = await startGitHubDouble(fx.remote, { token });
  return {
    run: (step, inputs, extra) => {
      const all: Record<string, string> = { token: TOKEN, provider: 'github', ...inputs };
      const accepted = STEPS[step]!.inputs;
      return runTerminal(step, {
        cwd: fx.work,
        env: {
          ...api.env(),
          GITOPS_PROMOTE_DEBUG: '1',
          RUNNER_DEBUG: '1',
          ...extra,
        },
        inputs: Object.fromEntries(Object.entries(all).filter(([k, v]) => accepted.includes(k) && v !== '')),
      });
    },
    succeeded: (s, e) => api.addStatus(s, { context: `gitops-promote/${e}`, state: 'success' }),
    statuses: (s) => api.statuses(s),
    close: () => api.close(),
  };
}

const HOSTS: [Platform, (token?: string) => Promise<Host>][] = [
  ['azure', azureHost],
  ['github', githubHost],
  ['terminal', terminalHost],
];

describe.each(HOSTS)('%s, debug logging on', (platform, start) => {
  let host: Host;
  beforeEach(async () => {
    host = await start();
  });
  afterEach(async () => {
    await host.close();
  });

  it('determine-environment', async () => {
    const r = await host.run('determine-environment', {});
    expectOk(r);
    expect(r.outputs).toMatchObject({ environment: 'ops', operation: 'apply' });
    expectNoSecretShown(platform, r);
  });

  it('terraform-run: a plan recorded as a status, backend credentials in backend-config and init-args', async () => {
    const r = await host.run('terraform-run', { environment: 'ops', operation: 'plan', ...TERRAFORM });
    expectOk(r);
    // The token reached the hosting service: the plan was recorded with it.
    expect(JSON.stringify(host.statuses(sha))).toContain('ops/plan');
    expectNoSecretShown(platform, r);
  });

  it('check-previous-env', async () => {
    host.succeeded(sha, 'ops');
    const r = await host.run('check-previous-env', { environment: 'apps', sha });
    expectOk(r);
    expect(r.outputs.state).toBe('success');
    expectNoSecretShown(platform, r);
  });

  it('promote-tag (git-tag), with a workflow token beside the token', async () => {
    host.succeeded(sha, 'ops');
    const r = await host.run('promote-tag', {
      'from-environment': 'ops',
      sha,
      'workflow-token': WORKFLOW_TOKEN,
    });
    expectOk(r);
    expect(r.outputs.created).toBe('true');
    expect(git(fx.remote, 'tag', '--list', 'apps-deploy-*')).toBe(r.outputs.tag);
    expectNoSecretShown(platform, r);
  });

  it('render-manifests: a command with a password, published through the hosting service', async () => {
    const r = await host.run('render-manifests', {
      environment: 'ops',
      renderer: 'command',
      command: `node render.mjs {env} --set db.password=${PASSWORD}`,
      mode: 'publish',
    });
    expectOk(r);
    expect(r.outputs.changed).toBe('true');
    expectNoSecretShown(platform, r);
  });

  it('render-manifests: a target URL with credentials that cannot be reached', async () => {
    const r = await host.run('render-manifests', {
      environment: 'ops',
      renderer: 'command',
      command: 'node render.mjs {env}',
      mode: 'publish',
      'target-repository': `http://gp-user:${URL_PASSWORD}@127.0.0.1:9/manifests.git`,
    });
    expect(r.code).toBe(1);
    expect(r.failure).toContain('***@127.0.0.1:9');
    expectNoSecretShown(platform, r);
  });

  it('the job token from the environment (no token input) is registered and masked too', async () => {
    host.succeeded(sha, 'ops');
    const variable = platform === 'azure' ? 'SYSTEM_ACCESSTOKEN' : 'GITHUB_TOKEN';
    const r = await host.run(
      'check-previous-env',
      { environment: 'apps', sha, token: '' },
      { [variable]: TOKEN },
    );
    expectOk(r);
    expect(r.outputs.state).toBe('success');
    expectNoSecretShown(platform, r);
  });

  it('commands the step starts (Terraform, a render command) see none of its inputs', async () => {
    const probes = tempDir('gp-probe-');
    // What the Azure DevOps agent hands a task besides inputs: secret variables, service connection and
    // secure file credentials. The task keeps them; its children must not inherit them.
    const agentSecrets: Record<string, string> =
      platform === 'azure'
        ? {
            SECRET_DEPLOY_PASSWORD: 'gp-secret-variable-value',
            ENDPOINT_AUTH_PARAMETER_SVC_ACCESSTOKEN: 'gp-endpoint-token',
            SECUREFILE_TICKET_KUBECONFIG: 'gp-secure-file-ticket',
            VSTS_TASKVARIABLE_PREVIOUS: 'gp-task-variable',
          }
        : {};
    const terraformEnv = join(probes, 'terraform.env');
    const applied = await host.run(
      'terraform-run',
      { environment: 'ops', operation: 'apply', ...TERRAFORM },
      { PROBE_FILE: terraformEnv, ...agentSecrets },
    );
    expectOk(applied);
    const renderEnv = join(probes, 'render.env');
    const rendered = await host.run(
      'render-manifests',
      { environment: 'ops', renderer: 'command', command: 'node probe.mjs {env}', mode: 'publish' },
      { PROBE_FILE: renderEnv, ...agentSecrets },
    );
    expectOk(rendered);
    for (const file of [terraformEnv, renderEnv]) {
      const seen = readFileSync(file, 'utf8');
      // The probe really ran with the step's environment: it saw the variable the test set.
      expect(seen).toContain(`PROBE_FILE=${file}`);
      const vaulted = /^(INPUT|SECRET|ENDPOINT_AUTH|SECUREFILE_TICKET|VSTS_TASKVARIABLE)_/i;
      expect(seen.split('\n').filter((l) => vaulted.test(l))).toEqual([]);
      for (const secret of [TOKEN, ACCESS_KEY, SAS_TOKEN, ...Object.values(agentSecrets)])
        expect(seen).not.toContain(secret);
    }
  });

  it('the recipe (pipeline): apply ops, then plan apps', async () => {
    const r = await host.run('pipeline', { ...TERRAFORM, 'require-reviewed-plan': 'off' });
    expectOk(r);
    expect(r.outputs).toMatchObject({ environment: 'ops', operation: 'apply' });
    expectNoSecretShown(platform, r);
  });
});

describe.each(HOSTS)('%s, the hosting service refuses the token', (platform, start) => {
  let host: Host;
  beforeEach(async () => {
    host = await start('gp-the-token-the-service-wants');
  });
  afterEach(async () => {
    await host.close();
  });

  it('the failure names the refusal, not the token', async () => {
    host.succeeded(sha, 'ops');
    const r = await host.run('check-previous-env', { environment: 'apps', sha });
    expect(r.code).toBe(1);
    expect(r.failure).toMatch(/HTTP 401/);
    expectNoSecretShown(platform, r);
  });

  it('terraform-run: the plan status it cannot write is reported, naming no secret', async () => {
    const r = await host.run('terraform-run', { environment: 'ops', operation: 'plan', ...TERRAFORM });
    // A warning today; a failure once an unrecorded plan fails its step: either way it names the refusal.
    expect([r.failure ?? '', ...r.warnings].join('\n')).toMatch(/HTTP 401/);
    expectNoSecretShown(platform, r);
  });
});

describe('credentialsIn: which parts of backend-config, init-args, target-repository and command are secrets', () => {
  it.each([
    ['access_key=AK1\nkey=prod.tfstate\nbucket=state', ['AK1']],
    ['-backend-config=sas_token=sv=2024&sig=x -upgrade', ['sv=2024&sig=x']],
    ['client_secret="s3cr3t"\nuse_azuread_auth=true\nskip_credentials_validation=true', ['s3cr3t']],
    ['conn_str=postgres://app:pw1@db/state', ['pw1', 'postgres://app:pw1@db/state']],
    ['https://ghp_tok@github.com/o/r.git', ['ghp_tok']],
    ['node render.mjs {env} --set db.password=hunter22', ['hunter22']],
    ['overlays/{env}', []],
    ['backend.hcl\nregion=eu-west-1', []],
  ])('%j → %j', (text, secrets) => {
    expect(credentialsIn(text).sort()).toEqual([...secrets].sort());
  });
});

describe('comments the steps write', () => {
  it('GitHub: a password in a render command is hidden in the pull request comment too', async () => {
    const api = await startGitHubDouble(fx.remote, { token: TOKEN });
    try {
      fx.git('checkout', '-q', '-b', 'feature/render');
      const feature = fx.commit({ 'render.mjs': RENDER.replace('a: b', 'a: c') }, 'change the render');
      fx.git('push', '-q', 'origin', 'feature/render');
      const pr = await githubProviderOn(api, { log: () => {}, env: {} }).createPullRequest({
        head: 'feature/render',
        base: 'main',
        title: 'render',
        body: '',
      });
      const r = await runGitHub('render-manifests', {
        cwd: fx.work,
        sha: feature,
        event: 'pull_request',
        ref: `refs/pull/${pr.number}/merge`,
        payload: {
          pull_request: {
            number: pr.number,
            base: { ref: 'main' },
            head: { ref: 'feature/render', sha: feature },
          },
        },
        env: api.env(),
        inputs: {
          token: TOKEN,
          environment: 'ops',
          renderer: 'command',
          command: `node render.mjs {env} --set db.password=${PASSWORD}`,
          mode: 'verify',
        },
      });
      expectOk(r);
      const bodies = api.comments(pr.number).map((c) => String(c.body));
      expect(bodies).toHaveLength(1);
      // The comment is there and shows the command, with the password as ***.
      expect(bodies[0]).toContain('--set db.password=***');
      expect(bodies[0]).not.toContain(PASSWORD);
    } finally {
      await api.close();
    }
  });
});

describe('the terminal', () => {
  it.each([[TOKEN], [`access_key=${ACCESS_KEY}`], ['plan']])(
    'a stray argument %s is named by its place, never shown',
    (arg) => {
      let out = '';
      try {
        execFileSync(process.execPath, [bundlePath('determine-environment'), '--event', 'push', arg], {
          cwd: fx.work,
          encoding: 'utf8',
          stdio: 'pipe',
        });
      } catch (e) {
        const err = e as { stdout: string; stderr: string; status: number };
        expect(err.status).not.toBe(0);
        out = `${err.stdout}${err.stderr}`;
      }
      expect(out).toContain(
        `unexpected argument 3 (${arg.length} characters, not shown: it may be a secret); inputs are given as --<input> <value>`,
      );
      expect(out).not.toContain(arg);
      for (const secret of SECRETS) expect(out).not.toContain(secret);
    },
  );
});
