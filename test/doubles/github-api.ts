/**
 * An in-process stand-in for the GitHub REST API (and the auto-merge GraphQL mutations), for tests.
 *
 * It speaks GitHub's request and response shapes for exactly the endpoints gitops-promote uses, on
 * 127.0.0.1 and a free port. Git data (refs, tags, ancestry, trees, commits, file contents) is real: every
 * call runs git plumbing against the bare repository it is given (a `gitFixture().remote`), so what a test
 * pushes with git is what the API shows, and what the API creates is in the repository. Statuses, check
 * runs, pull requests, comments and auto-merge live in memory.
 *
 *   const fx = gitFixture();
 *   const api = await startGitHubDouble(fx.remote);          // or { prefix: '/api/v3' } for GHES
 *   new GitHubProvider({ token: api.token, repository: api.repository, apiUrl: api.apiUrl });
 *   // a bundle: runGitHub(step, { env: { ...api.env() }, inputs: { token: api.token } })
 *   api.addStatus(sha, { context: 'kustomization/apps-dev/1a2b3c4d', state: 'success' });   // as Flux would
 *   api.failNext({ method: 'POST', path: '/statuses/', status: 502, times: 2 });
 *   api.requests;                                             // every request, for assertions
 *   await api.close();
 *
 * Served (paths relative to the API root; `{o}/{r}` is the configured repository, anything else is 404):
 *   GET    /repos/{o}/{r}
 *   GET    /repos/{o}/{r}/commits/{ref}/statuses            paginated, newest first
 *   GET    /repos/{o}/{r}/commits/{ref}/status              combined status
 *   GET    /repos/{o}/{r}/commits/{ref}/check-runs          paginated, {total_count, check_runs}, filter=latest|all
 *   POST   /repos/{o}/{r}/statuses/{sha}
 *   GET    /repos/{o}/{r}/commits?sha=&per_page=&page=         newest first
 *   GET    /repos/{o}/{r}/git/ref/{ref}                     exact match
 *   GET    /repos/{o}/{r}/git/matching-refs/{prefix}        paginated
 *   POST   /repos/{o}/{r}/git/refs
 *   PATCH  /repos/{o}/{r}/git/refs/{ref}                    fast-forward unless force
 *   DELETE /repos/{o}/{r}/git/refs/{ref}                    422 "Reference does not exist" when missing
 *   POST   /repos/{o}/{r}/git/tags, GET …/git/tags/{sha}
 *   POST   /repos/{o}/{r}/git/blobs, GET …/git/blobs/{sha}
 *   POST   /repos/{o}/{r}/git/trees, GET …/git/trees/{sha}[?recursive=1]
 *   POST   /repos/{o}/{r}/git/commits, GET …/git/commits/{sha}
 *   GET    /repos/{o}/{r}/compare/{base}...{head}
 *   GET    /repos/{o}/{r}/contents/{path}?ref=              files over 1 MB come without content, as on GitHub
 *   GET    /repos/{o}/{r}/pulls?state=&head=owner:branch&base=   paginated
 *   POST   /repos/{o}/{r}/pulls, GET/PATCH …/pulls/{n}
 *   GET    /repos/{o}/{r}/commits/{sha}/pulls
 *   GET    /repos/{o}/{r}/issues/{n}/comments               paginated
 *   POST   /repos/{o}/{r}/issues/{n}/comments, PATCH …/issues/comments/{id}
 *   POST   /graphql (GHES: /api/graphql)                    enablePullRequestAutoMerge, disablePullRequestAutoMerge,
 *                                                           repository.refs (names with their targets, paged)
 *   POST   /repos/{o}/{r}/actions/workflows/{file}/dispatches   204; 404 no such workflow on the default branch,
 *                                                           422 no such ref, or no `on: workflow_dispatch` at it
 *
 * Behaviour a test can lean on:
 * - `authorization: token <t>` or `Bearer <t>` must carry `api.token`, else 401 "Bad credentials".
 * - Lists honour `per_page` (default 30, at most 100) and `page`, and send GitHub's `Link` header with
 *   absolute URLs (prefix included).
 * - Errors carry GitHub's bodies (`message`, `documentation_url`, `status`); 422s say what GitHub says
 *   ("Reference already exists", "Update is not a fast forward", "Validation Failed" with `errors`).
 * - `deny('statuses:write')` makes every call needing that permission answer 403 "Resource not accessible
 *   by integration", as a GITHUB_TOKEN without it does.
 * - `failNext(...)` injects faults (status, headers, body, delay, or a request that never gets an answer)
 *   for matching requests; `GITHUB_ERRORS` holds GitHub's real error bodies to inject.
 * - Times (statuses, check runs, pull requests, comments) come from `options.clock`, in milliseconds, each
 *   later than the one before; statuses are listed newest first by time, as GitHub documents, so a
 *   client can never get "newest" right from list order alone where times say otherwise.
 * - Every request records when it arrived (`at`) and was answered (`answeredAt`) on the double's clock.
 * - `autoMerge`: 'allowed' (default), 'disabled' (repository setting off) or 'clean' (no required checks),
 *   with GitHub's GraphQL error for each.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { tempDir } from '../support/git';

// ---------------------------------------------------------------------------------------------------------
// Public types

export interface RecordedRequest {
  method: string;
  /** Path below the API root (prefix removed), percent-encoded as sent, no query: `/repos/o/r/git/refs`. */
  path: string;
  /** The request target as sent, prefix and query included. */
  url: string;
  query: Record<string, string>;
  /** Parsed JSON body, or the raw text, or undefined. */
  body: unknown;
  /** Lower-cased header names, as Node gives them. */
  headers: Record<string, string | string[] | undefined>;
  /** The status answered (undefined for a request left hanging). */
  status?: number;
  /** The request was answered by an injected fault. */
  fault?: boolean;
  /** Milliseconds since the double started, when the request arrived. */
  at: number;
  /** Milliseconds since the double started, when the answer was sent (undefined while unanswered). */
  answeredAt?: number;
}

export interface Fault {
  /** Only requests with this method (any when omitted). */
  method?: string;
  /** Only requests whose path (below the API root, no query) contains this string or matches this pattern. */
  path?: string | RegExp;
  /** Answer with this status (default 500), unless `hang`. */
  status?: number;
  headers?: Record<string, string>;
  /** JSON body (object) or raw text (string; sent as text/html). Default: GitHub's body for the status. */
  body?: unknown;
  /** How many matching requests get the fault (default 1). */
  times?: number;
  /** Never answer (until the client gives up or the double closes). */
  hang?: boolean;
  /** Wait this long first; without `status` the request is then served normally. */
  delayMs?: number;
}

export type Permission =
  | 'metadata:read'
  | 'statuses:read'
  | 'statuses:write'
  | 'checks:read'
  | 'contents:read'
  | 'contents:write'
  | 'pull-requests:read'
  | 'pull-requests:write'
  | 'issues:read'
  | 'issues:write'
  | 'actions:write';

export interface StatusInput {
  context: string;
  state: 'success' | 'failure' | 'error' | 'pending';
  description?: string;
  targetUrl?: string;
  /** ISO 8601; default now. */
  createdAt?: string;
}

export interface CheckRunInput {
  name: string;
  status?: 'queued' | 'in_progress' | 'completed';
  conclusion?:
    | 'success'
    | 'failure'
    | 'neutral'
    | 'cancelled'
    | 'skipped'
    | 'timed_out'
    | 'action_required'
    | 'stale'
    | null;
  title?: string;
  detailsUrl?: string;
  startedAt?: string;
  completedAt?: string;
}

export interface GitHubDoubleOptions {
  /** `owner/name` the double serves. Default `octo-org/octo-repo`. */
  repository?: string;
  /** The token requests must carry. Default: a random `ghs_…` token. */
  token?: string;
  /** API root path, e.g. `/api/v3` for GitHub Enterprise Server (GraphQL then at `/api/graphql`). */
  prefix?: string;
  /** Auto-merge: allowed, disabled in the repository settings, or refused as "clean status". */
  autoMerge?: 'allowed' | 'disabled' | 'clean';
  /** Default branch. Default `main`. */
  defaultBranch?: string;
  /**
   * The double's clock (ms since the epoch) for every time it stamps. Default: the real clock. Stamps
   * are kept distinct and increasing (at least 1 ms apart), so recency never has to be guessed from
   * the order of a list.
   */
  clock?: () => number;
}

/** GitHub's real error bodies (and headers), for `failNext`. */
export const GITHUB_ERRORS = {
  badCredentials: {
    status: 401,
    body: { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest', status: '401' },
  },
  notAccessible: (doc = 'https://docs.github.com/rest') => ({
    status: 403,
    body: { message: 'Resource not accessible by integration', documentation_url: doc, status: '403' },
  }),
  notFound: (doc = 'https://docs.github.com/rest') => ({
    status: 404,
    body: { message: 'Not Found', documentation_url: doc, status: '404' },
  }),
  validation: (message: string, doc = 'https://docs.github.com/rest') => ({
    status: 422,
    body: { message, documentation_url: doc, status: '422' },
  }),
  /** 403 or 429 with `retry-after`, as GitHub sends for secondary rate limits. */
  secondaryRateLimit: (retryAfterSeconds = 60, status: 403 | 429 = 429) => ({
    status,
    headers: { 'retry-after': String(retryAfterSeconds) },
    body: {
      message:
        'You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID 0000:0000:0000000:0000000:00000000.',
      documentation_url:
        'https://docs.github.com/free-pro-team@latest/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits',
      status: String(status),
    },
  }),
  /** 403 with `x-ratelimit-remaining: 0`, as GitHub sends when the hourly quota is spent. */
  primaryRateLimit: (resetInSeconds = 60) => ({
    status: 403,
    headers: {
      'x-ratelimit-limit': '5000',
      'x-ratelimit-remaining': '0',
      'x-ratelimit-used': '5000',
      'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + resetInSeconds),
      'x-ratelimit-resource': 'core',
    },
    body: {
      message: 'API rate limit exceeded for installation ID 1.',
      documentation_url: 'https://docs.github.com/rest/overview/resources-in-the-rest-api#rate-limiting',
      status: '403',
    },
  }),
  serverError: { status: 500, body: { message: 'Server Error' } },
  /** GitHub's 502: an HTML page. */
  badGateway: {
    status: 502,
    body: '<html><body><h1>502 Bad Gateway</h1>\nThe server returned an invalid or incomplete response.\n</body></html>\n',
  },
} as const;

export async function startGitHubDouble(
  remote: string,
  options: GitHubDoubleOptions = {},
): Promise<GitHubApiDouble> {
  const api = new GitHubApiDouble(remote, options);
  await api.listen();
  return api;
}

// ---------------------------------------------------------------------------------------------------------
// Internal state

interface StoredStatus {
  id: number;
  sha: string;
  state: string;
  description: string | null;
  target_url: string | null;
  context: string;
  created_at: string;
  updated_at: string;
}

interface StoredCheckRun {
  id: number;
  sha: string;
  name: string;
  status: string;
  conclusion: string | null;
  title: string | null;
  details_url: string | null;
  started_at: string;
  completed_at: string | null;
}

interface StoredPull {
  number: number;
  id: number;
  node_id: string;
  title: string;
  body: string | null;
  head: string;
  base: string;
  /** Frozen when the pull request closes; while open, the branch's current head. */
  headSha: string;
  baseSha: string;
  state: 'open' | 'closed';
  created_at: string;
  updated_at: string;
  closed_at: string | null;
  merged_at: string | null;
  merge_commit_sha: string | null;
  auto_merge: { merge_method: string; enabled_at: string } | null;
}

interface StoredIssue {
  number: number;
  id: number;
  title: string;
  body: string | null;
  state: 'open' | 'closed';
  state_reason: string | null;
  labels: string[];
  created_at: string;
  updated_at: string;
  closed_at: string | null;
}

interface StoredComment {
  id: number;
  issue: number;
  body: string;
  created_at: string;
  updated_at: string;
}

interface Answer {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
    readonly headers: Record<string, string> = {},
  ) {
    super(typeof body === 'object' && body && 'message' in body ? String(body.message) : `HTTP ${status}`);
  }
}

