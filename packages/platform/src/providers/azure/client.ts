/**
 * Azure DevOps REST calls (api-version 7.1) with plain `fetch`: a timeout per request, retries with backoff
 * for 5xx, 429 and network errors (a `Retry-After` obeyed as given), a time budget per call, and one
 * ProviderError naming the call, the status and the likely cause (with the permission the identity lacks).
 * The token never appears in a message or a log line.
 */
import { formatDuration, ProviderError } from '@gitops-promote/core';
import { backoffMs, type RetryTiming, redact, retryAfterSeconds, retryTiming } from '../shared/retry';
import type { AzError } from './types';

export interface AzureRetryOptions {
  /** Attempts per call, the first included. Default 5. */
  attempts?: number;
  /** First backoff delay, doubled per attempt, with jitter. Default 1000 ms. */
  baseDelayMs?: number;
  /** Longest backoff between attempts (a `Retry-After` is obeyed as given, within `totalMs`). Default 30 s. */
  maxDelayMs?: number;
  /** A call gives up once this much time has passed since it started. Default 120 s. */
  totalMs?: number;
  /** Each request is aborted after this long. Default 30 s. */
  timeoutMs?: number;
  /** Milliseconds per second of `Retry-After` (tests shorten it). Default 1000. */
  retryAfterUnitMs?: number;
  /** How to wait (tests pass a recorder). Default: a timer. */
  sleep?: (ms: number) => Promise<void>;
}

export interface AzureDevOpsProviderOptions {
  /** `System.AccessToken` (sent as Bearer) or a personal access token (with `auth: 'basic'`). */
  token: string;
  /** `SYSTEM_COLLECTIONURI`, e.g. `https://dev.azure.com/fabrikam/`. */
  collectionUri: string;
  /** Project name or id (`SYSTEM_TEAMPROJECT`). */
  project: string;
  /** Repository id or name (`BUILD_REPOSITORY_ID`). */
  repositoryId: string;
  /** `bearer` (default, for System.AccessToken) or `basic` (a PAT). */
  auth?: 'bearer' | 'basic';
  retry?: AzureRetryOptions;
  /** Page size for statuses and pull requests. Default 100. */
  pageSize?: number;
  /** Sent with auto-complete. Default `{ deleteSourceBranch: true }`; the merge strategy is the branch policy's. */
  completionOptions?: Record<string, unknown>;
  /** Retry notices; never carries the token. */
  log?: (message: string) => void;
  /** Defaults to the global `fetch`. */
  fetch?: typeof fetch;
}

const API_VERSION = '7.1';
/** annotatedtags and pullrequestquery are still preview at 7.1; the service refuses them without `-preview`. */
export const PREVIEW_API_VERSION = '7.1-preview.1';

export type Need = 'read' | 'contribute' | 'createBranch' | 'createTag' | 'forcePush' | 'pullRequests';

export const PERMISSION: Record<Need, string> = {
  read: '"Read"',
  contribute: '"Contribute"',
  createBranch: '"Contribute" and "Create branch"',
  createTag: '"Create tag"',
  forcePush: '"Force push (rewrite history, delete branches and tags)"',
  pullRequests: '"Contribute to pull requests"',
};

type Query = Record<string, string | number | boolean | undefined>;

export interface CallOptions {
  query?: Query;
  body?: unknown;
  /** `repo` (default): under the repository; `collection`: under the collection. */
  scope?: 'repo' | 'collection';
  /** The permission a 403 means is missing. */
  need?: Need;
  /** Statuses that are answers, not failures (404 for "no such item"). */
  accept?: number[];
  apiVersion?: string | null;
}

export interface Reply<T> {
  status: number;
  data: T;
  headers: Headers;
}

/** One attempt: an answer with its text, or what went wrong on the way. */
interface Sent {
  res?: Response;
  text: string;
  failure?: string;
}

type RetryPolicy = RetryTiming & { attempts: number; sleep: (ms: number) => Promise<void> };

const wait = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export const enc = encodeURIComponent;

export class AzureClient {
  /** The collection URI, ending in `/`. */
  readonly collection: string;
  readonly pageSize: number;
  /** The call whose answer is being read, for the message when that answer lacks a field. */
  lastCall?: string;
  /** The token's own identity, read once (auto-complete is set in its name). */
  identity?: Promise<string>;
  readonly #repoBase: string;
  readonly #secrets: string[];
  readonly #authHeader: string;
  readonly #retry: RetryPolicy;
  readonly #fetch: typeof fetch;

