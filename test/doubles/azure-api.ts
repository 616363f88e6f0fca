/**
 * An in-process Azure DevOps Services REST API (api-version 7.1) for tests.
 *
 * It answers on `http://127.0.0.1:<port>/<organization>/` — use `api.collectionUri` as `SYSTEM_COLLECTIONURI`
 * (or `api.env()` for the whole set of pipeline variables) — and speaks the real request and response shapes:
 * `{count, value: […]}` envelopes, `x-ms-continuationtoken` paging for refs, TypeKey error bodies
 * (`{"$id":"1","innerException":null,"message":"TF…","typeName":"…","typeKey":"…","errorCode":0,"eventId":3000}`),
 * `POST refs` answering 200 with `success: false` per rejected update, as Azure DevOps does.
 *
 * Backing store:
 * - refs, tags, commits, pushes, file contents and ancestry: a real bare Git repository (`options.repo`),
 *   driven with Git plumbing (`mktag`, `hash-object`, `update-index`, `commit-tree`, `update-ref`,
 *   `merge-base`, `merge-tree`), so what the API writes is visible to `git` and the other way round;
 * - commit statuses, pull requests, threads, auto-complete: in memory.
 *
 * Endpoints (paths are matched case-insensitively; project and repository by name or id):
 *   GET   {collection}_apis/connectionData                         the token's identity
 *   GET   …/commits/{sha}/statuses?top=&skip=                     newest first; `top` capped at `maxPage`
 *   POST  …/commits/{sha}/statuses                                 `{state, description, context:{genre,name}, targetUrl}`
 *   GET   …/refs?filter=&filterContains=&peelTags=&$top=&continuationToken=
 *   POST  …/refs                                                   `[{name, oldObjectId, newObjectId}]`
 *   POST  …/annotatedtags                                          `{name, taggedObject:{objectId}, message}`
 *   GET   …/commits?searchCriteria.itemVersion.version=&searchCriteria.itemVersion.versionType=&searchCriteria.$top=
 *   GET   …/diffs/commits?baseVersion=&baseVersionType=&targetVersion=&targetVersionType=   (commonCommit, ahead/behind)
 *   GET   …/items?path=&versionDescriptor.version=&versionDescriptor.versionType=&includeContent=
 *   POST  …/pushes                                                 `{refUpdates:[{name, oldObjectId}], commits:[{comment, changes}]}`
 *   GET   …/pullrequests?searchCriteria.sourceRefName=&searchCriteria.targetRefName=&searchCriteria.status=&$top=&$skip=
 *   POST  …/pullrequests;  GET/PATCH …/pullrequests/{id}            PATCH: title, description, status, autoCompleteSetBy, completionOptions
 *   POST  …/pullrequestquery                                       `{queries:[{type:'lastMergeCommit', items:[sha]}]}`
 *   GET/POST …/pullRequests/{id}/threads;  PATCH …/pullRequests/{id}/threads/{t}/comments/{c}
 * (`…` = `{collection}{project}/_apis/git/repositories/{repository}`; every call but connectionData needs
 * `api-version`, checked as the service does: missing, malformed, above 7.2, or without `-preview` where the
 * route is preview (annotatedtags, pullrequestquery: `7.1-preview.1`; 7.2 everywhere) is a 400 with the
 * service's typeKey.)
 *
 * Auth: `Authorization: Bearer <token>` or `Basic base64(<any user>:<token>)`; anything else gets 401.
 * Permissions: `deny('CreateTag')` etc. makes the matching calls fail as Azure DevOps does (403 TF401027, or
 * `updateStatus: createTagPermissionRequired` inside a `POST refs` answer).
 *
 * Faults: `failNext({method, path, status, headers, body, times})` answers the next matching requests with that
 * status (default body: a TypeKey error); `failNext({…, hang: true})` never answers them (until `close()`).
 * Every request is recorded in `requests` (method, decoded path, query, JSON body, auth scheme, status) — the
 * Authorization value itself is not recorded.
 *
 * Test helpers: `addStatus(sha, {genre, name, state, description})` posts a status as Flux would;
 * `completePullRequest(id)` merges for real (a merge commit on the target, status completed, lastMergeCommit);
 * `abandonPullRequest(id)`; `pullRequests()`, `threads(id)`, `statuses(sha)` return the stored JSON.
 *
 * Simplifications: error texts follow Azure DevOps' (TF codes) where known and are close paraphrases where not;
 * active pull requests carry no preview merge commit (`lastMergeCommit` appears on completion); setting
 * auto-complete never completes a pull request by itself (call `completePullRequest`).
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const ZERO_SHA = '0000000000000000000000000000000000000000';
const EMPTY_GUID = '00000000-0000-0000-0000-000000000000';

export type AzurePermission =
  | 'Read'
  | 'GenericContribute'
  | 'CreateBranch'
  | 'CreateTag'
  | 'ForcePush'
  | 'PullRequestContribute';

export interface AzureApiOptions {
  /** The bare repository that holds refs, tags and commits. */
  repo: string;
  /** The token the server accepts. Default `azure-test-token`. */
  token?: string;
  organization?: string;
  /** Project name (default `Fabrikam Fiber`: a space, so URLs must be encoded). */
  project?: string;
  projectId?: string;
  repositoryName?: string;
  repositoryId?: string;
  /** Largest page `GET …/statuses` and `GET …/pullrequests` return, whatever `top` asks. Default 1000. */
  maxPage?: number;
  /** Refs per page of `GET …/refs` (then `x-ms-continuationtoken`). Default 1000. */
  refPageSize?: number;
}

export interface RecordedRequest {
  method: string;
  /** Decoded path, e.g. `/fabrikam/Fabrikam Fiber/_apis/git/repositories/<id>/refs`. */
  path: string;
  /** Raw path and query as sent. */
  url: string;
  query: Record<string, string>;
  body: unknown;
  auth: 'bearer' | 'basic' | 'none' | 'invalid';
  status?: number;
}

export interface Fault {
  method?: string;
  /** Substring of, or pattern for, the decoded path. */
  path?: string | RegExp;
  status?: number;
  headers?: Record<string, string>;
  /** Object → JSON; string → sent as is; absent → a TypeKey error body. */
  body?: unknown;
  /** How many matching requests this fault answers. Default 1. */
  times?: number;
  /** Never answer (the client must time out). */
  hang?: boolean;
}

export interface StatusInput {
  genre?: string;
  name: string;
  state: 'succeeded' | 'failed' | 'error' | 'pending' | 'notSet' | 'notApplicable';
  description?: string;
  targetUrl?: string;
  /** ISO date; default: now (strictly increasing). */
  creationDate?: string;
}

interface Identity {
  id: string;
  displayName: string;
  uniqueName: string;
  descriptor: string;
}

type Json = Record<string, unknown>;

interface StoredPr extends Json {
  pullRequestId: number;
  status: 'active' | 'abandoned' | 'completed';
  sourceRefName: string;
  targetRefName: string;
  title: string;
  description: string;
}

interface StoredComment extends Json {
  id: number;
  parentCommentId: number;
  content: string;
  commentType: string;
}

interface StoredThread extends Json {
  id: number;
  comments: StoredComment[];
}

/**
 * Routes that are still preview at 7.1 on Azure DevOps Services (the REST reference lists them with
 * `api-version=7.1-preview.1`); every other route served here is GA at 7.1.
 */