interface Ctx {
  method: string;
  /** Decoded path parameters. */
  params: string[];
  query: URLSearchParams;
  body: Record<string, unknown>;
  /** Absolute URL of this request (for Link headers). */
  self: URL;
}

interface Route {
  method: string;
  pattern: RegExp;
  permission: Permission;
  doc: string;
  handle: (ctx: Ctx) => Answer;
}

const DOCS = 'https://docs.github.com/rest';
const GIT_ENV = {
  ...process.env,
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_TERMINAL_PROMPT: '0',
  GIT_AUTHOR_NAME: 'github-actions[bot]',
  GIT_AUTHOR_EMAIL: '41898282+github-actions[bot]@users.noreply.github.com',
  GIT_COMMITTER_NAME: 'GitHub',
  GIT_COMMITTER_EMAIL: 'noreply@github.com',
};
const BOT = { login: 'github-actions[bot]', id: 41898282, type: 'Bot' };
const SHA_RE = /^[0-9a-f]{40}([0-9a-f]{24})?$/;

export class GitHubApiDouble {
  readonly token: string;
  readonly repository: string;
  readonly owner: string;
  readonly name: string;
  readonly prefix: string;
  readonly defaultBranch: string;
  /** Every request received, in order. */
  readonly requests: RecordedRequest[] = [];
  /** Workflow runs started by workflow_dispatch, in order: the workflow file and the ref it runs on. */
  readonly dispatches: { workflow: string; ref: string; inputs: Record<string, unknown> }[] = [];
  autoMerge: 'allowed' | 'disabled' | 'clean';

  readonly #remote: string;
  readonly #server: Server;
  readonly #started = Date.now();
  readonly #faults: (Fault & { left: number })[] = [];
  readonly #denied = new Set<Permission>();
  readonly #statuses: StoredStatus[] = [];
  readonly #checkRuns: StoredCheckRun[] = [];
  readonly #pulls: StoredPull[] = [];
  readonly #comments: StoredComment[] = [];
  readonly #issues: StoredIssue[] = [];
  readonly #hanging = new Set<ServerResponse>();
  /** Object types by full sha: objects never change, so one lookup each. */
  readonly #types = new Map<string, string>();
  readonly #routes: Route[];
  #origin = '';
  #nextId = 1000;
  #nextNumber = 1;
  readonly #clock: () => number;
  #lastStamp = 0;

