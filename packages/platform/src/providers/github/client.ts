/**
 * GitHub's REST and GraphQL calls for one repository: a call that fails for good throws one ProviderError
 * naming the call, the HTTP status and the likely cause (with the permission the token lacks); the token
 * never appears in a message or a log line.
 */
import { GitopsError, ProviderError } from '@gitops-promote/core';
import { neutraliseAzureCommands, neutraliseGitHubCommands } from '../../log-safety';
import { malformedAnswer } from '../shared/answers';
import { redact, retryTiming } from '../shared/retry';
import { loadOctokit, type OctokitLike, type RequestErrorLike, type RetryPolicy, seconds } from './octokit';
import type { GhRepository, GraphQLAnswer } from './types';

export interface GitHubRetryOptions {
  /** Retries after the first attempt, for 5xx, 429, network errors and timeouts. Default 4. */
  retries?: number;
  /** Backoff: retry n waits about `baseDelayMs × 2^(n-1)`, at most `maxDelayMs`. Default 1000. */
  baseDelayMs?: number;
  /** Default 30 000. */
  maxDelayMs?: number;
  /** Milliseconds per second of a server's `retry-after` / rate-limit reset. Default 1000; tests make it small. */
  retryAfterUnitMs?: number;
  /** One request (one attempt) is aborted after this long. Default 30 000. */
  timeoutMs?: number;
  /** A request and all its retries give up after this long. Default 120 000. */
  totalMs?: number;
}

export interface GitHubProviderOptions {
  token: string;
  /** `owner/name`. */
  repository: string;
  /** REST root. Default: `GITHUB_API_URL`, else `https://api.github.com`. GHES: `https://host/api/v3`. */
  apiUrl?: string;
  /** Web root (links). Default: `GITHUB_SERVER_URL`, else `https://github.com`. */
  serverUrl?: string;
  /**
   * GraphQL endpoint. Default: derived from `apiUrl` (`…/api/v3` → `…/api/graphql`, else `<apiUrl>/graphql`);
   * when `apiUrl` is not given either, `GITHUB_GRAPHQL_URL` is used if set.
   */
  graphqlUrl?: string;
  retry?: GitHubRetryOptions;
  /**
   * Minimum spacing of write requests (POST/PATCH/GraphQL). Default 0: a run's own few writes are not
   * paced; a caller making many writes in bulk may ask for GitHub's one second.
   */
  writeIntervalMs?: number;
  /** Where retry and rate-limit notices go (already free of the token). Default: stderr. */
  log?: (line: string) => void;
  /** Environment to read defaults from. Default: `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** The `fetch` requests go through (a proxy-aware one, say). Default: the global `fetch`, direct. */
  fetch?: typeof fetch;
}

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';

/** The repository permission each kind of call needs (fine-grained token / `permissions:` names). */
export const PERMISSION = {
  metadata: 'metadata:read',
  readStatuses: 'statuses:read',
  writeStatuses: 'statuses:write',
  readChecks: 'checks:read',
  readContents: 'contents:read',
  writeContents: 'contents:write',
  readPulls: 'pull-requests:read',
  writePulls: 'pull-requests:write',
  readIssues: 'issues:read',
  writeIssues: 'issues:write',
  writeActions: 'actions:write',
} as const;
type Permission = (typeof PERMISSION)[keyof typeof PERMISSION] | 'pull-requests:write and contents:write';

/** `notFound: 'absent'` turns a 404 into undefined; a text turns it into that message. */
interface CallOptions {
  notFound?: 'absent' | string;
}

export class GitHubClient {
  readonly apiUrl: string;
  readonly serverUrl: string;
  readonly graphqlUrl: string;
  readonly owner: string;
  readonly name: string;
  /** `/repos/<owner>/<name>`, the root of every repository call. */
  readonly base: string;
  /** Where notices go, free of the token. */
  readonly log: (line: string) => void;
  /** The call whose answer is being read, for the message when that answer lacks a field. */
  lastCall?: string;

  readonly #token: string;
  readonly #retry: RetryPolicy;
  readonly #writeIntervalMs: number;
  readonly #fetch?: typeof fetch;
  readonly #env: NodeJS.ProcessEnv;
  #octokit?: Promise<OctokitLike>;
  #repository?: Promise<GhRepository>;
  /** Whether a call on the repository succeeded: then a 404 means the object, not the repository, is absent. */
  #visible = false;

