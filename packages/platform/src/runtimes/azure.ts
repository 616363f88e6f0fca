import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Annotation, RunContext, Runtime } from '@gitops-promote/core';
import {
  CREDENTIAL_INPUTS,
  credentialsIn,
  SECRET_INPUTS,
  SecretSet,
  neutraliseAzureCommands as safe,
  TOKEN_VARIABLES,
} from '../log-safety';
import { AzureTask } from './azure-commands';
import { azureHosting } from './hosting';

/** `working-directory` → `workingDirectory`: task.json names inputs and output variables in camelCase. */
export function azureName(name: string): string {
  return name.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/** Azure Pipelines: inputs and logging commands as the task library has them, outputs as output variables, uploaded summaries. */
export class AzureRuntime implements Runtime {
  readonly platform = 'azure' as const;
  readonly context: RunContext;
  /** One Markdown file per summary section: Azure DevOps titles each tab by the uploaded file's name. */
  private readonly sections = new Map<string, { file: string; text: string }>();
  private summaryDir?: string;

  /** Takes the inputs and secrets out of `env` at once, as the task library does when it loads. */
  private readonly tl: AzureTask;

  constructor(env: NodeJS.ProcessEnv = process.env) {
    this.tl = new AzureTask(env);
    this.context = azureContext(env);
    // Before anything is logged: once registered, the agent masks a value wherever it appears.
    for (const name of SECRET_INPUTS) this.setSecret(this.input(name));
    for (const name of TOKEN_VARIABLES) this.setSecret(env[name] ?? '');
    for (const name of CREDENTIAL_INPUTS) for (const s of credentialsIn(this.input(name))) this.setSecret(s);
  }

  input(name: string): string {
    // Secret and credential inputs without the debug echo of their value: not yet registered as secrets.
    return this.tl.getInput(azureName(name), { quiet: QUIET.has(name) }) ?? '';
  }
  /** A pipeline variable by name (`Agent.ProxyPassword`), secret ones included; never logged. */
  variable(name: string): string | undefined {
    return this.tl.getVariable(name);
  }
  setOutput(name: string, value: string): void {
    this.tl.setVariable(azureName(name), value, false, true);
  }
  private readonly secrets = new SecretSet();
  /** Hides every registered secret in text that leaves the log (comments); the platform masks only logs. */
  mask(text: string): string {
    return this.secrets.mask(text);
  }
  setSecret(value: string): void {
    if (this.secrets.add(value)) this.tl.setSecret(value);
  }
  debug(message: string): void {
    this.tl.debug(safe(message));
  }
  info(message: string): void {
    console.log(safe(message));
  }
  warning(message: string, a?: Annotation): void {
    this.tl.logIssue('warning', safe(message), a?.file, a?.line, a?.column);
  }
  error(message: string, a?: Annotation): void {
    this.tl.logIssue('error', safe(message), a?.file, a?.line, a?.column);
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
    if (first) this.tl.uploadSummary(part.file);
  }
  async attach(file: string, name: string): Promise<void> {
    // ##vso[artifact.upload]: the page shows under the run's artifacts, one folder per name.
    this.tl.uploadArtifact(name, file, name);
  }
  private failed = false;
  private issues?: string;
  /** Kept for complete(): the one result line says SucceededWithIssues with this message. */
  warnResult(message: string): void {
    this.issues = safe(message);
    this.tl.warning(this.issues);
  }
  fail(message: string): void {
    this.failed = true;
    process.exitCode = 1;
    this.tl.setResult('Failed', safe(message));
  }
  /** Azure DevOps wants an explicit result line; a failure has already written one. */
  complete(): void {
    if (this.failed) return;
    if (this.issues !== undefined) this.tl.setResult('SucceededWithIssues', this.issues);
    else this.tl.setResult('Succeeded', 'done');
  }
}

/** A section title as a file name: no path separators or characters Windows refuses, one line. */
export function summaryFileName(section: string): string {
  return section.replace(/[\\/:*?"<>|\x00-\x1f]/g, '-').slice(0, 120) || 'gitops-promote';
}

const QUIET = new Set<string>([...SECRET_INPUTS, ...CREDENTIAL_INPUTS]);

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