  constructor(readonly options: AzureDevOpsProviderOptions) {
    if (!options.token) {
      throw new ProviderError(
        'Azure DevOps',
        undefined,
        'no token: map the job token into the step with `env: SYSTEM_ACCESSTOKEN: $(System.AccessToken)` or pass the `token` input',
      );
    }
    if (!options.collectionUri) {
      throw new ProviderError(
        'Azure DevOps',
        undefined,
        'no collection URI: SYSTEM_COLLECTIONURI is not set',
      );
    }
    this.collection = options.collectionUri.endsWith('/')
      ? options.collectionUri
      : `${options.collectionUri}/`;
    this.#repoBase = `${this.collection}${enc(options.project)}/_apis/git/repositories/${enc(options.repositoryId)}/`;
    const basic = Buffer.from(`:${options.token}`).toString('base64');
    this.#authHeader = options.auth === 'basic' ? `Basic ${basic}` : `Bearer ${options.token}`;
    this.#secrets = [options.token, basic, Buffer.from(options.token).toString('base64')];
    const r = options.retry ?? {};
    this.#retry = { ...retryTiming(r), attempts: Math.max(1, r.attempts ?? 5), sleep: r.sleep ?? wait };
    this.pageSize = Math.max(1, options.pageSize ?? 100);
    this.#fetch = options.fetch ?? fetch;
  }

  redact(text: string): string {
    return redact(text, this.#secrets);
  }

  async call<T>(method: string, resource: string, opts: CallOptions = {}): Promise<Reply<T>> {
    const scope = opts.scope ?? 'repo';
    const label = scope === 'repo' ? `${method} …/${resource}` : `${method} ${resource}`;
    this.lastCall = label;
    const url = this.#url(resource, scope, opts);
    const headers: Record<string, string> = {
      Accept: 'application/json',
      Authorization: this.#authHeader,
      'User-Agent': 'gitops-promote',
    };
    let body: string | undefined;
    if (opts.body !== undefined) {
      headers['Content-Type'] = 'application/json';
      body = JSON.stringify(opts.body);
    }
    const { attempts, totalMs, retryAfterUnitMs, sleep } = this.#retry;
    const started = Date.now();
    for (let attempt = 1; ; attempt++) {
      const { res, text, failure } = await this.#send(url, { method, headers, body });
      const status = res?.status;
      const retryable = res === undefined || status === 429 || (status !== undefined && status >= 500);
      if (!retryable && res) return this.#answer<T>(label, res, text, opts);

      const retryAfter = res ? retryAfterSeconds(res.headers.get('retry-after')) : undefined;
      const hinted = retryAfter === undefined ? undefined : retryAfter * retryAfterUnitMs;
      const backoff = backoffMs(attempt, this.#retry) * (0.5 + Math.random() / 2);
      // Retry-After is obeyed as said (waiting less only earns another 429); the total budget still applies.
      const delay = hinted ?? backoff;
      const elapsed = Date.now() - started;
      const reason = res ? `HTTP ${status}` : (failure ?? 'network error');
      if (attempt >= attempts || elapsed + delay > totalMs) {
        throw this.#giveUp(label, { res, text, failure }, attempt, elapsed, retryAfter);
      }
      this.options.log?.(
        this.redact(
          `${label}: ${reason}; retrying in ${formatDuration(delay)} (attempt ${attempt + 1} of ${attempts})`,
        ),
      );
      await sleep(delay);
    }
  }

  /** The permission a refusal means, said for the build service identity and this repository. */
  lacks(need: string): string {
    return `the build service identity lacks ${need} on repository ${this.options.repositoryId}`;
  }

  /** One request, aborted after the timeout; its body is read under the same timeout. */
  async #send(url: string, init: RequestInit): Promise<Sent> {
    const { timeoutMs } = this.#retry;
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, timeoutMs);
    try {
      const res = await this.#fetch(url, { ...init, signal: controller.signal });
      return { res, text: await res.text() };
    } catch (e) {
      return { text: '', failure: describeNetworkError(e, timedOut, timeoutMs) };
    } finally {
      clearTimeout(timer);
    }
  }