const PREVIEW_ROUTES = new Set(['POST annotatedtags', 'POST pullrequestquery']);
/** The newest version Azure DevOps Services knows; 7.2 is still preview everywhere. */
const LATEST = { major: 7, minor: 2 };

/** Checks `api-version` as Azure DevOps does: present, well formed, in range, `-preview` where needed. */
function checkApiVersion(method: string, key: string, version: string | undefined): void {
  if (!version) {
    throw new HttpError(
      400,
      `No api-version was supplied for the "${method}" request. The version must be supplied either as part of the Accept header (e.g. "application/json; api-version=1.0") or as a query parameter (e.g. "?api-version=1.0").`,
      'VssVersionNotSpecifiedException',
    );
  }
  const m = /^(\d+)\.(\d+)(-preview(?:\.\d+)?)?$/.exec(version);
  if (!m) {
    // Close paraphrase of the service's text.
    throw new HttpError(
      400,
      `The api-version '${version}' is not valid. Use a version such as "7.1" or "7.1-preview.1".`,
      'VssInvalidApiVersionException',
    );
  }
  const major = Number(m[1]);
  const minor = Number(m[2]);
  const preview = Boolean(m[3]);
  if (major > LATEST.major || (major === LATEST.major && minor > LATEST.minor)) {
    throw new HttpError(
      400,
      `The requested REST API version of ${major}.${minor} is out of range for this server. The latest REST API version this server supports is ${LATEST.major}.${LATEST.minor}.`,
      'VssVersionOutOfRangeException',
    );
  }
  const releasedUpTo = PREVIEW_ROUTES.has(key) ? 0 : 7.1;
  if (!preview && major + minor / 10 > releasedUpTo) {
    throw new HttpError(
      400,
      `The requested version "${version}" of the resource is under preview. The -preview flag must be supplied in the api-version for such requests. For example: "${version}-preview"`,
      'VssInvalidPreviewVersionException',
    );
  }
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly typeKey: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

const GIT_ENV = {
  ...process.env,
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_TERMINAL_PROMPT: '0',
  GIT_AUTHOR_NAME: 'Project Collection Build Service',
  GIT_AUTHOR_EMAIL: 'build@fabrikam.example',
  GIT_COMMITTER_NAME: 'Project Collection Build Service',
  GIT_COMMITTER_EMAIL: 'build@fabrikam.example',
};

function errorBody(message: string, typeKey: string): Json {
  const ns = /Project/.test(typeKey)
    ? 'Microsoft.TeamFoundation.Core.WebApi'
    : 'Microsoft.TeamFoundation.Git.Server';
  return {
    $id: '1',
    innerException: null,
    message,
    typeName: `${ns}.${typeKey}, ${ns}`,
    typeKey,
    errorCode: 0,
    eventId: 3000,
  };
}

const DEFAULT_ERRORS: Record<number, [string, string]> = {
  400: ['The request is invalid.', 'InvalidArgumentValueException'],
  401: ['TF400813: The user is not authorized to access this resource.', 'UnauthorizedRequestException'],
  403: [
    "TF401027: You need the Git 'GenericContribute' permission to perform this action.",
    'GitNeedsPermissionException',
  ],
  404: [
    'TF401019: The Git repository with name or identifier does not exist.',
    'GitRepositoryNotFoundException',
  ],
  409: [
    "TF401028: The reference 'refs/heads/main' has already been updated by another client, so you cannot update it. Please try again.",
    'GitReferenceStaleException',
  ],
  429: ['Request was blocked due to exceeding usage of resource in namespace.', 'RequestBlockedException'],
  500: ['An unexpected error occurred.', 'VssServiceException'],
  503: ['TF400898: An Internal Error Occurred.', 'VssServiceUnavailableException'],
};

export class AzureDevOpsApi {
  readonly token: string;
  readonly organization: string;
  readonly project: string;
  readonly projectId: string;
  readonly repositoryName: string;
  readonly repositoryId: string;
  readonly identity: Identity;
  /** Every request, in order. */
  readonly requests: RecordedRequest[] = [];
  private readonly repo: string;
  private readonly maxPage: number;
  private readonly refPageSize: number;
  private readonly faults: Fault[] = [];
  private readonly denied = new Set<AzurePermission>();
  private readonly statusStore = new Map<string, Json[]>();
  private readonly prs: StoredPr[] = [];
  private readonly threadStore = new Map<number, StoredThread[]>();
  private readonly hanging: ServerResponse[] = [];
  private server?: Server;
  private port = 0;
  private nextStatusId = 1;
  private nextPushId = 1;
  private lastTime = 0;

  constructor(options: AzureApiOptions) {
    this.repo = options.repo;
    this.token = options.token ?? 'azure-test-token';
    this.organization = options.organization ?? 'fabrikam';
    this.project = options.project ?? 'Fabrikam Fiber';
    this.projectId = options.projectId ?? '6ce954b1-ce1f-45d1-b94d-e6bf2464ba2c';
    this.repositoryName = options.repositoryName ?? 'infra';
    this.repositoryId = options.repositoryId ?? '5febef5a-833d-4e14-b9c0-14cb638f91e6';
    this.maxPage = options.maxPage ?? 1000;
    this.refPageSize = options.refPageSize ?? 1000;
    this.identity = {
      id: '8c8c7d32-6b1b-47f4-b2e9-30b477b5ab3d',
      displayName: `${this.project} Build Service (${this.organization})`,
      uniqueName: `Build\\${this.projectId}`,
      descriptor: 'svc.ZmFicmlrYW0',
    };
  }

  /** Starts listening on 127.0.0.1 (a free port). */
  async start(): Promise<this> {
    const server = createServer((req, res) => {
      this.handle(req, res).catch((e: unknown) => {
        if (!res.headersSent) this.send(res, 500, errorBody(String(e), 'VssServiceException'));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
    return this;
  }

  async close(): Promise<void> {
    for (const res of this.hanging.splice(0)) res.destroy();
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** `SYSTEM_COLLECTIONURI`: `http://127.0.0.1:<port>/<organization>/`. */
  get collectionUri(): string {
    return `http://127.0.0.1:${this.port}/${this.organization}/`;
  }

  /** The pipeline variables a task reads to reach this server. */
  env(): Record<string, string> {
    return {
      SYSTEM_COLLECTIONURI: this.collectionUri,
      SYSTEM_TEAMFOUNDATIONCOLLECTIONURI: this.collectionUri,
      SYSTEM_TEAMPROJECT: this.project,
      SYSTEM_TEAMPROJECTID: this.projectId,
      BUILD_REPOSITORY_ID: this.repositoryId,
      BUILD_REPOSITORY_NAME: this.repositoryName,
      SYSTEM_ACCESSTOKEN: this.token,
    };
  }

  failNext(fault: Fault): void {
    this.faults.push({ times: 1, ...fault });
  }

  /** Make calls that need `permission` fail as for an identity without it. */
  deny(...permissions: AzurePermission[]): void {
    for (const p of permissions) this.denied.add(p);
  }

  allow(...permissions: AzurePermission[]): void {
    for (const p of permissions) this.denied.delete(p);
  }

  /** Posts a commit status the way Flux (or any other service) would. */
  addStatus(sha: string, status: StatusInput): Json {
    return this.storeStatus(sha, status);
  }

  /** Stored statuses of a commit, newest first, as the API returns them. */
  statuses(sha: string): Json[] {
    return structuredClone(this.statusStore.get(sha.toLowerCase()) ?? []).reverse();
  }

  pullRequests(): Json[] {
    return this.prs.map((p) => this.prJson(p));
  }

  threads(pullRequestId: number): Json[] {
    return structuredClone(this.threadStore.get(pullRequestId) ?? []);
  }

  /** Completes a pull request as Azure DevOps does by default: a real merge commit on the target branch. */
  async completePullRequest(id: number): Promise<string> {
    const pr = this.findPr(id);
    if (pr.status !== 'active') throw new Error(`pull request ${id} is ${pr.status}`);
    const source = this.resolve(pr.sourceRefName);
    const target = this.resolve(pr.targetRefName);
    if (!source || !target) throw new Error(`pull request ${id}: source or target branch is gone`);
    let tree: string;
    try {
      tree = this.git(['merge-tree', '--write-tree', target, source]).split('\n')[0]!;
    } catch {
      throw new Error(`pull request ${id} has merge conflicts`);
    }
    const merge = this.git(
      ['commit-tree', tree, '-p', target, '-p', source, '-m', `Merged PR ${id}: ${pr.title}`],
      undefined,
      this.now(),
    );
    this.git(['update-ref', pr.targetRefName, merge, target]);
    const completion = (pr.completionOptions ?? {}) as Json;
    pr.status = 'completed';
    pr.closedDate = new Date().toISOString();
    pr.closedBy = this.identityRef();
    pr.mergeStatus = 'succeeded';
    pr.lastMergeSourceCommit = this.commitRef(source);
    pr.lastMergeTargetCommit = this.commitRef(target);
    pr.lastMergeCommit = this.commitRef(merge);
    if (completion.deleteSourceBranch === true) this.git(['update-ref', '-d', pr.sourceRefName, source]);
    return merge;
  }

  abandonPullRequest(id: number): void {
    const pr = this.findPr(id);
    pr.status = 'abandoned';
    pr.closedDate = new Date().toISOString();
  }

  // ------------------------------------------------------------------ plumbing

  private git(
    args: string[],
    input?: string | Buffer,
    date?: string,
    extraEnv: Record<string, string> = {},
  ): string {
    const env: NodeJS.ProcessEnv = { ...GIT_ENV, ...extraEnv };
    if (date) {
      env.GIT_AUTHOR_DATE = date;
      env.GIT_COMMITTER_DATE = date;
    }
    return execFileSync('git', args, {
      cwd: this.repo,
      env,
      input,
      encoding: 'utf8',
      stdio: ['pipe', 'pipe', 'pipe'],
      maxBuffer: 64 << 20,
    }).trim();
  }

  private gitTry(args: string[]): string | undefined {
    try {
      return this.git(args);
    } catch {
      return undefined;
    }
  }

  private readonly knownCommits = new Set<string>();
  /** Is `sha` a full commit id of the repository? (Commits never go away: answers are cached.) */
  private isCommit(sha: string): boolean {
    const id = sha.toLowerCase();
    if (this.knownCommits.has(id)) return true;
    if (!/^[0-9a-f]{40}$/.test(id) || this.resolve(id) !== id) return false;
    this.knownCommits.add(id);
    return true;
  }

  /** The object a ref or sha names, peeled to a commit. */
  private resolve(name: string): string | undefined {
    return this.gitTry(['rev-parse', '--verify', '--quiet', `${name}^{commit}`]);
  }

  private now(): string {
    const t = Math.max(Date.now(), this.lastTime + 1);
    this.lastTime = t;
    return new Date(t).toISOString();
  }

  private identityRef(): Json {
    return {
      displayName: this.identity.displayName,
      url: `${this.collectionUri}_apis/Identities/${this.identity.id}`,
      _links: {
        avatar: { href: `${this.collectionUri}_apis/GraphProfile/MemberAvatars/${this.identity.descriptor}` },
      },
      id: this.identity.id,
      uniqueName: this.identity.uniqueName,
      imageUrl: `${this.collectionUri}_api/_common/identityImage?id=${this.identity.id}`,
      descriptor: this.identity.descriptor,
    };
  }

  private get repoUrl(): string {
    return `${this.collectionUri}${this.projectId}/_apis/git/repositories/${this.repositoryId}`;
  }

  private commitRef(sha: string): Json {
    return { commitId: sha, url: `${this.repoUrl}/commits/${sha}` };
  }

  private repositoryJson(): Json {
    return {
      id: this.repositoryId,
      name: this.repositoryName,
      url: this.repoUrl,
      project: {
        id: this.projectId,
        name: this.project,
        state: 'wellFormed',
        visibility: 'private',
        lastUpdateTime: '2024-01-01T00:00:00Z',
      },
    };
  }

  private needs(permission: AzurePermission, scope = 'repository'): void {
    if (this.denied.has(permission)) {
      throw new HttpError(
        403,
        `TF401027: You need the Git '${permission}' permission to perform this action. Details: identity '${this.identity.uniqueName}', scope '${scope}'.`,
        'GitNeedsPermissionException',
      );
    }
  }

  // ------------------------------------------------------------------ HTTP

  private send(
    res: ServerResponse,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
  ): void {
    const text = body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body);
    const type =
      typeof body === 'string' && !/^\s*[{[]/.test(body)
        ? 'text/plain; charset=utf-8'
        : 'application/json; charset=utf-8';
    res.writeHead(status, {
      'content-type': type,
      'x-tfs-processid': randomUUID(),
      activityid: randomUUID(),
      ...headers,
    });
    res.end(text);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    let path: string;
    try {
      path = decodeURIComponent(url.pathname);
    } catch {
      path = url.pathname;
    }
    const query: Record<string, string> = {};
    for (const [k, v] of url.searchParams) query[k] = v;
    let body: unknown;
    if (raw) {
      try {
        body = JSON.parse(raw);
      } catch {
        body = raw;
      }
    }
    const method = (req.method ?? 'GET').toUpperCase();
    const record: RecordedRequest = {
      method,
      path,
      url: req.url ?? '/',
      query,
      body,
      auth: this.authOf(req.headers.authorization),
    };
    this.requests.push(record);

    const fault = this.takeFault(method, path);
    if (fault) {
      if (fault.hang) {
        this.hanging.push(res);
        return;
      }
      const status = fault.status ?? 500;
      let out = fault.body;
      if (out === undefined) {
        const [message, typeKey] = DEFAULT_ERRORS[status] ?? ['Injected failure.', 'VssServiceException'];
        out = errorBody(message, typeKey);
      }
      record.status = status;
      this.send(res, status, out, fault.headers);
      return;
    }

    if (record.auth !== 'bearer' && record.auth !== 'basic') {
      record.status = 401;
      this.send(res, 401, 'Access Denied: the token used is not valid or has expired.', {
        'www-authenticate': 'Bearer authorization_uri=https://login.microsoftonline.com/common',
        'x-tfs-fedauthredirect': 'Suppressed',
      });
      return;
    }

    try {
      const [status, out, headers] = this.route(method, path, query, body);
      record.status = status;
      this.send(res, status, out, headers);
    } catch (e) {
      if (e instanceof HttpError) {
        record.status = e.status;
        this.send(res, e.status, errorBody(e.message, e.typeKey), e.headers);
      } else {
        record.status = 500;
        this.send(res, 500, errorBody(`Unexpected error: ${(e as Error).message}`, 'VssServiceException'));
      }
    }
  }

  private authOf(header: string | undefined): RecordedRequest['auth'] {
    if (!header) return 'none';
    const [scheme, value = ''] = header.split(' ', 2);
    if (scheme?.toLowerCase() === 'bearer') return value === this.token ? 'bearer' : 'invalid';
    if (scheme?.toLowerCase() === 'basic') {
      const decoded = Buffer.from(value, 'base64').toString('utf8');
      const password = decoded.slice(decoded.indexOf(':') + 1);
      return decoded.includes(':') && password === this.token ? 'basic' : 'invalid';
    }
    return 'invalid';
  }

  private takeFault(method: string, path: string): Fault | undefined {
    const i = this.faults.findIndex(
      (f) =>
        (f.times ?? 1) > 0 &&
        (!f.method || f.method.toUpperCase() === method) &&
        (!f.path || (typeof f.path === 'string' ? path.includes(f.path) : f.path.test(path))),
    );
    if (i < 0) return undefined;
    const fault = this.faults[i]!;
    fault.times = (fault.times ?? 1) - 1;
    if (fault.times <= 0) this.faults.splice(i, 1);
    return fault;
  }

  private route(
    method: string,
    path: string,
    query: Record<string, string>,
    body: unknown,
  ): [number, unknown, Record<string, string>?] {
    const parts = path.split('/').filter(Boolean);
    const lower = parts.map((p) => p.toLowerCase());
    if (lower[0] !== this.organization.toLowerCase()) {
      throw new HttpError(404, `The resource cannot be found.`, 'NotFoundException');
    }
    if (lower[1] === '_apis' && lower[2] === 'connectiondata' && parts.length === 3 && method === 'GET') {
      return [200, this.connectionData()];
    }
    if (lower[2] !== '_apis' || lower[3] !== 'git' || lower[4] !== 'repositories' || parts.length < 7) {
      throw new HttpError(
        404,
        'The controller for path was not found or does not implement IController.',
        'NotFoundException',
      );
    }
    const project = parts[1]!;
    if (project.toLowerCase() !== this.project.toLowerCase() && project.toLowerCase() !== this.projectId) {
      throw new HttpError(
        404,
        `TF200016: The following project does not exist: ${project}. Verify that the name of the project is correct and that the project exists on the specified Azure DevOps Server.`,
        'ProjectDoesNotExistWithNameException',
      );
    }
    const repository = parts[5]!;
    if (
      repository.toLowerCase() !== this.repositoryName.toLowerCase() &&
      repository.toLowerCase() !== this.repositoryId
    ) {
      throw new HttpError(
        404,
        `TF401019: The Git repository with name or identifier ${repository} does not exist or you do not have permissions for the operation you are attempting.`,
        'GitRepositoryNotFoundException',
      );
    }
    this.needs('Read');
    const rest = parts.slice(6);
    const r = lower.slice(6);
    const key = `${method} ${r.map((p, i) => (i % 2 === 1 && r[0] !== 'diffs' ? '*' : p)).join('/')}`;
    checkApiVersion(method, key, query['api-version']);
    switch (key) {
      case 'GET commits/*/statuses':
        return [200, this.listStatuses(rest[1]!, query)];
      case 'POST commits/*/statuses':
        return [201, this.postStatus(rest[1]!, body)];
      case 'GET refs':
        return this.listRefs(query);
      case 'POST refs':
        return [200, this.updateRefs(body)];
      case 'POST annotatedtags':
        return [201, this.createAnnotatedTag(body)];
      case 'GET commits':
        return [200, this.listCommits(query)];
      case 'GET diffs/commits':
        return [200, this.diffCommits(query)];
      case 'GET items':
        return [200, this.getItem(query)];
      case 'POST pushes':
        return [201, this.push(body)];
      case 'GET pullrequests':
        return [200, this.listPullRequests(query)];
      case 'POST pullrequests':
        return [201, this.createPullRequest(body)];
      case 'GET pullrequests/*':
        return [200, this.prJson(this.findPr(Number(rest[1])))];
      case 'PATCH pullrequests/*':
        return [200, this.updatePullRequest(Number(rest[1]), body)];
      case 'POST pullrequestquery':
        return [200, this.queryPullRequests(body)];
      case 'GET pullrequests/*/threads':
        return [200, this.listThreads(Number(rest[1]))];
      case 'POST pullrequests/*/threads':
        return [200, this.createThread(Number(rest[1]), body)];
      case 'PATCH pullrequests/*/threads/*/comments/*':
        return [200, this.updateComment(Number(rest[1]), Number(rest[3]), Number(rest[5]), body)];
      default:
        throw new HttpError(
          404,
          `The requested resource does not support http method '${method}' on ${r.join('/')}.`,
          'NotFoundException',
        );
    }
  }

  private connectionData(): Json {
    const user = {
      id: this.identity.id,
      descriptor: `Microsoft.TeamFoundation.ServiceIdentity;${this.identity.descriptor}`,
      subjectDescriptor: this.identity.descriptor,
      providerDisplayName: this.identity.displayName,
      isActive: true,
      properties: { Account: { $type: 'System.String', $value: this.identity.uniqueName } },
      resourceVersion: 2,
      metaTypeId: 0,
    };
    return {
      authenticatedUser: user,
      authorizedUser: user,
      instanceId: 'e0f3c6f0-8d1b-4c52-9d0f-7a2c8c6b1f00',
      deploymentId: 'f1a2b3c4-0000-4000-8000-000000000001',
      deploymentType: 'hosted',
      locationServiceData: {
        serviceOwner: '00025394-6065-48ca-87d9-7f5672854ef7',
        defaultAccessMappingMoniker: 'PublicAccessMapping',
        lastChangeId: 1,
        lastChangeId64: 1,
      },
    };
  }

  // ------------------------------------------------------------------ statuses

  private storeStatus(sha: string, s: StatusInput): Json {
    const date = s.creationDate ?? this.now();
    const status: Json = {
      id: this.nextStatusId++,
      state: s.state,
      description: s.description ?? '',
      context: s.genre === undefined ? { name: s.name } : { name: s.name, genre: s.genre },
      creationDate: date,
      updatedDate: date,
      createdBy: this.identityRef(),
      url: `${this.repoUrl}/commits/${sha}/statuses`,
      _links: { self: { href: `${this.repoUrl}/commits/${sha}/statuses` } },
    };
    if (s.targetUrl) status.targetUrl = s.targetUrl;
    const list = this.statusStore.get(sha.toLowerCase()) ?? [];
    list.push(status);
    this.statusStore.set(sha.toLowerCase(), list);
    return structuredClone(status);
  }

  private listStatuses(sha: string, query: Record<string, string>): Json {
    const all = this.statuses(sha);
    const skip = Number(query.skip ?? 0) || 0;
    const top = Math.min(Number(query.top ?? 1000) || 1000, this.maxPage);
    const value = all.slice(skip, skip + top);
    return { count: value.length, value };
  }

  private postStatus(sha: string, body: unknown): Json {
    this.needs('GenericContribute');
    const b = (body ?? {}) as Json;
    if (!this.isCommit(sha)) {
      throw new HttpError(
        404,
        `TF401174: The item '${sha}' could not be found in the repository '${this.repositoryName}'.`,
        'GitItemNotFoundException',
      );
    }
    const context = (b.context ?? {}) as Json;
    if (typeof context.name !== 'string' || !context.name) {
      throw new HttpError(400, 'The status context name must be specified.', 'InvalidArgumentValueException');
    }
    const state = String(b.state ?? '');
    const states = ['notSet', 'pending', 'succeeded', 'failed', 'error', 'notApplicable'];
    const canonical = states.find((s) => s.toLowerCase() === state.toLowerCase());
    if (!canonical)
      throw new HttpError(400, `Invalid status state '${state}'.`, 'InvalidArgumentValueException');
    if (b.targetUrl !== undefined && !/^https?:\/\//i.test(String(b.targetUrl))) {
      throw new HttpError(
        400,
        'The target URL must be an absolute http(s) URL.',
        'InvalidArgumentValueException',
      );
    }
    return this.storeStatus(sha, {
      genre: typeof context.genre === 'string' ? context.genre : undefined,
      name: context.name,
      state: canonical as StatusInput['state'],
      description: typeof b.description === 'string' ? b.description : '',
      targetUrl: typeof b.targetUrl === 'string' ? b.targetUrl : undefined,
    });
  }

  // ------------------------------------------------------------------ refs and tags

  private allRefs(): { name: string; objectId: string; peeled?: string }[] {
    const out = this.git(['for-each-ref', '--format=%(refname)%00%(objectname)%00%(*objectname)']);
    if (!out) return [];
    return out
      .split('\n')
      .map((line) => {
        const [name = '', objectId = '', peeled = ''] = line.split('\0');
        return { name, objectId, peeled: peeled || undefined };
      })
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  private listRefs(query: Record<string, string>): [number, unknown, Record<string, string>?] {
    const filter = query.filter ? `refs/${query.filter.replace(/^refs\//, '')}` : 'refs/';
    const contains = query.filterContains?.toLowerCase();
    const peel = query.peelTags === 'true';
    let refs = this.allRefs().filter(
      (r) => r.name.startsWith(filter) && (!contains || r.name.toLowerCase().includes(contains)),
    );
    if (query.continuationToken) {
      const after = Buffer.from(query.continuationToken, 'base64url').toString('utf8');
      refs = refs.filter((r) => r.name > after);
    }
    const top = Math.min(Number(query.$top ?? this.refPageSize) || this.refPageSize, this.refPageSize);
    const page = refs.slice(0, top);
    const headers: Record<string, string> = {};
    if (refs.length > page.length && page.length > 0) {
      headers['x-ms-continuationtoken'] = Buffer.from(page.at(-1)!.name).toString('base64url');
    }
    const value = page.map((r) => {
      const ref: Json = { name: r.name, objectId: r.objectId };
      if (peel && r.peeled) ref.peeledObjectId = r.peeled;
      ref.creator = this.identityRef();
      ref.url = `${this.repoUrl}/refs?filter=${encodeURIComponent(r.name.slice(5))}`;
      return ref;
    });
    return [200, { value, count: value.length }, headers];
  }

  private validRefName(name: string): boolean {
    return (
      name.startsWith('refs/') && this.gitTry(['check-ref-format', name]) !== undefined && !/[\s]/.test(name)
    );
  }

  private updateRefs(body: unknown): Json {
    if (!Array.isArray(body))
      throw new HttpError(400, 'The ref updates must be a list.', 'InvalidArgumentValueException');
    const results = body.map((u: Json) => {
      const name = String(u.name ?? '');
      const oldObjectId = String(u.oldObjectId ?? '').toLowerCase();
      const newObjectId = String(u.newObjectId ?? '').toLowerCase();
      const result = (updateStatus: string): Json => ({
        repositoryId: this.repositoryId,
        name,
        oldObjectId,
        newObjectId,
        isLocked: false,
        updateStatus,
        success: updateStatus === 'succeeded',
        customMessage: null,
        rejectedBy: null,
      });
      if (!this.validRefName(name)) return result('invalidRefName');
      const current = this.gitTry(['rev-parse', '--verify', '--quiet', name]);
      if ((current ?? ZERO_SHA) !== oldObjectId) return result('staleOldObjectId');
      const isTag = name.startsWith('refs/tags/');
      if (newObjectId === ZERO_SHA) {
        if (!current) return result('succeeded');
        if (this.denied.has('ForcePush')) return result('forcePushRequired');
        this.git(['update-ref', '-d', name, current]);
        return result('succeeded');
      }
      if (!this.resolve(newObjectId)) return result('unresolvableToCommit');
      if (!current) {
        if (isTag && this.denied.has('CreateTag')) return result('createTagPermissionRequired');
        if (!isTag && this.denied.has('CreateBranch')) return result('createBranchPermissionRequired');
      } else {
        if (this.denied.has('GenericContribute')) return result('writePermissionRequired');
        const fastForward = this.gitTry(['merge-base', '--is-ancestor', current, newObjectId]) !== undefined;
        if ((!fastForward || isTag) && this.denied.has('ForcePush')) return result('forcePushRequired');
      }
      this.git(['update-ref', name, newObjectId, current ?? ZERO_SHA]);
      return result('succeeded');
    });
    return { value: results, count: results.length };
  }

  private createAnnotatedTag(body: unknown): Json {
    this.needs('CreateTag');
    const b = (body ?? {}) as Json;
    const name = String(b.name ?? '');
    const objectId = String(((b.taggedObject ?? {}) as Json).objectId ?? '').toLowerCase();
    const message = typeof b.message === 'string' ? b.message : '';
    const ref = `refs/tags/${name}`;
    if (!name || !this.validRefName(ref)) {
      throw new HttpError(
        400,
        `TF401044: The tag name '${name}' is not valid.`,
        'InvalidGitRefNameException',
      );
    }
    if (!/^[0-9a-f]{40}$/.test(objectId) || !this.resolve(objectId)) {
      throw new HttpError(
        404,
        `TF401029: Commit ${objectId} was not found in repository ${this.repositoryName}.`,
        'GitCommitDoesNotExistException',
      );
    }
    if (this.gitTry(['rev-parse', '--verify', '--quiet', ref])) {
      throw new HttpError(
        409,
        `TF401035: The tag '${name}' already exists in the repository ${this.repositoryName}.`,
        'GitRefNameConflictException',
      );
    }
    const date = new Date(this.now());
    const seconds = Math.floor(date.getTime() / 1000);
    const text = `object ${objectId}\ntype commit\ntag ${name}\ntagger ${GIT_ENV.GIT_COMMITTER_NAME} <${GIT_ENV.GIT_COMMITTER_EMAIL}> ${seconds} +0000\n\n${message}${message.endsWith('\n') ? '' : '\n'}`;
    const tagSha = this.git(['mktag'], text);
    this.git(['update-ref', ref, tagSha, ZERO_SHA]);
    return {
      name,
      objectId: tagSha,
      taggedObject: { objectId, objectType: 'commit' },
      taggedBy: {
        name: GIT_ENV.GIT_COMMITTER_NAME,
        email: GIT_ENV.GIT_COMMITTER_EMAIL,
        date: date.toISOString(),
      },
      message,
      url: `${this.repoUrl}/annotatedtags/${tagSha}`,
    };
  }

  private resolveVersion(version: string, type: string): string {
    const t = (type || 'branch').toLowerCase();
    const name = t === 'branch' ? `refs/heads/${version}` : t === 'tag' ? `refs/tags/${version}` : version;
    const sha = t === 'commit' && !/^[0-9a-f]{4,40}$/i.test(version) ? undefined : this.resolve(name);
    if (!sha) {
      const label = t === 'branch' ? 'Branch' : t === 'tag' ? 'Tag' : 'Commit';
      throw new HttpError(
        404,
        `TF401175:The version descriptor <${label}: ${version} > could not be resolved to a version on the repository ${this.repositoryName}`,
        'GitUnresolvableToCommitException',
      );
    }
    return sha;
  }

  /** `GET commits?searchCriteria.itemVersion.version=&…versionType=&searchCriteria.$top=`: newest first. */
  private listCommits(query: Record<string, string>): Json {
    const start = this.resolveVersion(
      query['searchCriteria.itemVersion.version'] ?? 'main',
      query['searchCriteria.itemVersion.versionType'] ?? 'branch',
    );
    const top = Math.max(Number(query['searchCriteria.$top']) || 100, 1);
    const skip = Math.max(Number(query['searchCriteria.$skip']) || 0, 0);
    const shas = this.git(['rev-list', `--max-count=${top}`, `--skip=${skip}`, start])
      .split('\n')
      .filter(Boolean);
    const value = shas.map((commitId) => ({ commitId, url: `${this.repoUrl}/commits/${commitId}` }));
    return { count: value.length, value };
  }

  private diffCommits(query: Record<string, string>): Json {
    const base = this.resolveVersion(query.baseVersion ?? '', query.baseVersionType ?? 'branch');
    const target = this.resolveVersion(query.targetVersion ?? '', query.targetVersionType ?? 'branch');
    const common = this.gitTry(['merge-base', base, target]);
    const count = (range: string) => Number(this.git(['rev-list', '--count', range]));
    // diffCommonCommit (default true): diff the merge base against the target; false: base against target.
    const from = query.diffCommonCommit === 'false' ? base : (common ?? base);
    const raw = this.git(['diff-tree', '-r', '-t', '-z', '--no-renames', from, target]);
    const fields = raw.split('\0');
    const all: Json[] = [];
    const counts: Record<string, number> = {};
    for (let i = 0; i + 1 < fields.length && fields[i]!.startsWith(':'); i += 2) {
      const [, , newMode = '', oldId = '', newId = '', letter = ''] = fields[i]!.split(/[: ]/);
      const path = `/${fields[i + 1]}`;
      const changeType = letter === 'A' ? 'add' : letter === 'D' ? 'delete' : 'edit';
      const isFolder = newMode === '040000' || (letter === 'D' && fields[i]!.startsWith(':040000'));
      const item: Json = {
        objectId: letter === 'D' ? oldId : newId,
        originalObjectId: letter === 'A' ? undefined : oldId,
        gitObjectType: isFolder ? 'tree' : 'blob',
        commitId: target,
        path,
        url: `${this.repoUrl}/items${encodeURI(path)}?versionType=Commit&version=${target}`,
      };
      if (isFolder) item.isFolder = true;
      all.push({ item, changeType });
      const key = changeType.charAt(0).toUpperCase() + changeType.slice(1);
      counts[key] = (counts[key] ?? 0) + 1;
    }
    const skip = Number(query.$skip ?? 0) || 0;
    const top = Number(query.$top ?? 100) || 100;
    const changes = all.slice(skip, skip + top);
    const out: Json = {
      allChangesIncluded: skip + changes.length >= all.length,
      changeCounts: counts,
      changes,
      baseCommit: base,
      targetCommit: target,
      aheadCount: count(`${base}..${target}`),
      behindCount: count(`${target}..${base}`),
    };
    if (common) out.commonCommit = common;
    return out;
  }

  private getItem(query: Record<string, string>): Json {
    const path = query.path ?? query.scopePath ?? '/';
    const version = query['versionDescriptor.version'];
    const type = query['versionDescriptor.versionType'] ?? 'branch';
    const commit = version ? this.resolveVersion(version, type) : this.resolveVersion('main', 'branch');
    const rel = path.replace(/^\/+/, '');
    const described = `<${type.charAt(0).toUpperCase()}${type.slice(1).toLowerCase()}: ${version ?? 'main'} >`;
    const notFound = () =>
      new HttpError(
        404,
        `TF401174: The item '${path}' could not be found in the repository '${this.repositoryName}' at the version specified by '${described}' (resolved to commit '${commit}').`,
        'GitItemNotFoundException',
      );
    const objectType = rel ? this.gitTry(['cat-file', '-t', `${commit}:${rel}`]) : 'tree';
    if (!objectType) throw notFound();
    const objectId = this.git(['rev-parse', `${commit}:${rel}`]);
    const item: Json = {
      objectId,
      gitObjectType: objectType,
      commitId: commit,
      path,
      url: `${this.repoUrl}/items?path=${encodeURIComponent(path)}&versionType=${type}&version=${encodeURIComponent(version ?? 'main')}`,
    };
    if (objectType === 'tree') item.isFolder = true;
    if (objectType === 'blob' && query.includeContent === 'true') {
      item.content = execFileSync('git', ['cat-file', 'blob', objectId], {
        cwd: this.repo,
        env: GIT_ENV,
        maxBuffer: 256 << 20, // files of several MB, as the service serves them
      }).toString('utf8');
    }
    return item;
  }

  private push(body: unknown): Json {
    this.needs('GenericContribute');
    const b = (body ?? {}) as Json;
    const refUpdates = Array.isArray(b.refUpdates) ? (b.refUpdates as Json[]) : [];
    const commits = Array.isArray(b.commits) ? (b.commits as Json[]) : [];
    if (refUpdates.length !== 1) {
      throw new HttpError(400, 'A push must update exactly one ref.', 'InvalidArgumentValueException');
    }
    if (commits.length === 0)
      throw new HttpError(400, 'The push contains no commits.', 'InvalidArgumentValueException');
    const name = String(refUpdates[0]!.name ?? '');
    const oldObjectId = String(refUpdates[0]!.oldObjectId ?? '').toLowerCase();
    if (!name.startsWith('refs/heads/') || !this.validRefName(name)) {
      throw new HttpError(
        400,
        `TF401044: The ref name '${name}' is not valid.`,
        'InvalidGitRefNameException',
      );
    }
    const current = this.gitTry(['rev-parse', '--verify', '--quiet', name]);
    let parent: string | undefined;
    if (current) {
      if (oldObjectId !== current) {
        throw new HttpError(
          409,
          `TF401028: The reference '${name}' has already been updated by another client, so you cannot update it. Please try again.`,
          'GitReferenceStaleException',
        );
      }
      parent = current;
    } else {
      this.needs('CreateBranch', 'branch');
      if (oldObjectId !== ZERO_SHA) {
        parent = this.resolve(oldObjectId);
        if (!parent || !/^[0-9a-f]{40}$/.test(oldObjectId)) {
          throw new HttpError(
            404,
            `TF401029: Commit ${oldObjectId} was not found in repository ${this.repositoryName}.`,
            'GitCommitDoesNotExistException',
          );
        }
      }
    }
    const created: Json[] = [];
    const dir = mkdtempSync(join(tmpdir(), 'azure-api-index-'));
    mkdirSync(join(dir, 'tree'));
    try {
      for (const c of commits) {
        // update-index wants a work tree even for index-only changes: an empty one that nothing is checked out to.
        const indexEnv = { GIT_INDEX_FILE: join(dir, 'index'), GIT_WORK_TREE: join(dir, 'tree') };
        this.git(parent ? ['read-tree', parent] : ['read-tree', '--empty'], undefined, undefined, indexEnv);
        const changes = Array.isArray(c.changes) ? (c.changes as Json[]) : [];
        if (changes.length === 0) {
          throw new HttpError(
            400,
            'TF401320: A commit in the push contains no changes.',
            'InvalidArgumentValueException',
          );
        }
        for (const change of changes) this.applyChange(change, indexEnv);
        const tree = this.git(['write-tree'], undefined, undefined, indexEnv);
        const args = ['commit-tree', tree, ...(parent ? ['-p', parent] : []), '-m', String(c.comment ?? '')];
        const sha = this.git(args, undefined, this.now());
        created.push({
          commitId: sha,
          author: {
            name: GIT_ENV.GIT_AUTHOR_NAME,
            email: GIT_ENV.GIT_AUTHOR_EMAIL,
            date: new Date().toISOString(),
          },
          committer: {
            name: GIT_ENV.GIT_COMMITTER_NAME,
            email: GIT_ENV.GIT_COMMITTER_EMAIL,
            date: new Date().toISOString(),
          },
          comment: String(c.comment ?? ''),
          url: `${this.repoUrl}/commits/${sha}`,
        });
        parent = sha;
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    try {
      this.git(['update-ref', name, parent!, current ?? ZERO_SHA]);
    } catch {
      throw new HttpError(
        409,
        `TF401028: The reference '${name}' has already been updated by another client, so you cannot update it. Please try again.`,
        'GitReferenceStaleException',
      );
    }
    const pushId = this.nextPushId++;
    return {
      commits: created,
      refUpdates: [
        { repositoryId: this.repositoryId, name, oldObjectId: current ?? ZERO_SHA, newObjectId: parent },
      ],
      repository: this.repositoryJson(),
      pushedBy: this.identityRef(),
      pushId,
      date: new Date().toISOString(),
      url: `${this.repoUrl}/pushes/${pushId}`,
    };
  }

  private applyChange(change: Json, env: Record<string, string>): void {
    const type = String(change.changeType ?? '').toLowerCase();
    const item = (change.item ?? {}) as Json;
    const path = String(item.path ?? '');
    const rel = path.replace(/^\/+/, '');
    if (!rel || rel.split('/').some((s) => s === '' || s === '.' || s === '..' || s === '.git')) {
      throw new HttpError(400, `TF401019: The path '${path}' is not valid.`, 'InvalidArgumentValueException');
    }
    const exists = this.git(['ls-files', '--cached', '--', rel], undefined, undefined, env) !== '';
    if (type === 'delete') {
      if (!exists) {
        throw new HttpError(
          404,
          `TF401174: The item '${path}' could not be found in the repository.`,
          'GitItemNotFoundException',
        );
      }
      this.git(['update-index', '--force-remove', '--', rel], undefined, undefined, env);
      return;
    }
    if (type !== 'add' && type !== 'edit') {
      throw new HttpError(
        400,
        `Change type '${type}' is not supported here.`,
        'InvalidArgumentValueException',
      );
    }
    if (type === 'add' && exists) {
      throw new HttpError(
        409,
        `TF402455: The path '${path}' already exists and cannot be added; use an edit instead.`,
        'GitPathAlreadyExistsException',
      );
    }
    if (type === 'edit' && !exists) {
      throw new HttpError(
        404,
        `TF401174: The item '${path}' could not be found in the repository.`,
        'GitItemNotFoundException',
      );
    }
    const content = (change.newContent ?? {}) as Json;
    const kind = String(content.contentType ?? 'rawtext').toLowerCase();
    const data =
      kind === 'base64encoded'
        ? Buffer.from(String(content.content ?? ''), 'base64')
        : Buffer.from(String(content.content ?? ''), 'utf8');
    const blob = this.git(['hash-object', '-w', '--stdin'], data);
    this.git(['update-index', '--add', '--cacheinfo', `100644,${blob},${rel}`], undefined, undefined, env);
  }

  // ------------------------------------------------------------------ pull requests

  private findPr(id: number): StoredPr {
    const pr = this.prs.find((p) => p.pullRequestId === id);
    if (!pr) {
      throw new HttpError(
        404,
        `TF401180: The requested pull request was not found.`,
        'GitPullRequestNotFoundException',
      );
    }
    return pr;
  }

  private prJson(pr: StoredPr): Json {
    const out = structuredClone(pr) as Json;
    if (pr.status === 'active') {
      const source = this.resolve(pr.sourceRefName);
      const target = this.resolve(pr.targetRefName);
      if (source) out.lastMergeSourceCommit = this.commitRef(source);
      if (target) out.lastMergeTargetCommit = this.commitRef(target);
    }
    return out;
  }

  private listPullRequests(query: Record<string, string>): Json {
    const source = query['searchCriteria.sourceRefName'];
    const target = query['searchCriteria.targetRefName'];
    const status = (query['searchCriteria.status'] ?? 'active').toLowerCase();
    const skip = Number(query.$skip ?? 0) || 0;
    const top = Math.min(Number(query.$top ?? 101) || 101, this.maxPage);
    const matching = this.prs
      .filter(
        (p) =>
          (!source || p.sourceRefName === source) &&
          (!target || p.targetRefName === target) &&
          (status === 'all' || (status === 'notset' ? p.status === 'active' : p.status === status)),
      )
      .sort((a, b) => b.pullRequestId - a.pullRequestId);
    const value = matching.slice(skip, skip + top).map((p) => this.prJson(p));
    return { value, count: value.length };
  }

  private createPullRequest(body: unknown): Json {
    this.needs('PullRequestContribute');
    const b = (body ?? {}) as Json;
    const sourceRefName = String(b.sourceRefName ?? '');
    const targetRefName = String(b.targetRefName ?? '');
    const description = typeof b.description === 'string' ? b.description : '';
    if (description.length > 4000) {
      throw new HttpError(
        400,
        'TF401256: The pull request description is too long. The maximum length is 4000 characters.',
        'InvalidArgumentValueException',
      );
    }
    if (!this.resolve(sourceRefName) || !this.resolve(targetRefName)) {
      throw new HttpError(
        404,
        'TF401398: The pull request cannot be activated because the source and/or the target branch no longer exists, or the requested refs are not branches',
        'GitPullRequestCannotBeActivated',
      );
    }
    if (sourceRefName === targetRefName) {
      throw new HttpError(
        400,
        'TF401389: The source and target branch of a pull request must differ.',
        'InvalidArgumentValueException',
      );
    }
    if (
      this.prs.some(
        (p) =>
          p.status === 'active' && p.sourceRefName === sourceRefName && p.targetRefName === targetRefName,
      )
    ) {
      throw new HttpError(
        409,
        'TF401179: An active pull request for the source and target branch already exists.',
        'GitPullRequestExistsException',
      );
    }
    const id = this.prs.length + 1;
    const pr: StoredPr = {
      repository: this.repositoryJson(),
      pullRequestId: id,
      codeReviewId: id,
      status: 'active',
      createdBy: this.identityRef(),
      creationDate: this.now(),
      title: String(b.title ?? ''),
      description,
      sourceRefName,
      targetRefName,
      mergeStatus: 'succeeded',
      isDraft: b.isDraft === true,
      mergeId: randomUUID(),
      reviewers: [],
      labels: [],
      url: `${this.repoUrl}/pullRequests/${id}`,
      supportsIterations: true,
    };
    this.prs.push(pr);
    this.threadStore.set(id, []);
    return this.prJson(pr);
  }

  private updatePullRequest(id: number, body: unknown): Json {
    this.needs('PullRequestContribute');
    const pr = this.findPr(id);
    const b = (body ?? {}) as Json;
    if (typeof b.title === 'string') pr.title = b.title;
    if (typeof b.description === 'string') {
      if (b.description.length > 4000) {
        throw new HttpError(
          400,
          'TF401256: The pull request description is too long. The maximum length is 4000 characters.',
          'InvalidArgumentValueException',
        );
      }
      pr.description = b.description;
    }
    if (b.completionOptions && typeof b.completionOptions === 'object') {
      pr.completionOptions = { ...((pr.completionOptions as Json) ?? {}), ...(b.completionOptions as Json) };
    }
    if (b.autoCompleteSetBy && typeof b.autoCompleteSetBy === 'object') {
      const who = String((b.autoCompleteSetBy as Json).id ?? '');
      if (who === EMPTY_GUID) {
        if (pr.autoCompleteSetBy) this.systemThread(id, 'cancelled auto-complete', 'AutoCompleteUpdated');
        delete pr.autoCompleteSetBy;
      } else if (who.toLowerCase() === this.identity.id) {
        pr.autoCompleteSetBy = this.identityRef();
        this.systemThread(
          id,
          'set the pull request to automatically complete when all policies have passed',
          'AutoCompleteUpdated',
        );
      } else {
        throw new HttpError(
          400,
          'TF401181: Auto-complete can only be set by the authenticated user.',
          'InvalidArgumentValueException',
        );
      }
    }
    if (typeof b.status === 'string') {
      const status = b.status.toLowerCase();
      if (status === 'abandoned') this.abandonPullRequest(id);
      else if (status === 'active' && pr.status === 'abandoned') pr.status = 'active';
      else if (status === 'completed') {
        throw new HttpError(
          400,
          'Completing through this double: call completePullRequest().',
          'InvalidArgumentValueException',
        );
      }
    }
    return this.prJson(pr);
  }

  private queryPullRequests(body: unknown): Json {
    const b = (body ?? {}) as Json;
    const queries = Array.isArray(b.queries) ? (b.queries as Json[]) : [];
    const results = queries.map((q) => {
      const type = String(q.type ?? '').toLowerCase();
      const items = Array.isArray(q.items) ? (q.items as string[]) : [];
      const out: Record<string, Json[]> = {};
      for (const sha of items) {
        const s = String(sha).toLowerCase();
        const found = this.prs.filter((p) => {
          if (type === 'lastmergecommit' || type === '1') {
            return ((p.lastMergeCommit as Json | undefined)?.commitId as string | undefined) === s;
          }
          if (type === 'commit' || type === '2') {
            const head =
              ((p.lastMergeSourceCommit as Json | undefined)?.commitId as string | undefined) ??
              this.resolve(p.sourceRefName);
            return head === s;
          }
          return false;
        });
        out[sha] = found.map((p) => this.prJson(p));
      }
      return out;
    });
    return { queries, results };
  }

  private listThreads(id: number): Json {
    this.findPr(id);
    const value = this.threads(id);
    return { value, count: value.length };
  }

  private systemThread(id: number, text: string, kind: string): void {
    const threads = this.threadStore.get(id) ?? [];
    const date = this.now();
    threads.push({
      id: this.nextThreadId(),
      publishedDate: date,
      lastUpdatedDate: date,
      comments: [
        {
          id: 1,
          parentCommentId: 0,
          author: this.identityRef(),
          content: `${this.identity.displayName} ${text}`,
          publishedDate: date,
          lastUpdatedDate: date,
          lastContentUpdatedDate: date,
          commentType: 'system',
          usersLiked: [],
        },
      ],
      properties: { CodeReviewThreadType: { $type: 'System.String', $value: kind } },
      identities: null,
      isDeleted: false,
    });
    this.threadStore.set(id, threads);
  }

  private threadCounter = 0;
  private nextThreadId(): number {
    this.threadCounter += 1;
    return 100 + this.threadCounter;
  }

  private createThread(id: number, body: unknown): Json {
    this.needs('PullRequestContribute');
    this.findPr(id);
    const b = (body ?? {}) as Json;
    const comments = Array.isArray(b.comments) ? (b.comments as Json[]) : [];
    if (comments.length === 0) {
      throw new HttpError(
        400,
        'A thread must contain at least one comment.',
        'InvalidArgumentValueException',
      );
    }
    const date = this.now();
    const thread: StoredThread = {
      id: this.nextThreadId(),
      publishedDate: date,
      lastUpdatedDate: date,
      comments: comments.map((c, i) => ({
        id: i + 1,
        parentCommentId: Number(c.parentCommentId ?? 0),
        author: this.identityRef(),
        content: String(c.content ?? ''),
        publishedDate: date,
        lastUpdatedDate: date,
        lastContentUpdatedDate: date,
        commentType: String(c.commentType ?? 'text') === '1' ? 'text' : String(c.commentType ?? 'text'),
        usersLiked: [],
      })),
      status: b.status === undefined ? 'unknown' : b.status,
      threadContext: b.threadContext ?? null,
      properties: b.properties ?? {},
      identities: null,
      isDeleted: false,
    };
    const threads = this.threadStore.get(id) ?? [];
    threads.push(thread);
    this.threadStore.set(id, threads);
    return structuredClone(thread);
  }

  private updateComment(id: number, threadId: number, commentId: number, body: unknown): Json {
    this.needs('PullRequestContribute');
    this.findPr(id);
    const thread = (this.threadStore.get(id) ?? []).find((t) => t.id === threadId);
    const comment = thread?.comments.find((c) => c.id === commentId);
    if (!thread || !comment) {
      throw new HttpError(
        404,
        `TF401182: Comment ${commentId} in thread ${threadId} was not found.`,
        'CommentNotFoundException',
      );
    }
    const b = (body ?? {}) as Json;
    if (typeof b.content === 'string') {
      const date = this.now();
      comment.content = b.content;
      comment.lastUpdatedDate = date;
      comment.lastContentUpdatedDate = date;
      thread.lastUpdatedDate = date;
    }
    return structuredClone(comment);
  }
}

/** Starts a double over `options.repo`. Close it with `await api.close()`. */
export async function startAzureApi(options: AzureApiOptions): Promise<AzureDevOpsApi> {
  return new AzureDevOpsApi(options).start();
}