  constructor(options: GitHubProviderOptions) {
    const env = options.env ?? process.env;
    const token = (options.token ?? '').trim();
    if (!token) {
      throw new GitopsError(
        'no GitHub token: pass the `token` input (it defaults to github.token; the job needs the permissions the step uses)',
      );
    }
    const m = /^([A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)\/([A-Za-z0-9._-]+)$/.exec(
      options.repository ?? '',
    );
    if (!m) {
      throw new GitopsError(
        `GitHub repository ${JSON.stringify(options.repository ?? '')} is not valid; expected owner/name (GITHUB_REPOSITORY)`,
      );
    }
    this.#token = token;
    this.owner = m[1]!;
    this.name = m[2]!;
    this.base = `/repos/${encodeURIComponent(this.owner)}/${encodeURIComponent(this.name)}`;
    this.apiUrl = trimSlash(options.apiUrl || env.GITHUB_API_URL || 'https://api.github.com');
    this.serverUrl = trimSlash(options.serverUrl || env.GITHUB_SERVER_URL || 'https://github.com');
    this.graphqlUrl = trimSlash(
      options.graphqlUrl ||
        (!options.apiUrl && env.GITHUB_GRAPHQL_URL) ||
        (/\/api\/v3$/.test(this.apiUrl)
          ? this.apiUrl.replace(/\/api\/v3$/, '/api/graphql')
          : `${this.apiUrl}/graphql`),
    );
    const r = options.retry ?? {};
    this.#retry = { retries: r.retries ?? 4, ...retryTiming(r) };
    this.#writeIntervalMs = options.writeIntervalMs ?? 0;
    this.#fetch = options.fetch;
    this.#env = env;
    // Log lines may quote the API (untrusted): the default sink keeps them from starting a workflow command.
    const sink =
      options.log ??
      ((line: string) =>
        process.stderr.write(`${neutraliseGitHubCommands(neutraliseAzureCommands(line))}\n`));
    this.log = (line) => sink(this.redact(line));
  }

  /**
   * One REST call. `notFound: 'absent'` turns a 404 into undefined, once the repository itself is known to
   * be visible (GitHub answers 404 alike for a missing object and a repository the token cannot see).
   */
  async call<T>(
    method: Method,
    path: string,
    permission: Permission,
    params?: Record<string, unknown>,
    opts: CallOptions = {},
  ): Promise<T> {
    const octokit = await this.#client();
    const call = `${method} ${path}`;
    this.lastCall = call;
    try {
      const data = (await octokit.request<T>(`${method} ${path}`, params)).data;
      if (path.startsWith(this.base)) this.#visible = true;
      return data;
    } catch (e) {
      return (await this.#failed(call, e, permission, opts.notFound)) as T;
    }
  }

  /** Every page of a list (`per_page=100`, following the `Link` header). */
  async all<T>(
    path: string,
    permission: Permission,
    params: Record<string, unknown> = {},
    opts: CallOptions = {},
  ): Promise<T[] | undefined> {
    const octokit = await this.#client();
    const items: T[] = [];
    this.lastCall = `GET ${path}`;
    try {
      for await (const page of octokit.paginate.iterator<T>(`GET ${path}`, { per_page: 100, ...params })) {
        if (!Array.isArray(page.data)) throw malformed(`GET ${path}`, 'something other than a list');
        items.push(...page.data);
      }
      if (path.startsWith(this.base)) this.#visible = true;
      return items;
    } catch (e) {
      return this.#failed(`GET ${path}`, e, permission, opts.notFound);
    }
  }

  /** Reads the repository once; a 404 here is the "repository not found" error, said once and clearly. */
  repositoryInfo(): Promise<GhRepository> {
    this.#repository ??= (async () => {
      const octokit = await this.#client();
      try {
        return (await octokit.request<GhRepository>(`GET ${this.base}`)).data;
      } catch (e) {
        throw this.#error(`GET ${this.base}`, e, PERMISSION.metadata);
      }
    })();
    // A failure is not remembered: the next call asks again.
    this.#repository.catch(() => {
      this.#repository = undefined;
    });
    return this.#repository;
  }

  async graphql(
    call: string,
    query: string,
    variables: Record<string, unknown>,
    permission: Permission = 'pull-requests:write and contents:write',
  ): Promise<unknown> {
    const octokit = await this.#client();
    this.lastCall = call;
    let answer: GraphQLAnswer;
    try {
      answer = (await octokit.request<GraphQLAnswer>(`POST ${this.graphqlUrl}`, { query, variables })).data;
    } catch (e) {
      throw this.#error(call, e, permission);
    }
    const error = answer.errors?.[0];
    if (error) {
      const said = error.message ?? 'unknown error';
      let hint = '';
      if (/auto.?merge is not allowed/i.test(said)) {
        hint = '; enable "Allow auto-merge" in the repository settings (Settings → General → Pull Requests)';
      } else if (/clean status/i.test(said)) {
        hint =
          '; the pull request can be merged right now (no required check or review is pending), so GitHub does not queue auto-merge: protect the base branch with required status checks';
      } else if (error.type === 'FORBIDDEN') {
        hint = `; the token lacks permission ${permission}`;
      }
      throw new ProviderError(call, undefined, this.redact(`GitHub refused: ${quoteMessage(said)}${hint}`));
    }
    return answer.data;
  }

  redact(text: string): string {
    return redact(text, [this.#token]);
  }

  async #failed(
    call: string,
    e: unknown,
    permission: Permission,
    notFound?: 'absent' | string,
  ): Promise<undefined> {
    const status = (e as RequestErrorLike).response ? (e as RequestErrorLike).status : undefined;
    if (status === 404 && notFound) {
      // A call on the repository already answered: the 404 is the object's, not the repository's.
      if (!this.#visible) await this.repositoryInfo();
      if (notFound === 'absent') return undefined;
      throw new ProviderError(call, 404, this.redact(notFound));
    }
    throw this.#error(call, e, permission);
  }

  /** Turns whatever Octokit threw into one ProviderError naming the call, the status and the likely cause. */
  #error(call: string, e: unknown, permission: Permission): Error {
    if (e instanceof GitopsError) return e;
    const err = e as RequestErrorLike;
    const attempts = err.attempts ?? 1;
    const tries = attempts > 1 ? ` (${attempts} attempts)` : '';
    const response = err.response;
    if (!response) {
      const why = err.message || String(e);
      return new ProviderError(
        call,
        undefined,
        this.redact(
          `no answer from ${this.apiUrl}: ${why}${tries}; check the API URL (GITHUB_API_URL) and the network`,
        ),
      );
    }
    const status = response.status;
    const said = apiMessage(response.data);
    const quoted = said ? ` (GitHub: ${quoteMessage(said)})` : '';
    let detail: string;
    if (isRateLimited(status, response.headers, said)) {
      const reset = Number(response.headers['x-ratelimit-reset']);
      const until = reset > 0 ? `; the limit resets at ${new Date(reset * 1000).toISOString()}` : '';
      detail = `rate limited by GitHub${tries}; stopped waiting (the retries or the ${seconds(this.#retry.totalMs)} budget of one call are used up)${until}${quoted}`;
    } else if (status === 401) {
      detail = `the token was refused: it is invalid or has expired${quoted}`;
    } else if (status === 403) {
      detail = lacksPermission(permission, quoted);
    } else if (status === 404) {
      detail = `repository ${this.owner}/${this.name} not found, or the token cannot see it${quoted}`;
    } else if (status === 422) {
      detail = `GitHub refused the request: ${said || 'Unprocessable Entity'}`;
    } else if (status >= 500) {
      detail = `GitHub had a server error${tries}; try again later${quoted}`;
    } else {
      detail = said || `HTTP ${status}`;
    }
    return new ProviderError(call, status, this.redact(detail));
  }

  #client(): Promise<OctokitLike> {
    this.#octokit ??= loadOctokit({
      token: this.#token,
      apiUrl: this.apiUrl,
      retry: this.#retry,
      writeIntervalMs: this.#writeIntervalMs,
      log: this.log,
      fetch: this.#fetch,
      env: this.#env,
    });
    return this.#octokit;
  }
}

