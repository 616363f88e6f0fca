import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Annotation, RunContext, Runtime } from '@gitops-promote/core';
import * as taskInternal from 'azure-pipelines-task-lib/internal';
import * as tl from 'azure-pipelines-task-lib/task';
import {
  CREDENTIAL_INPUTS,
  credentialsIn,
  SECRET_INPUTS,
  SecretSet,
  neutraliseAzureCommands as safe,
  TOKEN_VARIABLES,
} from '../log-safety';
import { azureHosting } from './hosting';

/** `working-directory` → `workingDirectory`: task.json names inputs and output variables in camelCase. */
export function azureName(name: string): string {
  return name.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/** Azure Pipelines: inputs through the task library, outputs as output variables, uploaded summaries. */
export class AzureRuntime implements Runtime {
  readonly platform = 'azure' as const;
  readonly context: RunContext;
  private summaryFile?: string;
  private summaryText = '';

  constructor(env: NodeJS.ProcessEnv = process.env) {
    this.context = azureContext(env);
    // Before anything is logged: once registered, the agent masks a value wherever it appears.
    for (const name of SECRET_INPUTS) this.setSecret(this.input(name));
    for (const name of TOKEN_VARIABLES) this.setSecret(env[name] ?? '');
    for (const name of CREDENTIAL_INPUTS) for (const s of credentialsIn(this.input(name))) this.setSecret(s);
  }

  input(name: string): string {
    if (QUIET.has(name)) return quietInput(name);
    return tl.getInput(azureName(name), false) ?? '';
  }
  setOutput(name: string, value: string): void {
    tl.setVariable(azureName(name), value, false, true);
  }
  private readonly secrets = new SecretSet();
  /** Hides every registered secret in text that leaves the log (comments); the platform masks only logs. */
  mask(text: string): string {
    return this.secrets.mask(text);
  }
  setSecret(value: string): void {
    if (this.secrets.add(value)) tl.setSecret(value);
  }
  debug(message: string): void {
    tl.debug(safe(message));
  }
  info(message: string): void {
    console.log(safe(message));
  }
  warning(message: string, a?: Annotation): void {
    tl.logIssue(tl.IssueType.Warning, safe(message), a?.file, a?.line, a?.column);
  }
  error(message: string, a?: Annotation): void {
    tl.logIssue(tl.IssueType.Error, safe(message), a?.file, a?.line, a?.column);
  }
  async group<T>(title: string, fn: () => Promise<T>): Promise<T> {
    console.log(`##[group]${safe(title)}`);
    try {
      return await fn();
    } finally {
      console.log('##[endgroup]');
    }
  }
  async summary(markdown: string): Promise<void> {
    // One file per step, rewritten whole and uploaded once: repeated uploads would show repeated tabs.
    const first = this.summaryFile === undefined;
    if (first) {
      const dir = mkdtempSync(join(process.env.AGENT_TEMPDIRECTORY || tmpdir(), 'gitops-promote-'));
      this.summaryFile = join(dir, 'summary.md');
    }
    this.summaryText += this.secrets.mask(markdown);
    writeFileSync(this.summaryFile!, this.summaryText);
    if (first) tl.uploadSummary(this.summaryFile!);
  }
  async attach(file: string, name: string): Promise<void> {
    // ##vso[artifact.upload]: the page shows under the run's artifacts, one folder per name.
    tl.uploadArtifact(name, file, name);
  }
  private failed = false;
  fail(message: string): void {
    this.failed = true;
    process.exitCode = 1;
    tl.setResult(tl.TaskResult.Failed, safe(message));
  }
  /** Azure DevOps wants an explicit result line; a failure has already written one. */
  complete(): void {
    if (!this.failed) tl.setResult(tl.TaskResult.Succeeded, 'done');
  }
}

const QUIET = new Set<string>([...SECRET_INPUTS, ...CREDENTIAL_INPUTS]);

/**
 * `tl.getInput` without its `##vso[task.debug]name=value` echo (written under System.Debug, before a
 * step could register the value as a secret). The library moves INPUT_* out of process.env into its
 * vault when it loads, so the value is read from there, under the key getInput uses.
 */
function quietInput(name: string): string {
  return taskInternal._vault.retrieveSecret(`INPUT_${taskInternal._getVariableKey(azureName(name))}`) ?? '';
}

function short(ref: string | undefined): string | undefined {
  if (!ref) return undefined;
  return ref.startsWith('refs/heads/') ? ref.slice(11) : ref;
}

export function azureContext(env: NodeJS.ProcessEnv): RunContext {
  const pr = env.SYSTEM_PULLREQUEST_PULLREQUESTID || env.SYSTEM_PULLREQUEST_PULLREQUESTNUMBER;
  return {
    ref: env.BUILD_SOURCEBRANCH,
    sha: env.BUILD_SOURCEVERSION,
    event: env.BUILD_REASON,
    baseRef: short(env.SYSTEM_PULLREQUEST_TARGETBRANCH),
    headRef: short(env.SYSTEM_PULLREQUEST_SOURCEBRANCH),
    headSha: env.SYSTEM_PULLREQUEST_SOURCECOMMITID || undefined,
    pullRequestNumber: pr ? Number(pr) : undefined,
    repository: env.BUILD_REPOSITORY_NAME,
    workspace: env.BUILD_SOURCESDIRECTORY || env.BUILD_REPOSITORY_LOCALPATH || process.cwd(),
    tempDir: env.AGENT_TEMPDIRECTORY || undefined,
    hosting: azureHosting(env),
  };
}
