/**
 * The Octokit client and its HTTP policy: a timeout per request, retries with backoff for 5xx, 429,
 * network errors and timeouts (honouring `retry-after`), rate limits waited out by the throttling plugin,
 * a time budget per call, and unpaced writes unless asked (SPEC §6). Octokit is loaded on the first call:
 * @octokit/core and its plugins on a given `fetch` (no @actions/github, whose proxy-aware fetch is undici).
 */
import { formatDuration } from '@gitops-promote/core';
import { backoffMs, type RetryTiming, retryAfterSeconds } from '../shared/retry';

/** Retry settings with their defaults filled in. */
export interface RetryPolicy extends RetryTiming {
  retries: number;
}

export interface OctokitSettings {
  token: string;
  apiUrl: string;
  retry: RetryPolicy;
  writeIntervalMs: number;
  /** Already free of the token. */
  log: (line: string) => void;
  /** The base `fetch` (a proxy-aware one, say). Default: the global `fetch`. */
  fetch?: typeof fetch;
  /** For ACTIONS_ORCHESTRATION_ID. Default: `process.env`. */
  env?: NodeJS.ProcessEnv;
}

// The part of Octokit this module uses (typed here so the types do not pull Octokit in at load time).

export interface OctokitResponse<T> {
  status: number;
  url: string;
  headers: Record<string, string | number | undefined>;
  data: T;
}
interface HookOptions {
  method: string;
  url: string;
  request: RequestControl;
  [key: string]: unknown;
}
/** Per-request state kept in Octokit's `request` options (fresh for every request, shared by its retries). */
interface RequestControl {
  deadline?: number;
  signal?: AbortSignal;
  attempts?: number;
  [key: string]: unknown;
}
export interface OctokitLike {
  request<T>(route: string, params?: Record<string, unknown>): Promise<OctokitResponse<T>>;
  paginate: {
    iterator<T>(route: string, params?: Record<string, unknown>): AsyncIterable<OctokitResponse<T[]>>;
  };
  hook: {
    wrap(
      name: 'request',
      fn: (request: () => Promise<unknown>, options: HookOptions) => Promise<unknown>,
    ): void;
    error(name: 'request', fn: (error: unknown, options: HookOptions) => unknown): void;
  };
  retry: { retryRequest(error: unknown, retries: number, retryAfter: number): unknown };
}
/** An Octokit RequestError, plus what the retry policy notes on it. */
export interface RequestErrorLike extends Error {
  status?: number;
  response?: { status: number; headers: Record<string, string | number | undefined>; data: unknown };
  request?: { request?: Record<string, unknown> };
  attempts?: number;
}

/** Thrown by the fetch wrapper when a request or the whole call runs out of time. */
class TimeoutError extends Error {
  override name = 'TimeoutError';
}

/** Every 4xx/5xx: the retry plugin runs the retries, but this module's policy hook decides which and when. */
const ALL_ERROR_STATUSES = Array.from({ length: 200 }, (_, i) => 400 + i);

export async function loadOctokit(settings: OctokitSettings): Promise<OctokitLike> {
  const [{ Octokit }, { paginateRest }, { retry }, { throttling }] = await Promise.all([
    import('@octokit/core'),
    import('@octokit/plugin-paginate-rest'),
    import('@octokit/plugin-retry'),
    import('@octokit/plugin-throttling'),
  ]);
  const cfg = settings.retry;
  const callName = namer(settings.apiUrl);
  const log = {
    debug: () => {},
    info: () => {},
    warn: (m: string) => settings.log(`warning: ${m}`),
    error: (m: string) => settings.log(`error: ${m}`),
  };
  const onLimit = limitHandler(cfg, settings.log, callName);
  // Order matters: the policy's error hook must sit inside the retry plugin.
  const Client = Octokit.plugin(
    paginateRest,
    retryPolicy(cfg, settings.log, callName) as never,
    retry,
    throttling,
  );
  const octokit = new Client({
    auth: settings.token,
    baseUrl: settings.apiUrl,
    userAgent: userAgent(settings.env ?? process.env),
    log,
    request: { fetch: timed(settings.fetch ?? globalThis.fetch, cfg), log },
    retry: { doNotRetry: ALL_ERROR_STATUSES, retryAfterBaseValue: 1 },
    throttle: {
      onRateLimit: onLimit('rate limit exhausted'),
      onSecondaryRateLimit: onLimit('secondary rate limit'),
      retryAfterBaseValue: cfg.retryAfterUnitMs,
      write: spacing(settings.writeIntervalMs),
      notifications: spacing(settings.writeIntervalMs * 3),
    },
  } as never) as unknown as OctokitLike;

  // Outermost: a fresh `request` object per request (Octokit shares the default one), with its deadline.
  octokit.hook.wrap('request', (request, options) => {
    options.request = {
      ...options.request,
      attempts: 0,
      deadline: Date.now() + cfg.totalMs,
      signal: AbortSignal.timeout(cfg.totalMs),
    };
    return request();
  });
  return octokit;
}

/** `gitops-promote`, tagged with the runner's orchestration id as @actions/github tags it. */
function userAgent(env: NodeJS.ProcessEnv): string {
  const id = env.ACTIONS_ORCHESTRATION_ID?.trim();
  return id
    ? `gitops-promote actions_orchestration_id/${id.replace(/[^a-z0-9_.-]/gi, '_')}`
    : 'gitops-promote';
}