/** An answer that lacks what the call reads: untrusted data, said as such. */
export function malformed(call: string, what: string): ProviderError {
  return malformedAnswer(call, 'GitHub', what);
}

/** Each path segment percent-encoded; `/` kept as the separator. */
export function seg(value: string): string {
  return value.split('/').map(encodeURIComponent).join('/');
}

function lacksPermission(permission: Permission, quoted: string): string {
  const [scope, level] = permission.split(':');
  const workflow = permission.includes(' and ')
    ? 'permissions: { pull-requests: write, contents: write }'
    : `permissions: { ${scope}: ${level} }`;
  return `the token lacks permission ${permission} (in a workflow: \`${workflow}\`)${quoted}`;
}

function isRateLimited(status: number, headers: Record<string, unknown>, said: string): boolean {
  return (
    status === 429 ||
    (status === 403 && (/rate limit/i.test(said) || String(headers['x-ratelimit-remaining']) === '0'))
  );
}

/** GitHub's error text: the message and, for validation errors, what each error says. */
function apiMessage(data: unknown): string {
  // An HTML error page (GitHub's 502/504) says nothing the status does not.
  if (typeof data === 'string') return /^\s*</.test(data) ? '' : data.trim().slice(0, 300);
  if (!data || typeof data !== 'object') return '';
  const d = data as { message?: unknown; errors?: unknown };
  const message = typeof d.message === 'string' ? d.message : '';
  const details = Array.isArray(d.errors)
    ? d.errors
        .map((x: unknown) => {
          if (typeof x === 'string') return x;
          const e = x as { message?: string; field?: string; code?: string; resource?: string };
          return e.message ?? [e.resource, e.field, e.code].filter(Boolean).join(' ');
        })
        .filter(Boolean)
    : [];
  return [message, ...details].filter(Boolean).join(': ');
}

function quoteMessage(text: string): string {
  return JSON.stringify(text);
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
}