  #url(resource: string, scope: 'repo' | 'collection', opts: CallOptions): string {
    const query: Query = { ...opts.query };
    const version = opts.apiVersion === undefined ? API_VERSION : opts.apiVersion;
    if (version) query['api-version'] = version;
    const qs = Object.entries(query)
      .filter(([, v]) => v !== undefined && v !== '')
      .map(([k, v]) => `${k}=${enc(String(v))}`)
      .join('&');
    const base = scope === 'repo' ? `${this.#repoBase}${resource}` : `${this.collection}${resource}`;
    return qs ? `${base}?${qs}` : base;
  }

  #answer<T>(label: string, res: Response, text: string, opts: CallOptions): Reply<T> {
    const type = res.headers.get('content-type') ?? '';
    // An invalid or expired PAT gets a sign-in page (203, HTML) instead of JSON.
    if (res.status === 203 || (text && /text\/html/i.test(type))) {
      throw new ProviderError(
        label,
        res.status === 203 ? 401 : res.status,
        this.#cause(401, undefined, opts.need),
      );
    }
    let data: unknown = {};
    if (text) {
      try {
        data = JSON.parse(text);
      } catch {
        if (res.ok) throw new ProviderError(label, res.status, 'the answer is not JSON');
        data = { message: text.slice(0, 300) };
      }
    }
    if (res.ok || opts.accept?.includes(res.status))
      return { status: res.status, data: data as T, headers: res.headers };
    throw new ProviderError(
      label,
      res.status,
      this.redact(this.#cause(res.status, data as AzError, opts.need)),
    );
  }

  #giveUp(
    label: string,
    { res, text, failure }: Sent,
    attempts: number,
    elapsedMs: number,
    retryAfter: number | undefined,
  ): ProviderError {
    const tried = `${attempts} attempt${attempts === 1 ? '' : 's'} in ${formatDuration(elapsedMs)}`;
    if (!res) {
      const host = new URL(this.collection).host;
      return new ProviderError(
        label,
        undefined,
        this.redact(
          `${failure ?? 'network error'} from ${host} after ${tried}; check SYSTEM_COLLECTIONURI and the network`,
        ),
      );
    }
    let api: AzError = {};
    try {
      api = JSON.parse(text) as AzError;
    } catch {}
    const said = api.message ? `; Azure DevOps says: ${api.message}` : '';
    const detail =
      res.status === 429
        ? `rate limited by Azure DevOps${retryAfter !== undefined ? ` (Retry-After ${formatDuration(retryAfter * 1000)})` : ''}, still after ${tried}; run again later${said}`
        : `the service kept failing after ${tried}; try again later${said}`;
    return new ProviderError(label, res.status, this.redact(detail));
  }

  #cause(status: number, api: AzError | undefined, need: Need | undefined): string {
    const said = api?.message ? `; Azure DevOps says: ${api.message}` : '';
    const { project, repositoryId } = this.options;
    switch (status) {
      case 401:
        return (
          'the token was rejected: it is invalid or expired, or the job token is not mapped into the step ' +
          '(add `env: SYSTEM_ACCESSTOKEN: $(System.AccessToken)` to the step, or pass the `token` input)'
        );
      case 403:
        return (
          `${this.lacks(PERMISSION[need ?? 'read'])} in project ${project} ` +
          `(Project settings → Repositories → Security: allow it for the "${project} Build Service" user)${said}`
        );
      case 404: {
        const typeKey = api?.typeKey ?? '';
        if (!api?.message || /Project|Repository/i.test(typeKey)) {
          return (
            `project "${project}" or repository "${repositoryId}" not found at ${this.collection} ` +
            `(check SYSTEM_COLLECTIONURI, SYSTEM_TEAMPROJECT and BUILD_REPOSITORY_ID, and that the token may read it)${said}`
          );
        }
        return api.message;
      }
      default:
        return api?.message ?? `unexpected answer from Azure DevOps`;
    }
  }
}

/**
 * Every item of a `top`/`skip` list, each once (by `idOf`). A server that ignores `skip` would repeat
 * itself: stop rather than loop. `check` sees each page as it comes.
 */
export async function allPages<T>(
  top: number,
  page: (skip: number) => Promise<T[]>,
  idOf: (item: T) => unknown,
  check: (items: T[]) => void = () => {},
): Promise<T[]> {
  const all: T[] = [];
  const seen = new Set<unknown>();
  for (let skip = 0; ; ) {
    const items = await page(skip);
    check(items);
    const fresh = items.filter((item) => !seen.has(idOf(item)));
    for (const item of fresh) seen.add(idOf(item));
    all.push(...fresh);
    if (items.length < top || fresh.length === 0) break;
    skip += items.length;
  }
  return all;
}

/** Do two ids name the same commit (`b` may be abbreviated, at least 7 characters)? */
export function sameSha(a: string | undefined, b: string): boolean {
  if (!a) return false;
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  return x === y || (y.length >= 7 && x.startsWith(y));
}

function describeNetworkError(e: unknown, timedOut: boolean, timeoutMs: number): string {
  if (timedOut) return `no answer within ${formatDuration(timeoutMs)}`;
  const err = e as { message?: string; cause?: { code?: string; message?: string } };
  const code = err?.cause?.code ?? err?.cause?.message ?? err?.message ?? String(e);
  return `network error (${code})`;
}