  constructor(remote: string, options: GitHubDoubleOptions = {}) {
    this.#remote = remote;
    this.repository = options.repository ?? 'octo-org/octo-repo';
    [this.owner, this.name] = this.repository.split('/') as [string, string];
    this.token = options.token ?? `ghs_${randomBytes(18).toString('hex')}`;
    this.prefix = (options.prefix ?? '').replace(/\/+$/, '');
    this.autoMerge = options.autoMerge ?? 'allowed';
    this.defaultBranch = options.defaultBranch ?? 'main';
    this.#clock = options.clock ?? Date.now;
    this.#routes = this.#buildRoutes();
    this.#server = createServer((req, res) => {
      void this.#serve(req, res);
    });
  }

  /** REST root, e.g. `http://127.0.0.1:41234` or `http://127.0.0.1:41234/api/v3`. */
  get apiUrl(): string {
    return `${this.#origin}${this.prefix}`;
  }
  /** Alias of `apiUrl`. */
  get url(): string {
    return this.apiUrl;
  }
  /** Web root (html_url links). */
  get serverUrl(): string {
    return this.#origin;
  }
  get graphqlUrl(): string {
    return `${this.#origin}${this.#graphqlPath()}`;
  }

  /** The environment a step bundle needs to talk to this double (the token goes in as an input). */
  env(): Record<string, string> {
    return {
      GITHUB_API_URL: this.apiUrl,
      GITHUB_SERVER_URL: this.serverUrl,
      GITHUB_GRAPHQL_URL: this.graphqlUrl,
      GITHUB_REPOSITORY: this.repository,
    };
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(0, '127.0.0.1', () => resolve());
    });
    const { port } = this.#server.address() as AddressInfo;
    this.#origin = `http://127.0.0.1:${port}`;
  }

  async close(): Promise<void> {
    for (const res of this.#hanging) res.destroy();
    this.#hanging.clear();
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  // --- test controls --------------------------------------------------------------------------------------

  /** Answers the next matching request(s) with a fault instead of serving them. */
  failNext(fault: Fault): this {
    this.#faults.push({ ...fault, left: fault.times ?? 1 });
    return this;
  }

  /** The next matching request(s) never get an answer. */
  hangNext(fault: Omit<Fault, 'hang' | 'status'> = {}): this {
    return this.failNext({ ...fault, hang: true });
  }

  /** Drops faults not yet used. */
  clearFaults(): void {
    this.#faults.length = 0;
  }

  /** Calls needing `permission` answer 403, as with a token that lacks it. */
  deny(...permissions: Permission[]): this {
    for (const p of permissions) this.#denied.add(p);
    return this;
  }

  allow(...permissions: Permission[]): this {
    for (const p of permissions) this.#denied.delete(p);
    return this;
  }

  /** Requests matching method and path (substring or pattern of the path below the API root). */
  requestsTo(method: string, path: string | RegExp): RecordedRequest[] {
    return this.requests.filter((r) => r.method === method && matches(path, r.path));
  }

  /** The double's time, ISO 8601 with milliseconds; every stamp later than the one before. */
  #now(): string {
    const t = Math.max(this.#clock(), this.#lastStamp + 1);
    this.#lastStamp = t;
    return new Date(t).toISOString();
  }

  /** Adds a commit status as another system (Flux, CI) would post it. Returns the stored status. */
  addStatus(sha: string, status: StatusInput): Record<string, unknown> {
    const full = this.#commit(sha);
    if (!full) throw new Error(`addStatus: no commit ${sha} in ${this.#remote}`);
    const at = status.createdAt ?? this.#now();
    const stored: StoredStatus = {
      id: this.#id(),
      sha: full,
      state: status.state,
      description: status.description ?? null,
      target_url: status.targetUrl ?? null,
      context: status.context,
      created_at: at,
      updated_at: at,
    };
    this.#statuses.push(stored);
    return this.#statusJson(stored);
  }

  /** Adds a check run (as a GitHub App would). Returns the stored check run. */
  addCheckRun(sha: string, run: CheckRunInput): Record<string, unknown> {
    const full = this.#commit(sha);
    if (!full) throw new Error(`addCheckRun: no commit ${sha} in ${this.#remote}`);
    const status = run.status ?? (run.conclusion ? 'completed' : 'queued');
    const stored: StoredCheckRun = {
      id: this.#id(),
      sha: full,
      name: run.name,
      status,
      conclusion: status === 'completed' ? (run.conclusion ?? 'success') : null,
      title: run.title ?? null,
      details_url: run.detailsUrl ?? null,
      started_at: run.startedAt ?? this.#now(),
      completed_at: status === 'completed' ? (run.completedAt ?? this.#now()) : null,
    };
    this.#checkRuns.push(stored);
    return this.#checkRunJson(stored);
  }

  /**
   * The statuses of a commit as GitHub lists them: reverse chronological order ("the first status in
   * the list will be the latest one"), all contexts; equal times newest-created first.
   */
  statuses(sha: string): Record<string, unknown>[] {
    const full = this.#commit(sha) ?? sha;
    return this.#statuses
      .filter((s) => s.sha === full)
      .sort((a, b) => Date.parse(b.created_at) - Date.parse(a.created_at) || b.id - a.id)
      .map((s) => this.#statusJson(s));
  }

  /** Every pull request, as GitHub returns it. */
  pullRequests(): Record<string, unknown>[] {
    return this.#pulls.map((p) => this.#pullJson(p, true));
  }

  pullRequest(number: number): Record<string, unknown> | undefined {
    const pr = this.#pulls.find((p) => p.number === number);
    return pr && this.#pullJson(pr, true);
  }

  /** Every issue (not pull requests), open and closed, as GitHub returns it. */
  issues(): Record<string, unknown>[] {
    return this.#issues.map((i) => this.#issueJson(i));
  }

  /** The comments of a pull request or issue, oldest first. */
  comments(number: number): Record<string, unknown>[] {
    return this.#comments.filter((c) => c.issue === number).map((c) => this.#commentJson(c));
  }

  /**
   * Merges a pull request the way GitHub's merge button does: a real merge commit (two parents) on the base
   * branch of the bare repository; the pull request becomes closed + merged with `merge_commit_sha`.
   * `squash` makes one commit with the pull request's changes instead. Returns the new commit.
   */
  async mergePullRequest(number: number, method: 'merge' | 'squash' = 'merge'): Promise<string> {
    const pr = this.#pulls.find((p) => p.number === number);
    if (!pr) throw new Error(`mergePullRequest: no pull request #${number}`);
    if (pr.state !== 'open') throw new Error(`mergePullRequest: pull request #${number} is ${pr.state}`);
    const base = this.#rev(`refs/heads/${pr.base}`);
    const head = this.#rev(`refs/heads/${pr.head}`);
    if (!base || !head)
      throw new Error(`mergePullRequest: #${number}: branch ${pr.base} or ${pr.head} is gone`);
    let tree: string;
    try {
      tree = this.#git(['merge-tree', '--write-tree', base, head]).split('\n')[0]!;
    } catch (e) {
      throw new Error(`mergePullRequest: #${number} does not merge cleanly: ${(e as Error).message}`);
    }
    const message =
      method === 'merge'
        ? `Merge pull request #${number} from ${this.owner}/${pr.head}\n\n${pr.title}\n`
        : `${pr.title} (#${number})\n\n${pr.body ?? ''}\n`;
    const parents = method === 'merge' ? ['-p', base, '-p', head] : ['-p', base];
    const merge = this.#git(['commit-tree', tree, ...parents, '-F', '-'], { input: message });
    this.#git(['update-ref', `refs/heads/${pr.base}`, merge, base]);
    const at = this.#now();
    Object.assign(pr, {
      state: 'closed',
      headSha: head,
      baseSha: base,
      merged_at: at,
      closed_at: at,
      updated_at: at,
      merge_commit_sha: merge,
      auto_merge: null,
    } satisfies Partial<StoredPull>);
    return merge;
  }

  // --- HTTP -----------------------------------------------------------------------------------------------

  async #serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    // Links (pagination) name the host the request named, as GitHub's do (a proxy test names it otherwise).
    const url = new URL(req.url ?? '/', req.headers.host ? `http://${req.headers.host}` : this.#origin);
    const rawPath = (req.url ?? '/').split('?')[0]!;
    const path = this.prefix && rawPath.startsWith(this.prefix) ? rawPath.slice(this.prefix.length) : rawPath;
    let body: unknown;
    if (raw) {
      try {
        body = JSON.parse(raw);
      } catch {
        body = raw;
      }
    }
    const record: RecordedRequest = {
      method: req.method ?? 'GET',
      path,
      url: req.url ?? '/',
      query: Object.fromEntries(url.searchParams),
      body,
      headers: { ...req.headers },
      at: Date.now() - this.#started,
    };
    this.requests.push(record);

    const fault = this.#takeFault(record);
    if (fault) {
      record.fault = true;
      if (fault.delayMs) await sleep(fault.delayMs);
      if (fault.hang) {
        this.#hanging.add(res);
        res.on('close', () => this.#hanging.delete(res));
        return;
      }
      if (fault.status !== undefined || !fault.delayMs) {
        const status = fault.status ?? 500;
        this.#send(res, record, {
          status,
          headers: fault.headers,
          body: fault.body ?? defaultErrorBody(status),
        });
        return;
      }
      record.fault = false;
    }

    let answer: Answer;
    try {
      if (raw && typeof body === 'string') {
        throw new HttpError(400, {
          message: 'Problems parsing JSON',
          documentation_url: DOCS,
          status: '400',
        });
      }
      answer = this.#route(record, rawPath, url);
    } catch (e) {
      if (e instanceof HttpError) answer = { status: e.status, body: e.body, headers: e.headers };
      else answer = { status: 500, body: { message: `github-api double: ${(e as Error).stack ?? e}` } };
    }
    this.#send(res, record, answer);
  }

  #takeFault(r: RecordedRequest): Fault | undefined {
    const fault = this.#faults.find(
      (f) =>
        f.left > 0 &&
        (!f.method || f.method.toUpperCase() === r.method) &&
        (!f.path || matches(f.path, r.path)),
    );
    if (!fault) return undefined;
    fault.left--;
    if (fault.left === 0) this.#faults.splice(this.#faults.indexOf(fault), 1);
    return fault;
  }

  #send(res: ServerResponse, record: RecordedRequest, answer: Answer): void {
    record.status = answer.status;
    record.answeredAt = Date.now() - this.#started;
    const headers: Record<string, string> = {
      'x-github-request-id': `${randomBytes(4).toString('hex').toUpperCase()}:${randomBytes(4).toString('hex').toUpperCase()}`,
      'x-github-media-type': 'github.v3; format=json',
      'x-ratelimit-limit': '5000',
      'x-ratelimit-remaining': '4999',
      'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 3600),
      'x-ratelimit-used': '1',
      'x-ratelimit-resource': 'core',
      ...answer.headers,
    };
    if (answer.status === 204 || answer.body === undefined) {
      res.writeHead(answer.status, headers);
      res.end();
      return;
    }
    const isText = typeof answer.body === 'string';
    const payload = isText ? (answer.body as string) : JSON.stringify(answer.body);
    headers['content-type'] ??= isText ? 'text/html; charset=utf-8' : 'application/json; charset=utf-8';
    headers['content-length'] = String(Buffer.byteLength(payload));
    res.writeHead(answer.status, headers);
    res.end(payload);
  }

  #graphqlPath(): string {
    return this.prefix === '/api/v3' ? '/api/graphql' : `${this.prefix}/graphql`;
  }

  #route(record: RecordedRequest, rawPath: string, url: URL): Answer {
    const isGraphql = record.method === 'POST' && rawPath === this.#graphqlPath();
    if (!isGraphql && this.prefix && !rawPath.startsWith(`${this.prefix}/`)) {
      throw new HttpError(404, { message: 'Not Found', documentation_url: DOCS, status: '404' });
    }
    this.#authenticate(record, isGraphql);
    const body = (record.body && typeof record.body === 'object' ? record.body : {}) as Record<
      string,
      unknown
    >;
    if (isGraphql) return this.#graphql(body);

    for (const route of this.#routes) {
      if (route.method !== record.method) continue;
      const m = route.pattern.exec(record.path);
      if (!m) continue;
      const [owner, name, ...rest] = m.slice(1).map((p) => (p === undefined ? '' : decodeURIComponent(p)));
      if (
        owner?.toLowerCase() !== this.owner.toLowerCase() ||
        name?.toLowerCase() !== this.name.toLowerCase()
      ) {
        throw notFound(route.doc);
      }
      if (this.#denied.has(route.permission)) {
        throw new HttpError(403, {
          message: 'Resource not accessible by integration',
          documentation_url: route.doc,
          status: '403',
        });
      }
      return route.handle({ method: record.method, params: rest, query: url.searchParams, body, self: url });
    }
    throw notFound(DOCS);
  }

  #authenticate(record: RecordedRequest, graphql: boolean): void {
    const auth = record.headers.authorization;
    const doc = graphql ? 'https://docs.github.com/graphql' : DOCS;
    if (!auth) {
      throw new HttpError(401, { message: 'Requires authentication', documentation_url: doc, status: '401' });
    }
    const m = /^(?:token|bearer)\s+(.+)$/i.exec(String(auth));
    if (!m || m[1] !== this.token) {
      throw new HttpError(401, { message: 'Bad credentials', documentation_url: doc, status: '401' });
    }
  }

  // --- routes ---------------------------------------------------------------------------------------------

  #buildRoutes(): Route[] {
    const R = '^/repos/([^/]+)/([^/]+)';
    const route = (
      method: string,
      pattern: string,
      permission: Permission,
      doc: string,
      handle: (ctx: Ctx) => Answer,
    ): Route => ({
      method,
      pattern: new RegExp(`${R}${pattern}$`),
      permission,
      doc: `${DOCS}/${doc}`,
      handle,
    });
    return [
      route('GET', '', 'metadata:read', 'repos/repos#get-a-repository', () => ok(this.#repoJson())),
      // statuses and checks
      route(
        'GET',
        '/commits/(.+)/statuses',
        'statuses:read',
        'commits/statuses#list-commit-statuses-for-a-reference',
        (c) => this.#listStatuses(c),
      ),
      route(
        'GET',
        '/commits/(.+)/status',
        'statuses:read',
        'commits/statuses#get-the-combined-status-for-a-specific-reference',
        (c) => this.#combinedStatus(c),
      ),
      route(
        'GET',
        '/commits/(.+)/check-runs',
        'checks:read',
        'checks/runs#list-check-runs-for-a-git-reference',
        (c) => this.#listCheckRuns(c),
      ),
      route('POST', '/statuses/([^/]+)', 'statuses:write', 'commits/statuses#create-a-commit-status', (c) =>
        this.#createStatus(c),
      ),
      // refs
      route('GET', '/git/ref/(.+)', 'contents:read', 'git/refs#get-a-reference', (c) => this.#getRef(c)),
      route('GET', '/git/matching-refs/(.*)', 'contents:read', 'git/refs#list-matching-references', (c) =>
        this.#matchingRefs(c),
      ),
      route('POST', '/git/refs', 'contents:write', 'git/refs#create-a-reference', (c) => this.#createRef(c)),
      route('PATCH', '/git/refs/(.+)', 'contents:write', 'git/refs#update-a-reference', (c) =>
        this.#updateRef(c),
      ),
      route('DELETE', '/git/refs/(.+)', 'contents:write', 'git/refs#delete-a-reference', (c) =>
        this.#deleteRef(c),
      ),
      // git objects
      route('POST', '/git/tags', 'contents:write', 'git/tags#create-a-tag-object', (c) => this.#createTag(c)),
      route('GET', '/git/tags/([^/]+)', 'contents:read', 'git/tags#get-a-tag', (c) => this.#getTag(c)),
      route('POST', '/git/blobs', 'contents:write', 'git/blobs#create-a-blob', (c) => this.#createBlob(c)),
      route('GET', '/git/blobs/([^/]+)', 'contents:read', 'git/blobs#get-a-blob', (c) => this.#getBlob(c)),
      route('POST', '/git/trees', 'contents:write', 'git/trees#create-a-tree', (c) => this.#createTree(c)),
      route('GET', '/git/trees/([^/]+)', 'contents:read', 'git/trees#get-a-tree', (c) => this.#getTree(c)),
      route('POST', '/git/commits', 'contents:write', 'git/commits#create-a-commit', (c) =>
        this.#createCommit(c),
      ),
      route('GET', '/git/commits/([^/]+)', 'contents:read', 'git/commits#get-a-commit-object', (c) =>
        ok(this.#commitJson(this.#needCommit(c.params[0]!, 404))),
      ),
      route('GET', '/commits', 'contents:read', 'commits/commits#list-commits', (c) => this.#listCommits(c)),
      route('GET', '/compare/(.+)', 'contents:read', 'commits/commits#compare-two-commits', (c) =>
        this.#compare(c),
      ),
      route('GET', '/contents/?(.*)', 'contents:read', 'repos/contents#get-repository-content', (c) =>
        this.#contents(c),
      ),
      // pull requests
      route('GET', '/pulls', 'pull-requests:read', 'pulls/pulls#list-pull-requests', (c) =>
        this.#listPulls(c),
      ),
      route('POST', '/pulls', 'pull-requests:write', 'pulls/pulls#create-a-pull-request', (c) =>
        this.#createPull(c),
      ),
      route('GET', '/pulls/(\\d+)', 'pull-requests:read', 'pulls/pulls#get-a-pull-request', (c) =>
        ok(this.#pullJson(this.#needPull(c.params[0]!), true)),
      ),
      route('PATCH', '/pulls/(\\d+)', 'pull-requests:write', 'pulls/pulls#update-a-pull-request', (c) =>
        this.#updatePull(c),
      ),
      route(
        'GET',
        '/commits/(.+)/pulls',
        'pull-requests:read',
        'commits/commits#list-pull-requests-associated-with-a-commit',
        (c) => this.#pullsOfCommit(c),
      ),
      // issues (pull requests are issues too: listed with a pull_request key)
      route('GET', '/issues', 'issues:read', 'issues/issues#list-repository-issues', (c) =>
        this.#listIssues(c),
      ),
      route('POST', '/issues', 'issues:write', 'issues/issues#create-an-issue', (c) => this.#createIssue(c)),
      route('GET', '/issues/(\\d+)', 'issues:read', 'issues/issues#get-an-issue', (c) =>
        ok(this.#issueJson(this.#needIssue(c.params[0]!, 'issues/issues#get-an-issue'))),
      ),
      route('PATCH', '/issues/(\\d+)', 'issues:write', 'issues/issues#update-an-issue', (c) =>
        this.#updateIssue(c),
      ),
      // workflows
      route(
        'POST',
        '/actions/workflows/([^/]+)/dispatches',
        'actions:write',
        'actions/workflows#create-a-workflow-dispatch-event',
        (c) => this.#dispatchWorkflow(c),
      ),
      // comments
      route(
        'GET',
        '/issues/(\\d+)/comments',
        'pull-requests:read',
        'issues/comments#list-issue-comments',
        (c) => this.#listComments(c),
      ),
      route(
        'POST',
        '/issues/(\\d+)/comments',
        'pull-requests:write',
        'issues/comments#create-an-issue-comment',
        (c) => this.#createComment(c),
      ),
      route(
        'PATCH',
        '/issues/comments/(\\d+)',
        'pull-requests:write',
        'issues/comments#update-an-issue-comment',
        (c) => this.#updateComment(c),
      ),
    ];
  }

  // --- statuses and check runs ----------------------------------------------------------------------------

  #listStatuses(c: Ctx): Answer {
    const sha = this.#commit(c.params[0]!);
    const list = sha ? this.statuses(sha) : [];
    return this.#page(c, list);
  }

  #combinedStatus(c: Ctx): Answer {
    const sha = this.#commit(c.params[0]!);
    if (!sha) throw unprocessable(`No commit found for SHA: ${c.params[0]}`, `${DOCS}/commits/statuses`);
    const newest = new Map<string, Record<string, unknown>>();
    for (const s of this.statuses(sha)) if (!newest.has(String(s.context))) newest.set(String(s.context), s);
    const statuses = [...newest.values()];
    const states = statuses.map((s) => s.state);
    const state =
      states.includes('failure') || states.includes('error')
        ? 'failure'
        : states.length === 0 || states.includes('pending')
          ? 'pending'
          : 'success';
    return ok({
      state,
      statuses: statuses.map(({ creator: _creator, ...s }) => s),
      sha,
      total_count: statuses.length,
      repository: this.#repoJson(),
      commit_url: `${this.apiUrl}/repos/${this.repository}/commits/${sha}`,
      url: `${this.apiUrl}/repos/${this.repository}/commits/${sha}/status`,
    });
  }

  #createStatus(c: Ctx): Answer {
    const sha = this.#commit(c.params[0]!);
    if (!sha || !SHA_RE.test(c.params[0]!)) {
      throw unprocessable(
        `No commit found for SHA: ${c.params[0]}`,
        `${DOCS}/commits/statuses#create-a-commit-status`,
      );
    }
    const { state, description, target_url, context } = c.body;
    if (!['error', 'failure', 'pending', 'success'].includes(String(state))) {
      throw validation([
        { resource: 'Status', code: 'custom', field: 'state', message: 'state is not included in the list' },
      ]);
    }
    if (typeof description === 'string' && description.length > 140) {
      throw validation([
        {
          resource: 'Status',
          code: 'custom',
          field: 'description',
          message: 'description is too long (maximum is 140 characters)',
        },
      ]);
    }
    const stored = this.addStatus(sha, {
      context: typeof context === 'string' && context ? context : 'default',
      state: state as StatusInput['state'],
      ...(typeof description === 'string' ? { description } : {}),
      ...(typeof target_url === 'string' ? { targetUrl: target_url } : {}),
    });
    return { status: 201, body: stored, headers: { location: String(stored.url) } };
  }

  #listCheckRuns(c: Ctx): Answer {
    const sha = this.#commit(c.params[0]!);
    if (!sha) throw unprocessable(`No commit found for SHA: ${c.params[0]}`, `${DOCS}/checks/runs`);
    let runs = this.#checkRuns.filter((r) => r.sha === sha).reverse();
    if (c.query.get('filter') !== 'all') {
      const seen = new Set<string>();
      runs = runs.filter((r) => !seen.has(r.name) && seen.add(r.name));
    }
    const name = c.query.get('check_name');
    if (name) runs = runs.filter((r) => r.name === name);
    const page = this.#page(
      c,
      runs.map((r) => this.#checkRunJson(r)),
    );
    return { ...page, body: { total_count: runs.length, check_runs: page.body } };
  }

  // --- refs ----------------------------------------------------------------------------------------------

  #getRef(c: Ctx): Answer {
    const ref = `refs/${c.params[0]}`;
    const sha = this.#refSha(ref);
    if (!sha) throw notFound(`${DOCS}/git/refs#get-a-reference`);
    return ok(this.#refJson(ref, sha));
  }

  #matchingRefs(c: Ctx): Answer {
    const prefix = `refs/${c.params[0] ?? ''}`;
    const out = this.#git(['for-each-ref', '--format=%(refname) %(objectname)', 'refs/']);
    const refs = out
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        const i = line.lastIndexOf(' ');
        return { ref: line.slice(0, i), sha: line.slice(i + 1) };
      })
      .filter((r) => r.ref.startsWith(prefix))
      .map((r) => this.#refJson(r.ref, r.sha));
    return this.#page(c, refs);
  }

  #createRef(c: Ctx): Answer {
    const doc = `${DOCS}/git/refs#create-a-reference`;
    const { ref, sha } = c.body;
    if (
      typeof ref !== 'string' ||
      !ref.startsWith('refs/') ||
      ref.split('/').length < 3 ||
      !this.#validRef(ref)
    ) {
      throw unprocessable(`${String(ref)} is not a valid ref name.`, doc);
    }
    if (typeof sha !== 'string' || !SHA_RE.test(sha) || !this.#exists(sha)) {
      throw unprocessable('Object does not exist', doc);
    }
    if (this.#refSha(ref)) throw unprocessable('Reference already exists', doc);
    try {
      this.#git(['update-ref', '--create-reflog', ref, sha, '']);
    } catch {
      throw unprocessable('Reference update failed', doc);
    }
    return { status: 201, body: this.#refJson(ref, sha), headers: { location: this.#refUrl(ref) } };
  }

  #updateRef(c: Ctx): Answer {
    const doc = `${DOCS}/git/refs#update-a-reference`;
    const ref = `refs/${c.params[0]}`;
    const { sha, force } = c.body;
    const old = this.#refSha(ref);
    if (!old) throw unprocessable('Reference does not exist', doc);
    if (typeof sha !== 'string' || !SHA_RE.test(sha) || !this.#exists(sha)) {
      throw unprocessable('Object does not exist', doc);
    }
    if (force !== true && old !== sha && !this.#isAncestor(old, sha)) {
      throw unprocessable('Update is not a fast forward', doc);
    }
    try {
      this.#git(['update-ref', ref, sha, old]);
    } catch {
      throw unprocessable('Reference cannot be updated', doc);
    }
    return ok(this.#refJson(ref, sha));
  }

  /**
   * As GitHub: the workflow is known by its file on the default branch; it runs the file at `ref` (a branch
   * or tag, short or full), which must have `on: workflow_dispatch`. 204 No Content.
   */
  #dispatchWorkflow(c: Ctx): Answer {
    const doc = `${DOCS}/actions/workflows#create-a-workflow-dispatch-event`;
    const workflow = c.params[0]!;
    const file = `.github/workflows/${workflow}`;
    // `cat-file -e` prints nothing: '' when the file is there, undefined when not.
    if (this.#tryGit(['cat-file', '-e', `refs/heads/${this.defaultBranch}:${file}`]) === undefined)
      throw notFound(doc);
    const ref = c.body.ref;
    if (typeof ref !== 'string' || ref === '')
      throw unprocessable('Invalid request.\n\n"ref" wasn\'t supplied.', doc);
    const full = [ref, `refs/heads/${ref}`, `refs/tags/${ref}`].find(
      (r) => r.startsWith('refs/') && this.#refSha(r),
    );
    if (!full) throw unprocessable(`No ref found for: ${ref}`, doc);
    const text = this.#tryGit(['show', `${full}:${file}`]) ?? '';
    if (!dispatchable(text)) throw unprocessable("Workflow does not have 'workflow_dispatch' trigger", doc);
    this.dispatches.push({ workflow, ref: full, inputs: (c.body.inputs as Record<string, unknown>) ?? {} });
    return { status: 204 };
  }

  #deleteRef(c: Ctx): Answer {
    const ref = `refs/${c.params[0]}`;
    const old = this.#refSha(ref);
    if (!old) throw unprocessable('Reference does not exist', `${DOCS}/git/refs#delete-a-reference`);
    this.#git(['update-ref', '-d', ref, old]);
    return { status: 204 };
  }

  // --- git objects ---------------------------------------------------------------------------------------

  #createTag(c: Ctx): Answer {
    const doc = `${DOCS}/git/tags#create-a-tag-object`;
    const { tag, message, object, type } = c.body;
    if (typeof tag !== 'string' || !tag || typeof message !== 'string' || typeof object !== 'string') {
      throw validation(
        [{ resource: 'Tag', code: 'missing_field', field: typeof tag !== 'string' ? 'tag' : 'object' }],
        doc,
      );
    }
    const objectType = typeof type === 'string' ? type : 'commit';
    if (!SHA_RE.test(object) || this.#type(object) !== objectType)
      throw unprocessable('Object does not exist', doc);
    const tagger = (c.body.tagger ?? {}) as { name?: string; email?: string; date?: string };
    const when = tagger.date ? Math.floor(Date.parse(tagger.date) / 1000) : Math.floor(Date.now() / 1000);
    const text = [
      `object ${object}`,
      `type ${objectType}`,
      `tag ${tag}`,
      `tagger ${tagger.name ?? BOT.login} <${tagger.email ?? GIT_ENV.GIT_AUTHOR_EMAIL}> ${when} +0000`,
      '',
      message.endsWith('\n') ? message : `${message}\n`,
    ].join('\n');
    let sha: string;
    try {
      sha = this.#git(['mktag'], { input: text });
    } catch (e) {
      throw unprocessable(`Tag is invalid: ${(e as Error).message.split('\n')[0]}`, doc);
    }
    return { status: 201, body: this.#tagJson(sha) };
  }

  #getTag(c: Ctx): Answer {
    const sha = c.params[0]!;
    if (!SHA_RE.test(sha) || this.#type(sha) !== 'tag') throw notFound(`${DOCS}/git/tags#get-a-tag`);
    return ok(this.#tagJson(sha));
  }

  #createBlob(c: Ctx): Answer {
    const { content, encoding } = c.body;
    if (typeof content !== 'string') {
      throw validation(
        [{ resource: 'Blob', code: 'missing_field', field: 'content' }],
        `${DOCS}/git/blobs#create-a-blob`,
      );
    }
    const data = encoding === 'base64' ? Buffer.from(content, 'base64') : Buffer.from(content, 'utf8');
    const sha = this.#git(['hash-object', '-w', '--stdin'], { input: data });
    return {
      status: 201,
      body: { url: `${this.apiUrl}/repos/${this.repository}/git/blobs/${sha}`, sha },
      headers: { location: `${this.apiUrl}/repos/${this.repository}/git/blobs/${sha}` },
    };
  }

  #getBlob(c: Ctx): Answer {
    const sha = c.params[0]!;
    if (!SHA_RE.test(sha) || this.#type(sha) !== 'blob') throw notFound(`${DOCS}/git/blobs#get-a-blob`);
    const data = this.#gitBuffer(['cat-file', 'blob', sha]);
    return ok({
      sha,
      node_id: nodeId('B', sha),
      size: data.length,
      url: `${this.apiUrl}/repos/${this.repository}/git/blobs/${sha}`,
      content: base64Lines(data),
      encoding: 'base64',
    });
  }

  #createTree(c: Ctx): Answer {
    const doc = `${DOCS}/git/trees#create-a-tree`;
    const { base_tree, tree } = c.body;
    if (!Array.isArray(tree))
      throw validation([{ resource: 'Tree', code: 'missing_field', field: 'tree' }], doc);
    if (base_tree !== undefined && (typeof base_tree !== 'string' || this.#type(base_tree) !== 'tree')) {
      throw unprocessable('base_tree is not a valid tree oid', doc);
    }
    const dir = tempDir('gp-ghapi-index-');
    const env = { GIT_INDEX_FILE: join(dir, 'index') };
    try {
      if (typeof base_tree === 'string') this.#git(['read-tree', base_tree], { env });
      else this.#git(['read-tree', '--empty'], { env });
      const known = new Set(this.#git(['ls-files', '-z'], { env }).split('\0').filter(Boolean));
      const lines: string[] = [];
      for (const raw of tree as Record<string, unknown>[]) {
        const path = raw.path;
        if (typeof path !== 'string' || !validTreePath(path)) {
          throw unprocessable(`tree.path contains a malformed path component`, doc);
        }
        const mode = String(raw.mode ?? '');
        if (!['100644', '100755', '120000', '160000', '040000'].includes(mode)) {
          throw unprocessable(`tree.mode ${mode} is not valid`, doc);
        }
        const hasSha = 'sha' in raw;
        const hasContent = typeof raw.content === 'string';
        if (hasSha === hasContent) {
          throw unprocessable(
            'Must supply either tree.sha or tree.content. Request will be rejected if both are present.',
            doc,
          );
        }
        if (raw.type === 'tree' || mode === '040000') {
          throw unprocessable('github-api double: tree entries of type tree are not supported', doc);
        }
        if (hasSha && raw.sha === null) {
          if (!known.has(path)) throw unprocessable('GitRPC::BadObjectState', doc);
          lines.push(`0 ${'0'.repeat(40)}\t${path}`);
          known.delete(path);
          continue;
        }
        let sha: string;
        if (hasContent) {
          sha = this.#git(['hash-object', '-w', '--stdin'], { input: String(raw.content) });
        } else {
          sha = String(raw.sha);
          if (!SHA_RE.test(sha) || !this.#exists(sha))
            throw unprocessable(`tree.sha ${sha} is not a valid blob`, doc);
        }
        lines.push(`${mode} ${sha}\t${path}`);
        known.add(path);
      }
      if (lines.length)
        this.#git(['update-index', '-z', '--index-info'], { env, input: `${lines.join('\0')}\0` });
      const sha = this.#git(['write-tree'], { env });
      return {
        status: 201,
        body: this.#treeJson(sha, false),
        headers: { location: `${this.apiUrl}/repos/${this.repository}/git/trees/${sha}` },
      };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  #getTree(c: Ctx): Answer {
    let sha = c.params[0]!;
    const type = this.#type(sha);
    if (type === 'commit') sha = this.#git(['rev-parse', `${sha}^{tree}`]);
    else if (type !== 'tree') throw notFound(`${DOCS}/git/trees#get-a-tree`);
    const recursive = c.query.has('recursive') && !['0', 'false'].includes(c.query.get('recursive') ?? '');
    return ok(this.#treeJson(sha, recursive));
  }

  #createCommit(c: Ctx): Answer {
    const doc = `${DOCS}/git/commits#create-a-commit`;
    const { message, tree, parents, author, committer } = c.body;
    if (typeof message !== 'string') {
      throw validation([{ resource: 'Commit', code: 'missing_field', field: 'message' }], doc);
    }
    if (typeof tree !== 'string' || this.#type(tree) !== 'tree')
      throw unprocessable('Tree SHA does not exist', doc);
    const parentList = Array.isArray(parents) ? parents.map(String) : [];
    for (const p of parentList) {
      if (this.#type(p) !== 'commit')
        throw unprocessable('Parent SHA does not exist or is not a commit object', doc);
    }
    const env: Record<string, string> = {};
    const person = (p: unknown, kind: 'AUTHOR' | 'COMMITTER') => {
      const v = (p ?? {}) as { name?: string; email?: string; date?: string };
      if (v.name) env[`GIT_${kind}_NAME`] = v.name;
      if (v.email) env[`GIT_${kind}_EMAIL`] = v.email;
      if (v.date) env[`GIT_${kind}_DATE`] = v.date;
    };
    person(author, 'AUTHOR');
    person(committer ?? author, 'COMMITTER');
    const sha = this.#git(['commit-tree', tree, ...parentList.flatMap((p) => ['-p', p]), '-F', '-'], {
      env,
      input: message,
    });
    return {
      status: 201,
      body: this.#commitJson(sha),
      headers: { location: `${this.apiUrl}/repos/${this.repository}/git/commits/${sha}` },
    };
  }

  /** `GET /commits?sha=&per_page=&page=`: commits reachable from `sha` (default: the default branch), newest first. */
  #listCommits(c: Ctx): Answer {
    const start = this.#commit(c.query.get('sha') ?? this.defaultBranch);
    if (!start) throw notFound(`${DOCS}/commits/commits#list-commits`);
    const perPage = Math.min(Math.max(Number(c.query.get('per_page')) || 30, 1), 100);
    const page = Math.max(Number(c.query.get('page')) || 1, 1);
    const shas = this.#git(['rev-list', `--max-count=${perPage}`, `--skip=${(page - 1) * perPage}`, start])
      .split('\n')
      .filter(Boolean);
    return ok(shas.map((sha) => ({ sha, url: `${this.apiUrl}/repos/${this.repository}/commits/${sha}` })));
  }

  #compare(c: Ctx): Answer {
    const doc = `${DOCS}/commits/commits#compare-two-commits`;
    const spec = c.params[0]!;
    const i = spec.indexOf('...');
    const [baseSpec, headSpec] = i >= 0 ? [spec.slice(0, i), spec.slice(i + 3)] : spec.split('..');
    const base = baseSpec ? this.#commit(baseSpec) : undefined;
    const head = headSpec ? this.#commit(headSpec) : undefined;
    if (!base || !head) throw notFound(doc);
    let mergeBase: string;
    try {
      mergeBase = this.#git(['merge-base', base, head]);
    } catch {
      throw notFound(doc);
    }
    const ahead = Number(this.#git(['rev-list', '--count', `${base}..${head}`]));
    const behind = Number(this.#git(['rev-list', '--count', `${head}..${base}`]));
    const status =
      ahead === 0 && behind === 0
        ? 'identical'
        : behind === 0
          ? 'ahead'
          : ahead === 0
            ? 'behind'
            : 'diverged';
    const perPage = Math.min(Math.max(Number(c.query.get('per_page')) || 250, 1), 250);
    const page = Math.max(Number(c.query.get('page')) || 1, 1);
    const shas = this.#git(['rev-list', '--reverse', `${base}..${head}`])
      .split('\n')
      .filter(Boolean);
    const files = this.#git(['diff', '--name-status', '-z', mergeBase, head])
      .split('\0')
      .filter(Boolean)
      .reduce<{ filename: string; status: string }[]>((out, part, index, all) => {
        if (index % 2 === 0) {
          const code = part[0];
          out.push({
            filename: all[index + 1] ?? '',
            status: code === 'A' ? 'added' : code === 'D' ? 'removed' : 'modified',
          });
        }
        return out;
      }, []);
    return ok({
      url: `${this.apiUrl}/repos/${this.repository}/compare/${spec}`,
      html_url: `${this.serverUrl}/${this.repository}/compare/${spec}`,
      permalink_url: `${this.serverUrl}/${this.repository}/compare/${this.owner}:${base.slice(0, 7)}...${this.owner}:${head.slice(0, 7)}`,
      diff_url: `${this.serverUrl}/${this.repository}/compare/${spec}.diff`,
      patch_url: `${this.serverUrl}/${this.repository}/compare/${spec}.patch`,
      base_commit: this.#commitSummary(base),
      merge_base_commit: this.#commitSummary(mergeBase),
      status,
      ahead_by: ahead,
      behind_by: behind,
      total_commits: ahead,
      commits: shas.slice((page - 1) * perPage, page * perPage).map((s) => this.#commitSummary(s)),
      files,
    });
  }

  #contents(c: Ctx): Answer {
    const doc = `${DOCS}/repos/contents#get-repository-content`;
    const path = (c.params[0] ?? '').replace(/\/+$/, '');
    const refName = c.query.get('ref') || this.defaultBranch;
    const commit = this.#commit(refName);
    if (!commit) throw notFound(doc, `No commit found for the ref ${refName}`);
    const entries = this.#lsTree(commit, path ? [path] : []);
    if (path && entries.length === 0) throw notFound(doc);
    const entry = path ? entries[0]! : { mode: '040000', type: 'tree', sha: '', path: '' };
    if (entry.type === 'tree') {
      const children = this.#lsTree(commit, path ? [`${path}/`] : []);
      return ok(children.map((e) => this.#contentJson(e, refName, false)));
    }
    return ok(this.#contentJson(entry, refName, true));
  }

  // --- pull requests -------------------------------------------------------------------------------------

  #listPulls(c: Ctx): Answer {
    const state = c.query.get('state') ?? 'open';
    if (!['open', 'closed', 'all'].includes(state)) {
      throw validation([{ resource: 'PullRequest', field: 'state', code: 'invalid' }], `${DOCS}/pulls/pulls`);
    }
    let pulls = this.#pulls.filter((p) => state === 'all' || p.state === state);
    // GitHub filters by head only in the `owner:branch` form.
    const head = c.query.get('head');
    if (head?.includes(':')) {
      const [owner, ...branch] = head.split(':');
      pulls = pulls.filter(
        (p) => owner?.toLowerCase() === this.owner.toLowerCase() && p.head === branch.join(':'),
      );
    }
    const base = c.query.get('base');
    if (base) pulls = pulls.filter((p) => p.base === base);
    const direction = c.query.get('direction') ?? 'desc';
    pulls = [...pulls].sort((a, b) => (direction === 'asc' ? a.number - b.number : b.number - a.number));
    return this.#page(
      c,
      pulls.map((p) => this.#pullJson(p, false)),
    );
  }

  #createPull(c: Ctx): Answer {
    const doc = `${DOCS}/pulls/pulls#create-a-pull-request`;
    const { title, body } = c.body;
    const head =
      typeof c.body.head === 'string' ? c.body.head.replace(new RegExp(`^${this.owner}:`, 'i'), '') : '';
    const base = typeof c.body.base === 'string' ? c.body.base : '';
    if (typeof title !== 'string' || !title) {
      throw validation([{ resource: 'PullRequest', code: 'missing_field', field: 'title' }], doc);
    }
    const headSha = head ? this.#refSha(`refs/heads/${head}`) : undefined;
    const baseSha = base ? this.#refSha(`refs/heads/${base}`) : undefined;
    if (!headSha) throw validation([{ resource: 'PullRequest', field: 'head', code: 'invalid' }], doc);
    if (!baseSha) throw validation([{ resource: 'PullRequest', field: 'base', code: 'invalid' }], doc);
    if (this.#pulls.some((p) => p.state === 'open' && p.head === head && p.base === base)) {
      throw validation(
        [
          {
            resource: 'PullRequest',
            code: 'custom',
            message: `A pull request already exists for ${this.owner}:${head}.`,
          },
        ],
        doc,
      );
    }
    if (this.#git(['rev-list', '--count', `${baseSha}..${headSha}`]) === '0') {
      throw validation(
        [{ resource: 'PullRequest', code: 'custom', message: `No commits between ${base} and ${head}` }],
        doc,
      );
    }
    const at = this.#now();
    const number = this.#nextNumber++;
    const id = this.#id();
    const pr: StoredPull = {
      number,
      id,
      node_id: nodeId('PR_kwDO', String(id)),
      title,
      body: typeof body === 'string' ? body : null,
      head,
      base,
      headSha,
      baseSha,
      state: 'open',
      created_at: at,
      updated_at: at,
      closed_at: null,
      merged_at: null,
      merge_commit_sha: null,
      auto_merge: null,
    };
    this.#pulls.push(pr);
    const json = this.#pullJson(pr, true);
    return { status: 201, body: json, headers: { location: String(json.url) } };
  }

  #updatePull(c: Ctx): Answer {
    const doc = `${DOCS}/pulls/pulls#update-a-pull-request`;
    const pr = this.#needPull(c.params[0]!);
    const { title, body, state, base } = c.body;
    if (title !== undefined) {
      if (typeof title !== 'string' || !title) {
        throw validation([{ resource: 'PullRequest', code: 'missing_field', field: 'title' }], doc);
      }
      pr.title = title;
    }
    if (body !== undefined) pr.body = typeof body === 'string' ? body : null;
    if (typeof base === 'string') {
      if (!this.#refSha(`refs/heads/${base}`))
        throw validation([{ resource: 'PullRequest', field: 'base', code: 'invalid' }], doc);
      pr.base = base;
    }
    if (state === 'closed' && pr.state === 'open') {
      pr.headSha = this.#refSha(`refs/heads/${pr.head}`) ?? pr.headSha;
      pr.state = 'closed';
      pr.closed_at = this.#now();
      pr.auto_merge = null;
    } else if (state === 'open' && pr.state === 'closed' && !pr.merged_at) {
      pr.state = 'open';
      pr.closed_at = null;
    }
    pr.updated_at = this.#now();
    return ok(this.#pullJson(pr, true));
  }

  #pullsOfCommit(c: Ctx): Answer {
    const sha = this.#commit(c.params[0]!);
    if (!sha) throw unprocessable(`No commit found for SHA: ${c.params[0]}`, `${DOCS}/commits/commits`);
    const pulls = this.#pulls.filter(
      (p) => p.merge_commit_sha === sha || (p.merged_at ? p.headSha === sha : this.#livePullHead(p) === sha),
    );
    return this.#page(
      c,
      pulls.map((p) => this.#pullJson(p, false)),
    );
  }

  #needPull(n: string): StoredPull {
    const pr = this.#pulls.find((p) => p.number === Number(n));
    if (!pr) throw notFound(`${DOCS}/pulls/pulls#get-a-pull-request`);
    return pr;
  }

  #livePullHead(p: StoredPull): string {
    return p.state === 'open' ? (this.#refSha(`refs/heads/${p.head}`) ?? p.headSha) : p.headSha;
  }

  // --- issues --------------------------------------------------------------------------------------------

  /** `GET /issues`: state (open by default), labels (comma-separated, all required), newest first; with PRs. */
  #listIssues(c: Ctx): Answer {
    const state = c.query.get('state') ?? 'open';
    const labels = (c.query.get('labels') ?? '')
      .split(',')
      .map((l) => l.trim())
      .filter(Boolean);
    const issues = this.#issues
      .filter((i) => state === 'all' || i.state === state)
      .filter((i) => labels.every((l) => i.labels.some((have) => have.toLowerCase() === l.toLowerCase())))
      .map((i) => this.#issueJson(i));
    const pulls = labels.length
      ? []
      : this.#pulls
          .filter((p) => state === 'all' || (state === 'open') === (p.state === 'open'))
          .map((p) => ({
            ...this.#pullJson(p, false),
            pull_request: { url: `${this.apiUrl}/pulls/${p.number}` },
          }));
    const all: Record<string, unknown>[] = [...issues, ...pulls];
    all.sort((a, b) => Number(b.number) - Number(a.number));
    return this.#page(c, all);
  }

  #createIssue(c: Ctx): Answer {
    const doc = `${DOCS}/issues/issues#create-an-issue`;
    const { title, body, labels } = c.body;
    if (typeof title !== 'string' || !title)
      throw validation([{ resource: 'Issue', code: 'missing_field', field: 'title' }], doc);
    if (labels !== undefined && (!Array.isArray(labels) || labels.some((l) => typeof l !== 'string')))
      throw validation([{ resource: 'Issue', code: 'invalid', field: 'labels' }], doc);
    if (typeof body === 'string' && body.length > 65_536)
      throw validation(
        [
          {
            resource: 'Issue',
            code: 'custom',
            field: 'body',
            message: 'body is too long (maximum is 65536 characters)',
          },
        ],
        doc,
      );
    const at = this.#now();
    const issue: StoredIssue = {
      number: this.#nextNumber++,
      id: this.#id(),
      title,
      body: typeof body === 'string' ? body : null,
      state: 'open',
      state_reason: null,
      labels: (labels as string[] | undefined) ?? [],
      created_at: at,
      updated_at: at,
      closed_at: null,
    };
    this.#issues.push(issue);
    const json = this.#issueJson(issue);
    return { status: 201, body: json, headers: { location: String(json.url) } };
  }

  #updateIssue(c: Ctx): Answer {
    const doc = 'issues/issues#update-an-issue';
    const issue = this.#needIssue(c.params[0]!, doc);
    const { title, body, state, state_reason } = c.body;
    if (state !== undefined && state !== 'open' && state !== 'closed')
      throw validation([{ resource: 'Issue', code: 'invalid', field: 'state' }], `${DOCS}/${doc}`);
    if (typeof title === 'string') issue.title = title;
    if (typeof body === 'string' || body === null) issue.body = body;
    if (state === 'closed' && issue.state === 'open') {
      issue.closed_at = this.#now();
      issue.state_reason = typeof state_reason === 'string' ? state_reason : 'completed';
    }
    if (state === 'open' && issue.state === 'closed') {
      issue.closed_at = null;
      issue.state_reason = 'reopened';
    }
    if (state !== undefined) issue.state = state;
    issue.updated_at = this.#now();
    return ok(this.#issueJson(issue));
  }

  #needIssue(n: string, doc: string): StoredIssue {
    const issue = this.#issues.find((i) => i.number === Number(n));
    if (!issue) throw notFound(`${DOCS}/${doc}`);
    return issue;
  }

  #issueJson(i: StoredIssue): Record<string, unknown> {
    const api = `${this.apiUrl}/repos/${this.repository}`;
    return {
      url: `${api}/issues/${i.number}`,
      repository_url: api,
      comments_url: `${api}/issues/${i.number}/comments`,
      html_url: `${this.serverUrl}/${this.repository}/issues/${i.number}`,
      id: i.id,
      node_id: nodeId('I_kwDO', String(i.id)),
      number: i.number,
      title: i.title,
      user: this.#user(),
      labels: i.labels.map((name, k) => ({ id: 7000 + k, name, color: 'ededed', default: false })),
      state: i.state,
      state_reason: i.state_reason,
      locked: false,
      assignee: null,
      assignees: [],
      comments: this.#comments.filter((c) => c.issue === i.number).length,
      created_at: i.created_at,
      updated_at: i.updated_at,
      closed_at: i.closed_at,
      author_association: 'NONE',
      body: i.body,
    };
  }

  // --- comments ------------------------------------------------------------------------------------------

  #listComments(c: Ctx): Answer {
    const n = Number(c.params[0]);
    if (!this.#pulls.some((p) => p.number === n) && !this.#issues.some((i) => i.number === n))
      throw notFound(`${DOCS}/issues/comments#list-issue-comments`);
    return this.#page(c, this.comments(n));
  }

  #createComment(c: Ctx): Answer {
    const doc = `${DOCS}/issues/comments#create-an-issue-comment`;
    const n = Number(c.params[0]);
    if (!this.#pulls.some((p) => p.number === n) && !this.#issues.some((i) => i.number === n))
      throw notFound(doc);
    const { body } = c.body;
    if (typeof body !== 'string' || !body)
      throw validation([{ resource: 'IssueComment', code: 'missing_field', field: 'body' }], doc);
    if (body.length > 65_536) {
      throw validation(
        [
          {
            resource: 'IssueComment',
            code: 'custom',
            field: 'body',
            message: 'Body is too long (maximum is 65536 characters)',
          },
        ],
        doc,
      );
    }
    const at = this.#now();
    const comment: StoredComment = { id: this.#id(), issue: n, body, created_at: at, updated_at: at };
    this.#comments.push(comment);
    const json = this.#commentJson(comment);
    return { status: 201, body: json, headers: { location: String(json.url) } };
  }

  #updateComment(c: Ctx): Answer {
    const doc = `${DOCS}/issues/comments#update-an-issue-comment`;
    const comment = this.#comments.find((x) => x.id === Number(c.params[0]));
    if (!comment) throw notFound(doc);
    const { body } = c.body;
    if (typeof body !== 'string' || !body)
      throw validation([{ resource: 'IssueComment', code: 'missing_field', field: 'body' }], doc);
    if (body.length > 65_536) {
      throw validation(
        [
          {
            resource: 'IssueComment',
            code: 'custom',
            field: 'body',
            message: 'Body is too long (maximum is 65536 characters)',
          },
        ],
        doc,
      );
    }
    comment.body = body;
    comment.updated_at = this.#now();
    return ok(this.#commentJson(comment));
  }

  // --- GraphQL -------------------------------------------------------------------------------------------

  /**
   * `repository(owner, name) { refs(refPrefix, query, first, after) { pageInfo nodes { name target } } }`,
   * alphabetical as GitHub orders refs by default; `query` filters on the name (here: contains). A target
   * that is a tag carries its own target (one level, as the query asks).
   */
  #graphqlRefs(query: string, variables: Record<string, unknown>): Answer {
    const arg = (name: string) => {
      const v = variables[name];
      if (v !== undefined && v !== null) return String(v);
      return new RegExp(`\\b${name}:\\s*"([^"]*)"`).exec(query)?.[1];
    };
    if (`${arg('owner')}/${arg('name')}` !== this.repository)
      return ok({
        data: { repository: null },
        errors: [{ type: 'NOT_FOUND', message: 'Could not resolve to a Repository' }],
      });
    const prefix = /refPrefix:\s*"([^"]+)"/.exec(query)?.[1] ?? arg('refPrefix') ?? '';
    const first = Math.min(100, Number(/first:\s*(\d+)/.exec(query)?.[1] ?? variables.first ?? 100));
    const filter = arg('query') ?? '';
    const after = arg('after');
    const start = after ? Number(Buffer.from(after, 'base64').toString('utf8').slice('cursor:'.length)) : 0;
    const lines = this.#git([
      'for-each-ref',
      '--sort=refname',
      '--format=%(refname)%00%(objecttype)%00%(objectname)%00%(*objecttype)%00%(*objectname)',
      prefix,
    ])
      .split('\n')
      .filter(Boolean)
      .map((l) => l.split('\0'))
      .filter(([ref]) => ref!.slice(prefix.length).includes(filter));
    const typename = (t: string) => t.charAt(0).toUpperCase() + t.slice(1);
    const nodes = lines.slice(start, start + first).map(([ref, type, oid, innerType, innerOid]) => ({
      name: ref!.slice(prefix.length),
      target:
        type === 'tag'
          ? { __typename: 'Tag', oid, target: { __typename: typename(innerType!), oid: innerOid } }
          : { __typename: typename(type!), oid },
    }));
    const end = start + nodes.length;
    const cursor = Buffer.from(`cursor:${end}`).toString('base64');
    return ok({
      data: {
        repository: {
          refs: {
            pageInfo: { hasNextPage: end < lines.length, endCursor: nodes.length ? cursor : null },
            nodes,
          },
        },
      },
    });
  }

  #graphql(body: Record<string, unknown>): Answer {
    const query = typeof body.query === 'string' ? body.query : '';
    const variables = (body.variables ?? {}) as Record<string, unknown>;
    if (/\brepository\s*\([^)]*\)\s*\{\s*refs\s*\(/.test(query)) return this.#graphqlRefs(query, variables);
    const m = /\b(enablePullRequestAutoMerge|disablePullRequestAutoMerge)\s*\(/.exec(query);
    if (!m) {
      return ok({
        errors: [
          {
            message:
              'github-api double: only repository.refs and enable/disablePullRequestAutoMerge are implemented',
          },
        ],
      });
    }
    const field = m[1]!;
    const input = (variables.input ?? {}) as Record<string, unknown>;
    const inline = /pullRequestId:\s*"([^"]+)"/.exec(query)?.[1];
    const id = String(variables.pullRequestId ?? input.pullRequestId ?? inline ?? '');
    const method = String(variables.mergeMethod ?? input.mergeMethod ?? 'MERGE');
    const fail = (type: string, message: string) =>
      ok({
        data: { [field]: null },
        errors: [{ type, path: [field], locations: [{ line: 2, column: 3 }], message }],
      });
    const pr = this.#pulls.find((p) => p.node_id === id);
    if (!pr) return fail('NOT_FOUND', `Could not resolve to a node with the global id of '${id}'`);
    if (field === 'enablePullRequestAutoMerge') {
      if (this.autoMerge === 'disabled') {
        return fail('UNPROCESSABLE', 'Pull request Auto merge is not allowed for this repository');
      }
      if (this.autoMerge === 'clean')
        return fail('UNPROCESSABLE', 'Pull request Pull request is in clean status');
      if (pr.state !== 'open') {
        return fail(
          'UNPROCESSABLE',
          'Pull request Pull request is not in the correct state to enable auto-merge',
        );
      }
      if (!['MERGE', 'SQUASH', 'REBASE'].includes(method)) {
        return fail('INVALID', `Argument 'mergeMethod' has an invalid value (${method}).`);
      }
      pr.auto_merge = { merge_method: method.toLowerCase(), enabled_at: this.#now() };
    } else {
      pr.auto_merge = null;
    }
    pr.updated_at = this.#now();
    return ok({
      data: {
        [field]: {
          clientMutationId: null,
          pullRequest: {
            id: pr.node_id,
            number: pr.number,
            autoMergeRequest: pr.auto_merge
              ? { enabledAt: pr.auto_merge.enabled_at, mergeMethod: pr.auto_merge.merge_method.toUpperCase() }
              : null,
          },
        },
      },
    });
  }

  // --- JSON shapes ---------------------------------------------------------------------------------------

  #user(login = BOT.login, id = BOT.id, type = BOT.type): Record<string, unknown> {
    return {
      login,
      id,
      node_id: nodeId('U', String(id)),
      avatar_url: `${this.serverUrl}/avatars/u/${id}?v=4`,
      gravatar_id: '',
      url: `${this.apiUrl}/users/${encodeURIComponent(login)}`,
      html_url: `${this.serverUrl}/${encodeURIComponent(login)}`,
      type,
      site_admin: false,
    };
  }

  #repoJson(): Record<string, unknown> {
    const api = `${this.apiUrl}/repos/${this.repository}`;
    return {
      id: 1296269,
      node_id: nodeId('R_kgDO', this.repository),
      name: this.name,
      full_name: this.repository,
      private: true,
      owner: this.#user(this.owner, 9919, 'Organization'),
      html_url: `${this.serverUrl}/${this.repository}`,
      description: null,
      fork: false,
      url: api,
      git_refs_url: `${api}/git/refs{/sha}`,
      statuses_url: `${api}/statuses/{sha}`,
      pulls_url: `${api}/pulls{/number}`,
      clone_url: `${this.serverUrl}/${this.repository}.git`,
      default_branch: this.defaultBranch,
      visibility: 'private',
      allow_merge_commit: true,
      allow_squash_merge: true,
      allow_rebase_merge: true,
      allow_auto_merge: this.autoMerge !== 'disabled',
      delete_branch_on_merge: false,
      permissions: { admin: false, maintain: false, push: true, triage: true, pull: true },
    };
  }

  #statusJson(s: StoredStatus): Record<string, unknown> {
    return {
      url: `${this.apiUrl}/repos/${this.repository}/statuses/${s.sha}`,
      avatar_url: `${this.serverUrl}/avatars/u/${BOT.id}?v=4`,
      id: s.id,
      node_id: nodeId('SC_kwDO', String(s.id)),
      state: s.state,
      description: s.description,
      target_url: s.target_url,
      context: s.context,
      created_at: s.created_at,
      updated_at: s.updated_at,
      creator: this.#user(),
    };
  }

  #checkRunJson(r: StoredCheckRun): Record<string, unknown> {
    return {
      id: r.id,
      name: r.name,
      node_id: nodeId('CR_kwDO', String(r.id)),
      head_sha: r.sha,
      external_id: '',
      url: `${this.apiUrl}/repos/${this.repository}/check-runs/${r.id}`,
      html_url: `${this.serverUrl}/${this.repository}/runs/${r.id}`,
      details_url: r.details_url ?? `${this.serverUrl}/${this.repository}/runs/${r.id}`,
      status: r.status,
      conclusion: r.conclusion,
      started_at: r.started_at,
      completed_at: r.completed_at,
      output: { title: r.title, summary: null, text: null, annotations_count: 0, annotations_url: '' },
      check_suite: { id: r.id + 1 },
      app: { id: 15368, slug: 'github-actions', name: 'GitHub Actions' },
      pull_requests: [],
    };
  }

  #refUrl(ref: string): string {
    return `${this.apiUrl}/repos/${this.repository}/git/${ref.split('/').map(encodeURIComponent).join('/')}`;
  }

  #refJson(ref: string, sha: string): Record<string, unknown> {
    const type = this.#type(sha) ?? 'commit';
    return {
      ref,
      node_id: nodeId('REF_kwDO', ref),
      url: this.#refUrl(ref),
      object: { sha, type, url: `${this.apiUrl}/repos/${this.repository}/git/${type}s/${sha}` },
    };
  }

  #tagJson(sha: string): Record<string, unknown> {
    const text = this.#git(['cat-file', 'tag', sha], { trim: false });
    const [header, ...rest] = text.split('\n\n');
    const fields = new Map<string, string>();
    for (const line of (header ?? '').split('\n')) {
      const i = line.indexOf(' ');
      fields.set(line.slice(0, i), line.slice(i + 1));
    }
    const tagger = person(fields.get('tagger') ?? '');
    const type = fields.get('type') ?? 'commit';
    return {
      node_id: nodeId('TAG_kwDO', sha),
      tag: fields.get('tag'),
      sha,
      url: `${this.apiUrl}/repos/${this.repository}/git/tags/${sha}`,
      message: rest.join('\n\n'),
      tagger,
      object: {
        type,
        sha: fields.get('object'),
        url: `${this.apiUrl}/repos/${this.repository}/git/${type}s/${fields.get('object')}`,
      },
      verification: {
        verified: false,
        reason: 'unsigned',
        signature: null,
        payload: null,
        verified_at: null,
      },
    };
  }

  #commitJson(sha: string): Record<string, unknown> {
    const text = this.#git(['cat-file', 'commit', sha], { trim: false });
    const split = text.indexOf('\n\n');
    const header = text.slice(0, split);
    const message = text.slice(split + 2).replace(/\n$/, '');
    let tree = '';
    const parents: string[] = [];
    let author = {};
    let committer = {};
    for (const line of header.split('\n')) {
      const i = line.indexOf(' ');
      const key = line.slice(0, i);
      const value = line.slice(i + 1);
      if (key === 'tree') tree = value;
      if (key === 'parent') parents.push(value);
      if (key === 'author') author = person(value);
      if (key === 'committer') committer = person(value);
    }
    const api = `${this.apiUrl}/repos/${this.repository}`;
    return {
      sha,
      node_id: nodeId('C_kwDO', sha),
      url: `${api}/git/commits/${sha}`,
      html_url: `${this.serverUrl}/${this.repository}/commit/${sha}`,
      author,
      committer,
      tree: { sha: tree, url: `${api}/git/trees/${tree}` },
      message,
      parents: parents.map((p) => ({
        sha: p,
        url: `${api}/git/commits/${p}`,
        html_url: `${this.serverUrl}/${this.repository}/commit/${p}`,
      })),
      verification: {
        verified: false,
        reason: 'unsigned',
        signature: null,
        payload: null,
        verified_at: null,
      },
    };
  }

  /** The shape compare and list-commits use (`commit` nested). */
  #commitSummary(sha: string): Record<string, unknown> {
    const git = this.#commitJson(sha);
    const api = `${this.apiUrl}/repos/${this.repository}`;
    return {
      sha,
      node_id: git.node_id,
      commit: {
        author: git.author,
        committer: git.committer,
        message: git.message,
        tree: git.tree,
        url: git.url,
        comment_count: 0,
        verification: git.verification,
      },
      url: `${api}/commits/${sha}`,
      html_url: git.html_url,
      comments_url: `${api}/commits/${sha}/comments`,
      author: null,
      committer: null,
      parents: git.parents,
    };
  }

  #treeJson(sha: string, recursive: boolean): Record<string, unknown> {
    const entries = this.#lsTree(sha, [], recursive);
    return {
      sha,
      url: `${this.apiUrl}/repos/${this.repository}/git/trees/${sha}`,
      tree: entries.map((e) => ({
        path: e.path,
        mode: e.mode,
        type: e.type,
        sha: e.sha,
        ...(e.type === 'blob' ? { size: e.size ?? 0 } : {}),
        url: `${this.apiUrl}/repos/${this.repository}/git/${e.type === 'tree' ? 'trees' : 'blobs'}/${e.sha}`,
      })),
      truncated: false,
    };
  }

  #contentJson(
    e: { mode: string; type: string; sha: string; path: string; size?: number },
    ref: string,
    withContent: boolean,
  ): Record<string, unknown> {
    const type =
      e.type === 'tree'
        ? 'dir'
        : e.type === 'commit'
          ? 'submodule'
          : e.mode === '120000'
            ? 'symlink'
            : 'file';
    const api = `${this.apiUrl}/repos/${this.repository}`;
    const encoded = e.path.split('/').map(encodeURIComponent).join('/');
    const self = `${api}/contents/${encoded}?ref=${encodeURIComponent(ref)}`;
    const git = `${api}/git/${e.type === 'tree' ? 'trees' : 'blobs'}/${e.sha}`;
    const html = `${this.serverUrl}/${this.repository}/${e.type === 'tree' ? 'tree' : 'blob'}/${encodeURIComponent(ref)}/${encoded}`;
    const json: Record<string, unknown> = {
      type,
      size: e.size ?? 0,
      name: e.path.split('/').pop(),
      path: e.path,
      sha: e.sha,
      url: self,
      git_url: git,
      html_url: html,
      download_url:
        type === 'file'
          ? `${this.serverUrl}/raw/${this.repository}/${encodeURIComponent(ref)}/${encoded}`
          : null,
      _links: { self, git, html },
    };
    if (withContent && type === 'file') {
      const data = this.#gitBuffer(['cat-file', 'blob', e.sha]);
      // Like GitHub: over 1 MB the content is left out and `encoding` is "none".
      if (data.length > 1024 * 1024) Object.assign(json, { content: '', encoding: 'none' });
      else Object.assign(json, { content: base64Lines(data), encoding: 'base64' });
    }
    if (withContent && type === 'symlink')
      json.target = this.#gitBuffer(['cat-file', 'blob', e.sha]).toString('utf8');
    return json;
  }

  #pullJson(p: StoredPull, full: boolean): Record<string, unknown> {
    const api = `${this.apiUrl}/repos/${this.repository}`;
    const html = `${this.serverUrl}/${this.repository}/pull/${p.number}`;
    const headSha = this.#livePullHead(p);
    const baseSha = p.state === 'open' ? (this.#refSha(`refs/heads/${p.base}`) ?? p.baseSha) : p.baseSha;
    const repo = this.#repoJson();
    const side = (ref: string, sha: string) => ({
      label: `${this.owner}:${ref}`,
      ref,
      sha,
      user: this.#user(this.owner, 9919, 'Organization'),
      repo,
    });
    const json: Record<string, unknown> = {
      url: `${api}/pulls/${p.number}`,
      id: p.id,
      node_id: p.node_id,
      html_url: html,
      diff_url: `${html}.diff`,
      patch_url: `${html}.patch`,
      issue_url: `${api}/issues/${p.number}`,
      number: p.number,
      state: p.state,
      locked: false,
      title: p.title,
      user: this.#user(),
      body: p.body,
      created_at: p.created_at,
      updated_at: p.updated_at,
      closed_at: p.closed_at,
      merged_at: p.merged_at,
      merge_commit_sha: p.merge_commit_sha,
      assignee: null,
      assignees: [],
      requested_reviewers: [],
      requested_teams: [],
      labels: [],
      milestone: null,
      draft: false,
      commits_url: `${api}/pulls/${p.number}/commits`,
      review_comments_url: `${api}/pulls/${p.number}/comments`,
      review_comment_url: `${api}/pulls/comments{/number}`,
      comments_url: `${api}/issues/${p.number}/comments`,
      statuses_url: `${api}/statuses/${headSha}`,
      head: side(p.head, headSha),
      base: side(p.base, baseSha),
      _links: {
        self: { href: `${api}/pulls/${p.number}` },
        html: { href: html },
        issue: { href: `${api}/issues/${p.number}` },
        comments: { href: `${api}/issues/${p.number}/comments` },
        statuses: { href: `${api}/statuses/${headSha}` },
      },
      author_association: 'CONTRIBUTOR',
      auto_merge: p.auto_merge
        ? {
            enabled_by: this.#user(),
            merge_method: p.auto_merge.merge_method,
            commit_title: null,
            commit_message: null,
          }
        : null,
      active_lock_reason: null,
    };
    if (full) {
      Object.assign(json, {
        merged: Boolean(p.merged_at),
        mergeable: p.state === 'open' ? true : null,
        rebaseable: p.state === 'open' ? true : null,
        mergeable_state: p.state === 'open' ? 'clean' : 'unknown',
        merged_by: p.merged_at ? this.#user() : null,
        comments: this.#comments.filter((c) => c.issue === p.number).length,
        review_comments: 0,
        maintainer_can_modify: false,
      });
    }
    return json;
  }

  #commentJson(c: StoredComment): Record<string, unknown> {
    const api = `${this.apiUrl}/repos/${this.repository}`;
    return {
      url: `${api}/issues/comments/${c.id}`,
      html_url: `${this.serverUrl}/${this.repository}/pull/${c.issue}#issuecomment-${c.id}`,
      issue_url: `${api}/issues/${c.issue}`,
      id: c.id,
      node_id: nodeId('IC_kwDO', String(c.id)),
      user: this.#user(),
      created_at: c.created_at,
      updated_at: c.updated_at,
      author_association: 'CONTRIBUTOR',
      body: c.body,
      performed_via_github_app: null,
    };
  }

  /** One page of a list, with GitHub's `Link` header. */
  #page(c: Ctx, items: unknown[]): Answer {
    const perPage = Math.min(Math.max(Number(c.query.get('per_page')) || 30, 1), 100);
    const page = Math.max(Number(c.query.get('page')) || 1, 1);
    const last = Math.max(Math.ceil(items.length / perPage), 1);
    const link = (n: number, rel: string) => {
      const u = new URL(c.self.href);
      u.searchParams.set('per_page', String(perPage));
      u.searchParams.set('page', String(n));
      return `<${u.href}>; rel="${rel}"`;
    };
    const links: string[] = [];
    if (page > 1) links.push(link(page - 1, 'prev'));
    if (page < last) links.push(link(page + 1, 'next'), link(last, 'last'));
    if (page > 1) links.push(link(1, 'first'));
    return {
      status: 200,
      body: items.slice((page - 1) * perPage, page * perPage),
      headers: links.length ? { link: links.join(', ') } : {},
    };
  }

  // --- git -----------------------------------------------------------------------------------------------

  #git(
    args: string[],
    o: { input?: string | Buffer; env?: Record<string, string>; trim?: boolean } = {},
  ): string {
    const out = execFileSync('git', args, {
      cwd: this.#remote,
      env: { ...GIT_ENV, ...o.env },
      input: o.input,
      encoding: 'utf8',
      stdio: ['pipe', 'pipe', 'pipe'],
      maxBuffer: 256 << 20,
    });
    return o.trim === false ? out : out.trim();
  }

  #gitBuffer(args: string[]): Buffer {
    return execFileSync('git', args, {
      cwd: this.#remote,
      env: GIT_ENV,
      stdio: ['ignore', 'pipe', 'pipe'],
      maxBuffer: 256 << 20,
    });
  }

  #tryGit(args: string[]): string | undefined {
    try {
      return this.#git(args);
    } catch {
      return undefined;
    }
  }

  /** The object's type, or undefined when it does not exist. */
  #type(sha: string): string | undefined {
    if (!/^[0-9a-f]{4,64}$/.test(sha)) return undefined;
    const known = this.#types.get(sha);
    if (known) return known;
    const type = this.#tryGit(['cat-file', '-t', sha]);
    if (type && SHA_RE.test(sha)) this.#types.set(sha, type);
    return type;
  }

  #exists(sha: string): boolean {
    return this.#type(sha) !== undefined;
  }

  #rev(name: string): string | undefined {
    return (
      this.#tryGit(['rev-parse', '--verify', '--quiet', '--end-of-options', `${name}^{commit}`]) || undefined
    );
  }

  /** A ref's own value (no peeling), or undefined. */
  #refSha(ref: string): string | undefined {
    return this.#tryGit(['rev-parse', '--verify', '--quiet', '--end-of-options', ref]) || undefined;
  }

  /** A commit from a sha, branch, tag or full ref name (as GitHub resolves `{ref}`), or undefined. */
  #commit(ref: string): string | undefined {
    if (!ref || ref.startsWith('-')) return undefined;
    if (SHA_RE.test(ref) && this.#types.get(ref) === 'commit') return ref;
    for (const name of [ref, `refs/heads/${ref}`, `refs/tags/${ref}`, `refs/${ref}`]) {
      if (name === ref && !SHA_RE.test(ref) && !ref.startsWith('refs/')) continue;
      const sha = this.#rev(name);
      if (sha) {
        this.#types.set(sha, 'commit');
        return sha;
      }
    }
    return undefined;
  }

  #needCommit(ref: string, status: number): string {
    const sha = SHA_RE.test(ref) && this.#type(ref) === 'commit' ? ref : undefined;
    if (!sha) {
      if (status === 404) throw notFound(`${DOCS}/git/commits#get-a-commit-object`);
      throw unprocessable(`No commit found for SHA: ${ref}`, DOCS);
    }
    return sha;
  }

  #isAncestor(ancestor: string, of: string): boolean {
    try {
      this.#git(['merge-base', '--is-ancestor', ancestor, of]);
      return true;
    } catch {
      return false;
    }
  }

  #validRef(ref: string): boolean {
    return this.#tryGit(['check-ref-format', ref]) !== undefined;
  }

  #lsTree(
    treeish: string,
    paths: string[],
    recursive = false,
  ): { mode: string; type: string; sha: string; path: string; size?: number }[] {
    const args = ['ls-tree', '-z', '--long', ...(recursive ? ['-r', '-t'] : []), treeish, '--', ...paths];
    let out: string;
    try {
      out = this.#git(args, { trim: false });
    } catch {
      return [];
    }
    return out
      .split('\0')
      .filter(Boolean)
      .map((line) => {
        const tab = line.indexOf('\t');
        const [mode, type, sha, size] = line.slice(0, tab).split(/\s+/);
        return {
          mode: mode!,
          type: type!,
          sha: sha!,
          path: line.slice(tab + 1),
          ...(size && size !== '-' ? { size: Number(size) } : {}),
        };
      });
  }

  #id(): number {
    return this.#nextId++;
  }
}

