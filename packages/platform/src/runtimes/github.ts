import { readFileSync } from 'node:fs';
import type { Annotation, RunContext, Runtime } from '@gitops-promote/core';
import {
  CREDENTIAL_INPUTS,
  credentialsIn,
  SECRET_INPUTS,
  SecretSet,
  neutraliseGitHubCommands as safe,
  TOKEN_VARIABLES,
} from '../log-safety';
import * as core from './actions-commands';
import { githubHosting } from './hosting';

/** GitHub Actions: inputs from INPUT_*, outputs to GITHUB_OUTPUT, summary to GITHUB_STEP_SUMMARY. */
export class GitHubRuntime implements Runtime {
  readonly platform = 'github' as const;
  readonly context: RunContext;

  constructor(env: NodeJS.ProcessEnv = process.env) {
    this.context = githubContext(env);
    // Before anything is logged: the runner masks only values it was told about.
    const tokens = [...SECRET_INPUTS.map((n) => this.input(n)), ...TOKEN_VARIABLES.map((n) => env[n] ?? '')];
    for (const token of tokens.filter(Boolean)) {
      this.setSecret(token);
      // Git over HTTPS sends it as basic auth: mask that form too, as actions/checkout does.
      this.setSecret(Buffer.from(`x-access-token:${token}`).toString('base64'));
    }
    for (const name of CREDENTIAL_INPUTS) for (const s of credentialsIn(this.input(name))) this.setSecret(s);
  }

  input(name: string): string {
    return core.getInput(name);
  }
  setOutput(name: string, value: string): void {
    core.setOutput(name, value);
  }
  private readonly secrets = new SecretSet();
  /** Hides every registered secret in text that leaves the log (comments); the platform masks only logs. */
  mask(text: string): string {
    return this.secrets.mask(text);
  }
  setSecret(value: string): void {
    if (this.secrets.add(value)) core.setSecret(value);
  }
  debug(message: string): void {
    core.debug(safe(message));
  }
  info(message: string): void {
    core.info(safe(message));
  }
  warning(message: string, a?: Annotation): void {
    core.warning(safe(message), props(a));
  }
  error(message: string, a?: Annotation): void {
    core.error(safe(message), props(a));
  }
  group<T>(title: string, fn: () => Promise<T>): Promise<T> {
    return core.group(safe(title), fn);
  }
  async summary(markdown: string): Promise<void> {
    if (!process.env.GITHUB_STEP_SUMMARY) return;
    try {
      await core.appendSummary(this.secrets.mask(markdown));
    } catch (e) {
      // The summary is a report of the work, not the work: a summary that cannot be written fails nothing.
      core.warning(`the job summary could not be written: ${(e as Error).message}`);
    }
  }
  warnResult(message: string): void {
    core.warning(safe(message), { title: 'succeeded with issues' });
  }
  fail(message: string): void {
    core.setFailed(safe(message));
  }
}

function props(a?: Annotation): core.AnnotationProperties | undefined {
  if (!a) return undefined;
  return { title: a.title, file: a.file, startLine: a.line, startColumn: a.column };
}

interface EventPayload {
  deleted?: boolean;
  ref?: string;
  ref_type?: string;
  pull_request?: { number?: number; base?: { ref?: string }; head?: { ref?: string; sha?: string } };
}

export function githubContext(env: NodeJS.ProcessEnv): RunContext {
  let payload: EventPayload = {};
  if (env.GITHUB_EVENT_PATH) {
    try {
      payload = JSON.parse(readFileSync(env.GITHUB_EVENT_PATH, 'utf8')) as EventPayload;
    } catch {
      payload = {};
    }
  }
  const pr = payload.pull_request;
  const event = env.GITHUB_EVENT_NAME;
  // The delete event runs on the default branch; the deleted ref is in the payload.
  const ref =
    event === 'delete' && payload.ref
      ? `refs/${payload.ref_type === 'tag' ? 'tags' : 'heads'}/${payload.ref}`
      : env.GITHUB_REF;
  return {
    ref,
    sha: env.GITHUB_SHA,
    event,
    baseRef: pr?.base?.ref || env.GITHUB_BASE_REF || undefined,
    headRef: pr?.head?.ref || env.GITHUB_HEAD_REF || undefined,
    headSha: pr?.head?.sha,
    pullRequestNumber: pr?.number,
    deleted: payload.deleted === true || event === 'delete',
    repository: env.GITHUB_REPOSITORY,
    workspace: env.GITHUB_WORKSPACE || process.cwd(),
    tempDir: env.RUNNER_TEMP || undefined,
    hosting: githubHosting(env),
    runUrl: githubRunUrl(env),
  };
}

/** The run's page, attempt included: a re-run's comment must link the log that wrote it. */
function githubRunUrl(env: NodeJS.ProcessEnv): string | undefined {
  const { GITHUB_SERVER_URL: server, GITHUB_REPOSITORY: repo, GITHUB_RUN_ID: id } = env;
  if (!server || !repo || !id) return undefined;
  const attempt =
    env.GITHUB_RUN_ATTEMPT && env.GITHUB_RUN_ATTEMPT !== '1' ? `/attempts/${env.GITHUB_RUN_ATTEMPT}` : '';
  return `${server.replace(/\/+$/, '')}/${repo}/actions/runs/${id}${attempt}`;
}