/** How a request is named in log lines: `GET /repos/…`, relative to the API root. */
function namer(apiUrl: string): (options: HookOptions) => string {
  const apiPath = pathOf(apiUrl);
  return (options) => {
    let path = options.url;
    try {
      path = new URL(options.url, `${apiUrl}/`).pathname;
    } catch {}
    if (apiPath && path.startsWith(apiPath)) path = path.slice(apiPath.length);
    return `${options.method} ${path}`;
  };
}

/** `fetch` with a timeout per attempt, inside the call's time budget (the signal Octokit passes on). */
function timed(baseFetch: typeof fetch, cfg: RetryPolicy): typeof fetch {
  return async (url: string | URL | Request, init: RequestInit = {}): Promise<Response> => {
    const timeout = AbortSignal.timeout(cfg.timeoutMs);
    const budget = init.signal ?? undefined;
    const signal = budget ? AbortSignal.any([budget, timeout]) : timeout;
    try {
      const res = await baseFetch(url, { ...init, signal });
      // Read the body under the same timeout, so a response that stalls half-way counts as no answer.
      const body = [101, 204, 205, 304].includes(res.status) ? null : await res.arrayBuffer();
      const copy = new Response(body, {
        status: res.status,
        statusText: res.statusText,
        headers: res.headers,
      });
      Object.defineProperty(copy, 'url', { value: res.url });
      return copy;
    } catch (e) {
      if (budget?.aborted)
        throw new TimeoutError(`gave up after ${seconds(cfg.totalMs)} (the time budget of one call)`);
      if (timeout.aborted) throw new TimeoutError(`no answer within ${seconds(cfg.timeoutMs)}`);
      throw e;
    }
  };
}

/** The retry policy: runs inside the retry plugin, which waits and re-sends as told. */
function retryPolicy(cfg: RetryPolicy, log: (line: string) => void, callName: (o: HookOptions) => string) {
  return (octokit: OctokitLike) => {
    octokit.hook.error('request', (error, options) => {
      const err = error as RequestErrorLike;
      const control = options.request;
      control.attempts = (control.attempts ?? 0) + 1;
      if (!err || typeof err !== 'object' || !err.request) throw error;
      err.attempts = control.attempts;
      const status = err.response?.status;
      const headers = err.response?.headers ?? {};
      const transient =
        !err.response || (status !== undefined && (status >= 500 || (status === 429 && !throttled(err))));
      if (transient && control.attempts <= cfg.retries) {
        const hinted = retryAfterSeconds(headers['retry-after']);
        const backoff = backoffMs(control.attempts, cfg);
        const delay = Math.round(
          hinted !== undefined ? hinted * cfg.retryAfterUnitMs : backoff * (0.8 + Math.random() * 0.4),
        );
        if (Date.now() + delay < (control.deadline ?? Number.POSITIVE_INFINITY)) {
          const why = err.response ? `HTTP ${status}` : err.message;
          log(
            `${callName(options)}: ${why}; retrying in ${seconds(delay)} (attempt ${control.attempts + 1} of ${cfg.retries + 1})`,
          );
          throw octokit.retry.retryRequest(error, 1_000_000, delay);
        }
      }
      // Not retried here: rate limits go on to the throttling plugin, the rest to the caller.
      throw octokit.retry.retryRequest(error, 0, 0);
    });
    return {};
  };
}

/** The throttling plugin's question: wait out this rate limit (within the retries and the budget)? */
function limitHandler(cfg: RetryPolicy, log: (line: string) => void, callName: (o: HookOptions) => string) {
  return (kind: string) =>
    (retryAfter: number, options: unknown, _octokit: unknown, retryCount: number): boolean => {
      const o = options as HookOptions;
      const delay = retryAfter * cfg.retryAfterUnitMs;
      if (
        retryCount < cfg.retries &&
        Date.now() + delay < (o.request?.deadline ?? Number.POSITIVE_INFINITY)
      ) {
        log(`${callName(o)}: ${kind}; retrying in ${seconds(delay)}`);
        return true;
      }
      return false;
    };
}

/**
 * A limiter with Bottleneck's `Group` shape that only spaces jobs, in place of the throttling plugin's
 * write and notification groups (which would wait 1 s and 3 s between writes). 0: never waits.
 */
function spacing(intervalMs: number) {
  let next = 0;
  const limiter = {
    async schedule(...args: unknown[]): Promise<unknown> {
      const [fn, ...rest] = (typeof args[0] === 'function' ? args : args.slice(1)) as [
        (...a: unknown[]) => unknown,
        ...unknown[],
      ];
      const now = Date.now();
      const start = Math.max(now, next);
      next = start + intervalMs;
      if (start > now) await new Promise((resolve) => setTimeout(resolve, start - now));
      return fn(...rest);
    },
  };
  return { key: () => limiter } as never;
}

/** Does the throttling plugin take this error (GitHub's wording of a primary or secondary rate limit)? */
function throttled(err: RequestErrorLike): boolean {
  const headers = err.response?.headers ?? {};
  return (
    (err.status === 403 || err.status === 429) &&
    (/\bsecondary rate\b/i.test(err.message) || String(headers['x-ratelimit-remaining']) === '0')
  );
}

export function pathOf(url: string): string {
  try {
    return new URL(url).pathname.replace(/\/+$/, '');
  } catch {
    return '';
  }
}

/** A wait or budget in the one format of every message (`2s`, `1m 30s`, `300ms`). */
export function seconds(ms: number): string {
  return formatDuration(ms);
}