// ---------------------------------------------------------------------------------------------------------

/** Does a workflow file's `on:` include workflow_dispatch (as a name, a list entry or a key)? */
function dispatchable(text: string): boolean {
  let on: unknown;
  try {
    on = (parseYaml(text) as Record<string, unknown> | null)?.on;
  } catch {
    return false;
  }
  if (typeof on === 'string') return on === 'workflow_dispatch';
  if (Array.isArray(on)) return on.includes('workflow_dispatch');
  return !!on && typeof on === 'object' && 'workflow_dispatch' in on;
}

function ok(body: unknown): Answer {
  return { status: 200, body };
}

function notFound(doc: string, message = 'Not Found'): HttpError {
  return new HttpError(404, { message, documentation_url: doc, status: '404' });
}

function unprocessable(message: string, doc: string): HttpError {
  return new HttpError(422, { message, documentation_url: doc, status: '422' });
}

function validation(errors: Record<string, unknown>[], doc = DOCS): HttpError {
  return new HttpError(422, { message: 'Validation Failed', errors, documentation_url: doc, status: '422' });
}

function defaultErrorBody(status: number): unknown {
  if (status === 401) return GITHUB_ERRORS.badCredentials.body;
  if (status === 403) return GITHUB_ERRORS.notAccessible().body;
  if (status === 404) return GITHUB_ERRORS.notFound().body;
  if (status === 502) return GITHUB_ERRORS.badGateway.body;
  if (status >= 500) return { message: 'Server Error' };
  return { message: `HTTP ${status}`, documentation_url: DOCS, status: String(status) };
}

