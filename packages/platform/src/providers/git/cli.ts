// The git binary, run without a shell or a prompt against one clone and one remote.
import {
  commitIdentityEnv,
  exec,
  formatDuration,
  gitEnv,
  maskCredentials,
  ProviderError,
} from '@gitops-promote/core';

const GIT_TIMEOUT_MS = 10 * 60_000;

export interface GitResult {
  code: number;
  stdout: Buffer;
  stderr: string;
}

export interface RunOptions {
  input?: string | Buffer;
  env?: Record<string, string>;
}

export class GitCli {
  #identity?: Promise<Record<string, string>>;

  constructor(
    /** A clone of the repository; its working tree, index and checked-out branch are never touched. */
    readonly cwd: string,
    /** A remote name or a URL. */
    readonly remote: string,
  ) {}

  /** Runs git and returns its trimmed stdout; a non-zero exit is a ProviderError naming the call. */
  async git(args: string[], options: RunOptions = {}): Promise<string> {
    const result = await this.run(args, options);
    if (result.code !== 0) throw this.failure(args, result);
    return result.stdout.toString('utf8').trim();
  }

  /** Runs git without a shell (arguments are data) and never lets it prompt for credentials. */
  async run(args: string[], options: RunOptions = {}): Promise<GitResult> {
    const r = await exec('git', args, {
      cwd: this.cwd,
      env: gitEnv(options.env),
      input: options.input ?? '',
      timeoutMs: GIT_TIMEOUT_MS,
      raw: true,
      signalNote: (signal) => `fatal: git was stopped (${signal}) after ${formatDuration(GIT_TIMEOUT_MS)}`,
    });
    if (r.startError !== undefined) {
      const detail = r.startError === 'ENOENT' ? 'git is not installed or not on PATH' : r.startMessage;
      throw new ProviderError(this.shown(args), undefined, mask(detail ?? r.startError));
    }
    return { code: r.code ?? 128, stdout: r.raw ?? Buffer.alloc(0), stderr: r.stderr };
  }

  /** Author and committer for notes, tags and commits; a clone without `user.name`/`user.email` still works. */
  commitIdentity(): Promise<Record<string, string>> {
    this.#identity ??= commitIdentityEnv((args) => this.run(args));
    return this.#identity;
  }

  failure(args: string[], result: GitResult, suffix = ''): ProviderError {
    return new ProviderError(this.shown(args), undefined, `${this.reason(result)}${suffix}`);
  }

  /** The line of git's stderr that says what went wrong, credentials masked. */
  reason(result: GitResult): string {
    const lines = result.stderr
      .split('\n')
      .map((l) => l.replace(/\s+/g, ' ').trim())
      .filter(Boolean);
    const line = lines.find((l) => /^(fatal|error):|\[(remote )?rejected\]/.test(l)) ?? lines[0];
    return mask(line ?? `exit code ${result.code}`);
  }

  shown(args: string[]): string {
    return mask(
      ['git', ...args].map((a) => (/^[\w./:@^{}=+,*-]+$/.test(a) ? a : JSON.stringify(a))).join(' '),
    );
  }

  get shownRemote(): string {
    return mask(this.remote);
  }
}

// Re-exported: the provider module is where callers of the git provider find it.
export { maskCredentials };

const mask = maskCredentials;
