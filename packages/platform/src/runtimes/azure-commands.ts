// The Azure Pipelines agent protocol, as azure-pipelines-task-lib (task.js, internal.js, taskcommand.js)
// writes it: `##vso[area.action key=value;…]message` logging commands on stdout, inputs and secrets taken
// out of the environment when the task starts. Written here because the library costs 70–90 ms of start-up
// and a 164 KB chunk (shelljs, minimatch, semver) per task folder. Tested against the library's own output.
import { EOL } from 'node:os';

export type TaskResult = 'Succeeded' | 'SucceededWithIssues' | 'Failed' | 'Cancelled' | 'Skipped';
export type IssueType = 'error' | 'warning';

/** Variables the library moves out of the environment into its vault, so child processes never see them. */
const VAULTED = ['INPUT_', 'ENDPOINT_AUTH_', 'SECUREFILE_TICKET_', 'SECRET_', 'VSTS_TASKVARIABLE_'];

const escapeData = (s: string) => s.replace(/%/g, '%AZP25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
const escapeProperty = (s: string) => escapeData(s).replace(/]/g, '%5D').replace(/;/g, '%3B');

/** `##vso[name key=value;…]message`; properties without a value are left out, each kept one ends in `;`. */
export function command(
  name: string,
  properties: Record<string, string | undefined> | null,
  message = '',
): void {
  let line = `##vso[${name}`;
  if (properties && Object.keys(properties).length > 0) {
    line += ' ';
    for (const [key, value] of Object.entries(properties))
      if (value) line += `${key}=${escapeProperty(value)};`;
  }
  process.stdout.write(`${line}]${escapeData(message)}${EOL}`);
}

/** `agent.TempDirectory` → `AGENT_TEMPDIRECTORY`: how the agent names a variable in the environment. */
export function variableKey(name: string): string {
  if (!name) throw new Error('name not supplied');
  return name.replace(/\./g, '_').replace(/ /g, '_').toUpperCase();
}

function names(env: NodeJS.ProcessEnv, variable: string): string[] {
  try {
    return JSON.parse(env[variable] || '[]');
  } catch (err) {
    throw new Error(`Failed to parse ${variable} as JSON. ${err}`);
  }
}

/**
 * One task run: the vaulted variables (held in memory, gone from `env`), which variables are secret, and
 * the commands of the library's API. Built once when a task starts, as the library loads at import.
 */
export class AzureTask {
  readonly #vault = new Map<string, string>();
  /** Variable keys and whether each is secret ("once a secret always a secret"). */
  readonly #known = new Map<string, boolean>();
  readonly #correlationId: string;
  /** With DistributedTask.Tasks.Node.SkipDebugLogsWhenDebugModeOff set, debug lines only under System.Debug. */
  readonly #quiet: boolean;

  constructor(private readonly env: NodeJS.ProcessEnv = process.env) {
    const debugMode = (env.SYSTEM_DEBUG ?? '').toLowerCase() === 'true';
    this.#quiet =
      (env.DISTRIBUTEDTASK_TASKS_NODE_SKIPDEBUGLOGSWHENDEBUGMODEOFF ?? '').toLowerCase() === 'true' &&
      !debugMode;
    for (const name of Object.keys(env)) {
      if (!VAULTED.some((prefix) => name.startsWith(prefix))) continue;
      if (name.startsWith('SECRET_') && name.length > 7) this.#known.set(variableKey(name.slice(7)), true);
      const value = env[name];
      if (!value) continue;
      this.#vault.set(name.toLowerCase(), value);
      delete env[name];
    }
    this.#correlationId = env.COMMAND_CORRELATION_ID ?? '';
    delete env.COMMAND_CORRELATION_ID;
    for (const [variable, secret] of [
      ['VSTS_PUBLIC_VARIABLES', false],
      ['VSTS_SECRET_VARIABLES', true],
    ] as const) {
      for (const name of names(env, variable)) this.#known.set(variableKey(name), secret);
      delete env[variable];
    }
  }

  /** `tl.getInput`: the value as given (not trimmed), undefined when empty; echoed as a debug line unless quiet. */
  getInput(name: string, { quiet = false } = {}): string | undefined {
    const value = this.#vault.get(`input_${variableKey(name)}`.toLowerCase());
    if (!quiet) this.debug(`${name}=${value}`);
    return value;
  }

  /** `tl.getVariable` without its debug echo: a secret variable from the vault, else the environment. */
  getVariable(name: string): string | undefined {
    const key = variableKey(name);
    return this.#vault.get(`secret_${key}`.toLowerCase()) ?? this.env[key];
  }

  setVariable(name: string, value: string, secret = false, isOutput = false): void {
    const key = variableKey(name);
    const isSecret = secret || this.#known.get(key) === true;
    this.debug(`set ${name}=${isSecret && value ? '********' : value}`);
    if (isSecret) {
      this.#refuseMultiline(value);
      if (value) this.#vault.set(`secret_${key}`.toLowerCase(), value);
      else this.#vault.delete(`secret_${key}`.toLowerCase());
      delete this.env[key];
    } else {
      this.env[key] = value;
    }
    this.#known.set(key, isSecret);
    command(
      'task.setvariable',
      { variable: name, isOutput: String(isOutput), issecret: String(isSecret) },
      value,
    );
  }

  setSecret(value: string): void {
    if (!value) return;
    this.#refuseMultiline(value);
    command('task.setsecret', {}, value);
  }

  #refuseMultiline(value: string): void {
    if (/\r|\n/.test(value) && `${this.env.SYSTEM_UNSAFEALLOWMULTILINESECRET}`.toUpperCase() !== 'TRUE')
      throw new Error('Secrets cannot contain multiple lines');
  }

  debug(message: string): void {
    if (!this.#quiet) command('task.debug', null, message);
  }

  /** `tl.warning` / `tl.error`: an issue of the task itself (source TaskInternal), with no file position. */
  warning(message: string): void {
    this.#issue('warning', message);
  }
  error(message: string): void {
    this.#issue('error', message);
  }
  #issue(type: IssueType, message: string): void {
    command('task.issue', { type, source: 'TaskInternal', correlationId: this.#correlationId }, message);
  }

  logIssue(type: IssueType, message: string, sourcePath?: string, line?: number, column?: number): void {
    command(
      'task.logissue',
      {
        type,
        sourcepath: sourcePath,
        linenumber: line ? String(line) : undefined,
        columnnumber: column ? String(column) : undefined,
      },
      message,
    );
  }

  uploadSummary(path: string): void {
    command('task.uploadsummary', null, path);
  }

  uploadArtifact(containerFolder: string, path: string, name: string): void {
    command('artifact.upload', { containerfolder: containerFolder, artifactname: name }, path);
  }

  /** A failure (or success with issues) with a message is also an issue; then the one `task.complete`. */
  setResult(result: TaskResult, message: string): void {
    this.debug(`task result: ${result}`);
    if (result === 'Failed' && message) this.error(message);
    else if (result === 'SucceededWithIssues' && message) this.warning(message);
    command('task.complete', { result }, message);
  }
}
