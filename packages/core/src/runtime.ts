import type { GitProvider } from './provider';

export type Platform = 'github' | 'azure' | 'terminal';

/** What the platform knows about the run; each adapter fills it from its own environment. */
export interface RunContext {
  /** Full ref the run is for: `refs/heads/x`, `refs/tags/x`, `refs/pull/N/merge`. */
  ref?: string;
  /** The commit the run checked out. */
  sha?: string;
  /** The platform's own event name (`push`, `pull_request`, `IndividualCI`, `PullRequest`, …). */
  event?: string;
  /** Pull requests: the target branch (short name). */
  baseRef?: string;
  /** Pull requests: the source branch (short name). */
  headRef?: string;
  /** Pull requests: the newest commit of the source branch, where statuses belong. */
  headSha?: string;
  pullRequestNumber?: number;
  /** The pushed ref was deleted. */
  deleted?: boolean;
  /** `owner/name` (GitHub) or the repository name (Azure DevOps). */
  repository?: string;
  /** The checked-out repository; configuration is looked up here. */
  workspace: string;
  /** A folder the platform empties after the job (RUNNER_TEMP, Agent.TempDirectory); else the system's. */
  tempDir?: string;
  /**
   * Where a step writes its own files (plan files, diffs) when it is not tempDir: the terminal's private
   * folder for one run, removed when the run ends. Not a place for the user's files (paths never admit it).
   */
  scratchDir?: string;
  /** The hosting service the run belongs to; none (plain Git) from a terminal. */
  hosting?: HostingService;
  /** A link to this run's page (its log), for comments and summaries; none from a terminal. */
  runUrl?: string;
}

/** A repository named the hosting service's way: this one, another by its clone URL, or a name that cannot be resolved. */
export type NamedRepository = { same: true } | { url: string; display: string } | { problem: string };

/** What core needs to know of the hosting service; each adapter describes its own, from its own environment. */
export interface HostingService {
  /** Where the run's token belongs (`https://host[:port]`): a Git URL elsewhere never gets it. */
  readonly origin?: string;
  /** How `target-repository` names a repository here, for messages (`owner/name of a GitHub repository`). */
  readonly repositoryForms: string;
  /**
   * A repository named the service's way (`owner/name`; `name` or `project/name`), compared with `self`
   * (this repository); undefined when the value is no such name.
   */
  repositoryNamed(value: string, self?: string): NamedRepository | undefined;
  /** The token as Git over HTTPS takes it here: an `http.extraHeader` value. */
  authHeader(token: string): string;
  /** The token is the workflow's own, whose writes start no further workflow. */
  isWorkflowToken(token: string, workflowToken: string): boolean;
  /** The running workflow's file name (`deploy.yml`): what promote-tag starts on a deploy tag by default. */
  readonly workflowFile?: string;
}

export interface Annotation {
  title?: string;
  file?: string;
  line?: number;
  column?: number;
}

/** The platform a step runs on: inputs in; outputs, logs and summaries out. */
export interface Runtime {
  readonly platform: Platform;
  readonly context: RunContext;
  /** The raw input by its kebab-case name; '' when not given. */
  input(name: string): string;
  setOutput(name: string, value: string): void;
  /** Keeps a value out of every log line from now on. */
  setSecret(value: string): void;
  debug(message: string): void;
  info(message: string): void;
  warning(message: string, annotation?: Annotation): void;
  error(message: string, annotation?: Annotation): void;
  group<T>(title: string, fn: () => Promise<T>): Promise<T>;
  /**
   * Appends Markdown to the run's summary (GitHub step summary, Azure DevOps build summary). `section`
   * (`terraform-run · apps`, see `summarySection`) names the part it belongs to: Azure DevOps shows each
   * section as its own tab titled so; GitHub and the terminal show one page.
   */
  summary(markdown: string, section?: string): Promise<void>;
  /**
   * The step succeeded, but with something a person must look at (drift): Azure DevOps'
   * `SucceededWithIssues` result; a warning annotation on GitHub and in the terminal.
   */
  warnResult(message: string): void;
  /**
   * Publishes a file with the run where the platform can (Azure DevOps: a build artifact named `name`);
   * absent where the workflow publishes files itself (GitHub: actions/upload-artifact).
   */
  attach?(file: string, name: string): Promise<void>;
  /** Marks the step failed with one message. */
  fail(message: string): void;
}

/** A step's outputs by their kebab-case names; a step declares its names, so a misspelt one does not compile. */
export type Outputs<Name extends string = string> = Partial<Record<Name, string>>;

/** The runtime as a step sees it: outputs are returned, and failing is the adapter's (`runStep`). */
export type StepRuntime = Omit<Runtime, 'setOutput' | 'fail'>;

/** What a step may reach besides the runtime; each is created on first use, so steps that never call an API never load a client. */
export interface Services {
  /** The hosting service of the repository (GitHub, Azure DevOps or plain Git). */
  provider(): Promise<GitProvider>;
}

export interface Step<Name extends string = string> {
  readonly name: string;
  /** One line, for `--help`. */
  readonly description: string;
  /** Input names (kebab-case) as action.yml declares them; task.json uses them in camelCase. */
  readonly inputs: readonly string[];
  /** Output names (kebab-case) as action.yml declares them; task.json's output variables in camelCase. */
  readonly outputs: readonly Name[];
  /**
   * Runs the step and returns its outputs, which the adapter writes (`runStep`). The step fills `outputs`
   * as it goes, so what it had when it failed (terraform-run's exitcode, check-previous-env's state) is
   * written too.
   */
  run(runtime: StepRuntime, services: Services, outputs?: Outputs<Name>): Promise<Outputs<Name>>;
}
