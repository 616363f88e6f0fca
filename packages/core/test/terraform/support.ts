import { type ChildProcessWithoutNullStreams, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { GitopsError } from '../../src/errors';
import type { Annotation, RunContext, Runtime, Services } from '../../src/runtime';

/**
 * These tests run the real Terraform. Missing it is a failure, never a skip: a green run without it
 * would prove nothing about the commands this project builds.
 */
export function requireTerraform(): string {
  try {
    const version = execFileSync('terraform', ['version', '-json'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    return (JSON.parse(version) as { terraform_version: string }).terraform_version;
  } catch (e) {
    throw new Error(
      `terraform is not on PATH (${(e as Error).message}). The terraform-run tests need the real terraform ` +
        '1.x binary (offline is fine: they use only the built-in terraform_data resource). Install it and run again.',
    );
  }
}

/** A configuration of a few terraform_data resources, two variables and two outputs (one sensitive). */
export const CONFIGURATION = `
variable "size" {
  type    = string
  default = "small"
}

variable "generation" {
  type    = number
  default = 1
}

variable "token" {
  type      = string
  default   = "tok-3f9a1c77e2d04b5a"
  sensitive = true
}

resource "terraform_data" "app" {
  input = var.size
}

resource "terraform_data" "db" {
  input            = "db-\${var.size}"
  triggers_replace = [var.generation]
}

resource "terraform_data" "cache" {
  count = 2
  input = { shard = count.index, secret = var.token }
}

output "size" {
  value = terraform_data.app.output
}

output "token" {
  value     = var.token
  sensitive = true
}
`;

export const TOKEN = 'tok-3f9a1c77e2d04b5a';

const made: string[] = [];

/** Removes every repository and plan directory the tests made (call from afterAll). */
export function removeTemporaryDirectories(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** A repository root with the Terraform configuration in `infra/` (local backend) and an optional gitops-promote.yaml. */
export function makeRepository(config?: string): { root: string; infra: string } {
  const root = mkdtempSync(join(tmpdir(), 'gp-tf-'));
  made.push(root);
  const infra = join(root, 'infra');
  mkdirSync(infra);
  writeFileSync(join(infra, 'main.tf'), CONFIGURATION);
  if (config !== undefined) writeFileSync(join(root, 'gitops-promote.yaml'), config);
  return { root, infra };
}

export const CONFIG_YAML = `
environments:
  - name: ops
    on: { branch: main }
  - name: apps
    workspace: apps
    on: { tag: "apps-deploy-*" }
terraform:
  working-directory: infra
  lock-timeout: 2s
`;

export interface Logged {
  level: 'debug' | 'info' | 'warning' | 'error';
  message: string;
  annotation?: Annotation;
}

/** A Runtime that records everything a step does. */
export class TestRuntime implements Runtime {
  readonly platform = 'terminal' as const;
  readonly context: RunContext;
  readonly outputs: Record<string, string> = {};
  readonly logs: Logged[] = [];
  readonly groups: string[] = [];
  readonly secrets: string[] = [];
  readonly summaries: string[] = [];
  failure: string | undefined;

  constructor(
    private readonly inputs: Record<string, string>,
    context: Partial<RunContext> & { workspace: string },
  ) {
    this.context = { sha: 'a'.repeat(40), ref: 'refs/heads/main', event: 'push', ...context };
  }

  input(name: string): string {
    return this.inputs[name] ?? '';
  }
  setOutput(name: string, value: string): void {
    this.outputs[name] = value;
    if (name === 'plan-file') made.push(dirname(value));
  }
  setSecret(value: string): void {
    this.secrets.push(value);
  }
  debug(message: string): void {
    this.logs.push({ level: 'debug', message });
  }
  info(message: string): void {
    this.logs.push({ level: 'info', message });
  }
  warnResult(message: string): void {
    this.logs.push({ level: 'warning', message });
  }
  warning(message: string, annotation?: Annotation): void {
    this.logs.push({ level: 'warning', message, ...(annotation ? { annotation } : {}) });
  }
  error(message: string, annotation?: Annotation): void {
    this.logs.push({ level: 'error', message, ...(annotation ? { annotation } : {}) });
  }
  async group<T>(title: string, fn: () => Promise<T>): Promise<T> {
    this.groups.push(title);
    return fn();
  }
  async summary(markdown: string): Promise<void> {
    this.summaries.push(markdown);
  }
  fail(message: string): void {
    this.failure = message;
  }

  get warnings(): string[] {
    return this.logs.filter((l) => l.level === 'warning').map((l) => l.message);
  }
  get errors(): Logged[] {
    return this.logs.filter((l) => l.level === 'error');
  }
  /** Everything that reached the log, as one text: for "this secret never shows" checks. */
  get logText(): string {
    return this.logs.map((l) => l.message).join('\n');
  }
}

/** A run with no hosting service, as on a laptop: the provider cannot be created. */
export const NO_HOSTING: Services = {
  async provider() {
    throw new GitopsError('no hosting service in this test');
  },
};

/**
 * Holds the state lock of the current workspace in `dir` the way a real concurrent run does: a
 * `terraform apply` (with no saved plan) keeps the lock while it waits for its approval prompt.
 */
export async function holdStateLock(dir: string): Promise<{ release: () => Promise<void> }> {
  const child: ChildProcessWithoutNullStreams = spawn(
    'terraform',
    ['apply', '-no-color', '-lock=true', '-var', 'size=held'],
    { cwd: dir, env: { ...process.env, TF_IN_AUTOMATION: '1' }, stdio: 'pipe' },
  );
  let out = '';
  await new Promise<void>((ready, failed) => {
    const timer = setTimeout(() => failed(new Error(`terraform apply never prompted:\n${out}`)), 30_000);
    const look = (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('Enter a value')) {
        clearTimeout(timer);
        ready();
      }
    };
    child.stdout.on('data', look);
    child.stderr.on('data', look);
    child.on('exit', (code) =>
      failed(new Error(`terraform apply exited (${code}) before prompting:\n${out}`)),
    );
  });
  return {
    release: () =>
      new Promise<void>((done) => {
        if (child.exitCode !== null) return done();
        child.on('exit', () => done());
        // Answering anything but "yes" cancels the apply and releases the lock.
        child.stdin.end('no\n');
        setTimeout(() => child.kill('SIGTERM'), 10_000).unref();
      }),
  };
}
