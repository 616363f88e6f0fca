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
  /** One Markdown file per summary section: Azure DevOps titles each tab by the uploaded file's name. */
  private readonly sections = new Map<string, { file: string; text: string }>();
  private summaryDir?: string;

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
  async summary(markdown: string, section = 'gitops-promote'): Promise<void> {
    // One file per section, rewritten whole and uploaded once: repeated uploads would show repeated tabs.
    let part = this.sections.get(section);
    const first = part === undefined;
    if (!part) {
      this.summaryDir ??= mkdtempSync(join(process.env.AGENT_TEMPDIRECTORY || tmpdir(), 'gitops-promote-'));
      part = { file: join(this.summaryDir, `${summaryFileName(section)}.md`), text: '' };
      this.sections.set(section, part);
    }
    part.text += this.secrets.mask(markdown);
    writeFileSync(part.file, part.text);
    if (first) tl.uploadSummary(part.file);
  }
  async attach(file: string, name: string): Promise<void> {
    // ##vso[artifact.upload]: the page shows under the run's artifacts, one folder per name.
    tl.uploadArtifact(name, file, name);
  }
  private failed = false;
  private issues?: string;
  /** Kept for complete(): the one result line says SucceededWithIssues with this message. */
  warnResult(message: string): void {
    this.issues = safe(message);
    tl.warning(this.issues);
  }
  fail(message: string): void {
    this.failed = true;
    process.exitCode = 1;
    tl.setResult(tl.TaskResult.Failed, safe(message));
  }
  /** Azure DevOps wants an explicit result line; a failure has already written one. */
  complete(): void {
    if (this.failed) return;
    if (this.issues !== undefined) tl.setResult(tl.TaskResult.SucceededWithIssues, this.issues);
    else tl.setResult(tl.TaskResult.Succeeded, 'done');
  }
}

/** A section title as a file name: no path separators or characters Windows refuses, one line. */
export function summaryFileName(section: string): string {
  return section.replace(/[\\/:*?"<>|\x00-\x1f]/g, '-').slice(0, 120) || 'gitops-promote';
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
    runUrl: azureRunUrl(env),
  };
}

function azureRunUrl(env: NodeJS.ProcessEnv): string | undefined {
  const { SYSTEM_COLLECTIONURI: collection, SYSTEM_TEAMPROJECT: project, BUILD_BUILDID: id } = env;
  if (!collection || !project || !id) return undefined;
  const base = collection.endsWith('/') ? collection : `${collection}/`;
  return `${base}${encodeURIComponent(project)}/_build/results?buildId=${encodeURIComponent(id)}`;
}