function matches(pattern: string | RegExp, path: string): boolean {
  return typeof pattern === 'string' ? path.includes(pattern) : pattern.test(path);
}

function validTreePath(path: string): boolean {
  return (
    path.length > 0 &&
    !path.startsWith('/') &&
    !path.endsWith('/') &&
    path.split('/').every((p) => p !== '' && p !== '.' && p !== '..' && p !== '.git')
  );
}

/** GitHub's second-resolution ISO timestamps. */

function nodeId(prefix: string, key: string): string {
  return `${prefix}${Buffer.from(key).toString('base64url').slice(0, 16)}`;
}

/** Base64 wrapped at 60 characters, as GitHub sends file content. */
function base64Lines(data: Buffer): string {
  const b64 = data.toString('base64');
  return b64 ? `${b64.replace(/(.{60})/g, '$1\n')}\n` : '';
}

/** `Name <email> 1700000000 +0000` → GitHub's {name, email, date}. */
function person(value: string): { name: string; email: string; date: string } {
  const m = /^(.*) <([^>]*)> (\d+) ([+-]\d{4})$/.exec(value);
  if (!m) return { name: value, email: '', date: new Date(0).toISOString() };
  return {
    name: m[1]!,
    email: m[2]!,
    date: new Date(Number(m[3]) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A request that may change something: not a GET, and not a GraphQL query (a read sent by POST). */
export function isWrite(r: Pick<RecordedRequest, 'method' | 'path' | 'body'>): boolean {
  if (r.method === 'GET') return false;
  const query = (r.body as { query?: unknown } | undefined)?.query;
  return !(/\/graphql$/.test(r.path) && typeof query === 'string' && /^\s*query\b/.test(query));
}
