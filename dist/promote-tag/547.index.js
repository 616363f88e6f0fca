export const id = 547;
export const ids = [547];
export const modules = {

/***/ 3675:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   f: () => (/* binding */ guardAnswers)
/* harmony export */ });
/* harmony import */ var _gitops_promote_core__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(426);

/** The GitProvider methods that read what the hosting service answered. */
const METHODS = [
    'listStatuses',
    'setStatus',
    'createTag',
    'getTag',
    'deleteTag',
    'listTags',
    'branchSha',
    'isAncestor',
    'findPullRequests',
    'pullRequestForMergeCommit',
    'getPullRequest',
    'createPullRequest',
    'updatePullRequest',
    'setAutoMerge',
    'upsertComment',
    'commitFiles',
    'readFile',
];
/** What JavaScript says when code reads a field an answer lacks. */
const MISSING_FIELD = /Cannot read propert(?:y|ies) of (?:undefined|null)|is not iterable|Cannot convert undefined or null|is not a function|undefined is not an object/;
/**
 * An answer is untrusted data: one that lacks a field the provider reads (a proxy's page, another API
 * behind the URL, a changed shape) must end in one ProviderError naming the call, not in
 * "unexpected error: Cannot read properties of undefined". Wraps the provider's methods in place.
 */
function guardAnswers(provider, host, lastCall) {
    const target = provider;
    for (const name of METHODS) {
        const method = target[name];
        if (typeof method !== 'function')
            continue;
        target[name] = async (...args) => {
            try {
                return await method.apply(provider, args);
            }
            catch (e) {
                if (e instanceof _gitops_promote_core__WEBPACK_IMPORTED_MODULE_0__/* .GitopsError */ .$n || !(e instanceof TypeError) || !MISSING_FIELD.test(e.message))
                    throw e;
                const call = lastCall();
                throw new _gitops_promote_core__WEBPACK_IMPORTED_MODULE_0__/* .ProviderError */ .mZ(call ?? name, undefined, `${host} answered without a field ${name} needs (${e.message}); check that the API URL points at ${host} and no proxy answers in its place`);
            }
        };
    }
}


/***/ }),

/***/ 5547:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   AzureDevOpsProvider: () => (/* binding */ AzureDevOpsProvider)
/* harmony export */ });
/* unused harmony export splitContext */
/* harmony import */ var _gitops_promote_core__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(426);
/* harmony import */ var _answers__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(3675);


const ZERO_SHA = '0000000000000000000000000000000000000000';
const EMPTY_GUID = '00000000-0000-0000-0000-000000000000';
const API_VERSION = '7.1';
/** annotatedtags and pullrequestquery are still preview at 7.1; the service refuses them without `-preview`. */
const PREVIEW_API_VERSION = '7.1-preview.1';
/** Azure DevOps refuses pull request descriptions longer than this. */
const MAX_DESCRIPTION = 4000;
const PERMISSION = {
    read: '"Read"',
    contribute: '"Contribute"',
    createBranch: '"Contribute" and "Create branch"',
    createTag: '"Create tag"',
    forcePush: '"Force push (rewrite history, delete branches and tags)"',
    pullRequests: '"Contribute to pull requests"',
};
const wait = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const enc = encodeURIComponent;
function shortBranch(ref) {
    if (!ref)
        return '';
    return ref.startsWith('refs/heads/') ? ref.slice(11) : ref;
}
function mapState(state) {
    switch ((state ?? '').toLowerCase()) {
        case 'succeeded':
            return 'success';
        case 'failed':
            return 'failure';
        case 'error':
            return 'error';
        default:
            // pending (notSet and notApplicable never get here: listStatuses drops them)
            return 'pending';
    }
}
/** Azure DevOps states that carry no result: the context counts as missing, not pending. */
function isNoResult(state) {
    return /^(notset|notapplicable)$/i.test(state ?? '');
}
const TO_AZURE_STATE = {
    success: 'succeeded',
    failure: 'failed',
    error: 'error',
    pending: 'pending',
};
/** `gitops-promote/ops` → genre `gitops-promote`, name `ops`; a context without `/` is a name alone. */
function splitContext(context) {
    const i = context.indexOf('/');
    if (i < 0)
        return { name: context };
    return { genre: context.slice(0, i), name: context.slice(i + 1) };
}
function sameSha(a, b) {
    if (!a)
        return false;
    const x = a.toLowerCase();
    const y = b.toLowerCase();
    return x === y || (y.length >= 7 && x.startsWith(y));
}
/** Repository paths as the API wants them: `/dir/file`. */
function itemPath(path) {
    return `/${path
        .replace(/\\/g, '/')
        .replace(/^(\.\/)+/, '')
        .replace(/^\/+/, '')}`;
}
/** `Retry-After` in seconds: a number of seconds or an HTTP date. */
function retryAfterSeconds(value) {
    if (!value)
        return undefined;
    const seconds = Number(value);
    if (Number.isFinite(seconds))
        return Math.max(0, seconds);
    const date = Date.parse(value);
    return Number.isNaN(date) ? undefined : Math.max(0, (date - Date.now()) / 1000);
}
function describeNetworkError(e, timedOut, timeoutMs) {
    if (timedOut)
        return `no answer within ${timeoutMs} ms`;
    const err = e;
    const code = err?.cause?.code ?? err?.cause?.message ?? err?.message ?? String(e);
    return `network error (${code})`;
}
/**
 * Azure DevOps Services / Server through its REST API (api-version 7.1), with plain `fetch`.
 *
 * Every repository call goes to `{collectionUri}{project}/_apis/git/repositories/{repositoryId}/…`.
 * Choices worth knowing:
 * - Commit statuses: `GET commits/{sha}/statuses?top=&skip=` (the documented names carry no `$`), all pages;
 *   the context `genre/name` is split at the first `/`, so Flux's `fluxcd:<summary>` genre and its
 *   `kustomization/<name>/<id>` name come through intact.
 * - Ancestry: `GET diffs/commits` (GA in 7.1) with the commit as base and the branch as target; the commit is
 *   an ancestor of the branch exactly when it is their common commit (merge base). One call, no preview API.
 * - Pushes build on the ref's `oldObjectId`: a new branch is created by pushing with the base commit as
 *   `oldObjectId`; `force` first moves the ref back to the base (`POST refs`, needs "Force push").
 * - `POST refs` answers 200 even when an update is rejected: each result's `success`/`updateStatus` is checked.
 * - Auto-complete (`setAutoMerge`) sets `autoCompleteSetBy` to the token's own identity
 *   (`GET {collection}_apis/connectionData`); turning it off sets the empty GUID.
 * - Comments are pull request threads; the thread whose first comment carries the marker is updated in place.
 *   New threads carry no status, so they never block a "comment resolution" branch policy.
 */
class AzureDevOpsProvider {
    options;
    kind = 'azure';
    collection;
    repoBase;
    secrets;
    authHeader;
    retry;
    pageSize;
    fetchImpl;
    identity;
    /** The call whose answer is being read, for the message when that answer lacks a field. */
    lastCall;
    constructor(options) {
        this.options = options;
        if (!options.token) {
            throw new _gitops_promote_core__WEBPACK_IMPORTED_MODULE_0__/* .ProviderError */ .mZ('Azure DevOps', undefined, 'no token: map the job token into the step with `env: SYSTEM_ACCESSTOKEN: $(System.AccessToken)` or pass the `token` input');
        }
        if (!options.collectionUri) {
            throw new _gitops_promote_core__WEBPACK_IMPORTED_MODULE_0__/* .ProviderError */ .mZ('Azure DevOps', undefined, 'no collection URI: SYSTEM_COLLECTIONURI is not set');
        }
        this.collection = options.collectionUri.endsWith('/')
            ? options.collectionUri
            : `${options.collectionUri}/`;
        this.repoBase = `${this.collection}${enc(options.project)}/_apis/git/repositories/${enc(options.repositoryId)}/`;
        const basic = Buffer.from(`:${options.token}`).toString('base64');
        this.authHeader = options.auth === 'basic' ? `Basic ${basic}` : `Bearer ${options.token}`;
        this.secrets = [options.token, basic, Buffer.from(options.token).toString('base64')].filter((s) => s.length >= 4);
        const r = options.retry ?? {};
        this.retry = {
            attempts: Math.max(1, r.attempts ?? 5),
            baseDelayMs: r.baseDelayMs ?? 1000,
            maxDelayMs: r.maxDelayMs ?? 30_000,
            totalMs: r.totalMs ?? 120_000,
            timeoutMs: r.timeoutMs ?? 30_000,
            retryAfterUnitMs: r.retryAfterUnitMs ?? 1000,
            sleep: r.sleep ?? wait,
        };
        this.pageSize = Math.max(1, options.pageSize ?? 100);
        this.fetchImpl = options.fetch ?? fetch;
        (0,_answers__WEBPACK_IMPORTED_MODULE_1__/* .guardAnswers */ .f)(this, 'Azure DevOps', () => this.lastCall);
    }
    // ---------------------------------------------------------------- statuses
    async listStatuses(sha) {
        const all = [];
        const seen = new Set();
        const top = this.pageSize;
        for (let skip = 0;;) {
            const { data } = await this.call('GET', `commits/${enc(sha)}/statuses`, {
                query: { top, skip },
                need: 'read',
            });
            const page = data.value ?? [];
            if (page.some((s) => typeof s?.context?.name !== 'string' || typeof s.state !== 'string')) {
                throw new _gitops_promote_core__WEBPACK_IMPORTED_MODULE_0__/* .ProviderError */ .mZ(`GET …/commits/${sha}/statuses`, undefined, 'Azure DevOps answered a status without a context name or a state; check that SYSTEM_COLLECTIONURI points at Azure DevOps and no proxy answers in its place');
            }
            // A server that ignores `skip` would repeat itself: stop rather than loop.
            const fresh = page.filter((s) => s.id === undefined || !seen.has(s.id));
            for (const s of fresh)
                if (s.id !== undefined)
                    seen.add(s.id);
            all.push(...fresh);
            if (page.length < top || fresh.length === 0)
                break;
            skip += page.length;
        }
        const newest = new Map();
        for (const s of all) {
            const key = `${s.context?.genre ?? ''}\u0000${s.context?.name ?? ''}`;
            const have = newest.get(key);
            if (!have || isNewer(s, have))
                newest.set(key, s);
        }
        // notSet / notApplicable are no result: a context whose newest status says so reads as missing.
        return [...newest.values()]
            .filter((s) => !isNoResult(s.state))
            .sort((a, b) => (isNewer(a, b) ? -1 : 1))
            .map(toCommitStatus);
    }
    async setStatus(sha, status) {
        const { genre, name } = splitContext(status.context);
        await this.call('POST', `commits/${enc(sha)}/statuses`, {
            body: {
                state: TO_AZURE_STATE[status.state],
                description: status.description,
                context: genre === undefined ? { name } : { genre, name },
                ...(status.targetUrl ? { targetUrl: status.targetUrl } : {}),
            },
            need: 'contribute',
        });
    }
    // ---------------------------------------------------------------- tags and refs
    async createTag(name, sha, message) {
        const existing = await this.getTag(name);
        if (existing)
            return settle(existing);
        try {
            if (message !== undefined) {
                await this.call('POST', 'annotatedtags', {
                    body: { name, taggedObject: { objectId: sha }, message },
                    apiVersion: PREVIEW_API_VERSION,
                    need: 'createTag',
                });
            }
            else {
                await this.updateRef(`refs/tags/${name}`, ZERO_SHA, sha, 'createTag');
            }
        }
        catch (e) {
            // Lost a race, or the tag appeared meanwhile: decide on what is there now.
            if (e instanceof _gitops_promote_core__WEBPACK_IMPORTED_MODULE_0__/* .ProviderError */ .mZ && (e.status === 400 || e.status === 409)) {
                const now = await this.getTag(name);
                if (now)
                    return settle(now);
            }
            throw e;
        }
        return { created: true, tag: { name, sha } };
        function settle(tag) {
            if (sameSha(tag.sha, sha))
                return { created: false, tag };
            throw new _gitops_promote_core__WEBPACK_IMPORTED_MODULE_0__/* .TagConflictError */ .P1(name, tag.sha, sha);
        }
    }
    async getTag(name) {
        const refs = await this.listRefs(`tags/${name}`);
        const ref = refs.find((r) => r.name === `refs/tags/${name}`);
        return ref ? { name, sha: ref.peeledObjectId || ref.objectId } : undefined;
    }
    /** `POST refs` to the zero id; Azure DevOps asks "Force push" of whoever deletes a tag. */
    async deleteTag(name) {
        const ref = `refs/tags/${name}`;
        const current = (await this.listRefs(`tags/${name}`)).find((r) => r.name === ref);
        if (!current)
            return;
        try {
            await this.updateRef(ref, current.objectId, ZERO_SHA, 'forcePush');
        }
        catch (e) {
            // Someone else deleted it meanwhile: the outcome asked for.
            if (e instanceof _gitops_promote_core__WEBPACK_IMPORTED_MODULE_0__/* .ProviderError */ .mZ && e.status === 409 && !(await this.getTag(name)))
                return;
            throw e;
        }
    }
    async listTags(prefix) {
        const refs = await this.listRefs(`tags/${prefix}`);
        return refs
            .filter((r) => r.name.startsWith(`refs/tags/${prefix}`))
            .map((r) => ({ name: r.name.slice(10), sha: r.peeledObjectId || r.objectId }));
    }
    async branchSha(branch) {
        const refs = await this.listRefs(`heads/${branch}`);
        return refs.find((r) => r.name === `refs/heads/${branch}`)?.objectId;
    }
    async isAncestor(sha, branch) {
        const { status, data } = await this.call('GET', 'diffs/commits', {
            query: {
                baseVersion: sha,
                baseVersionType: 'commit',
                targetVersion: branch,
                targetVersionType: 'branch',
                $top: 1,
            },
            need: 'read',
            accept: [404],
        });
        if (status === 404)
            return false; // no such branch or commit
        return sameSha(data.commonCommit, sha);
    }
    /** `GET refs?filter=<prefix>&peelTags=true`, every page (`x-ms-continuationtoken`). The filter is a prefix. */
    async listRefs(filter) {
        const refs = [];
        const tokens = new Set();
        let continuationToken;
        do {
            const { data, headers } = await this.call('GET', 'refs', {
                query: { filter, peelTags: true, continuationToken },
                need: 'read',
            });
            refs.push(...(data.value ?? []));
            continuationToken = headers.get('x-ms-continuationtoken') ?? undefined;
            if (continuationToken && tokens.has(continuationToken))
                break;
            if (continuationToken)
                tokens.add(continuationToken);
        } while (continuationToken);
        return refs;
    }
    async updateRef(name, oldObjectId, newObjectId, need) {
        const call = 'POST …/refs';
        const { data } = await this.call('POST', 'refs', {
            body: [{ name, oldObjectId, newObjectId }],
            need,
        });
        const result = data.value?.[0];
        if (result?.success)
            return;
        const why = result?.updateStatus ?? 'unknown';
        // The answer is HTTP 200 with the rejection inside; report it with the status it amounts to.
        const status = /permission|forcepush/i.test(why) ? 403 : /stale|conflict|locked/i.test(why) ? 409 : 400;
        const reason = this.refRejection(name, why, newObjectId === ZERO_SHA, result?.customMessage);
        throw new _gitops_promote_core__WEBPACK_IMPORTED_MODULE_0__/* .ProviderError */ .mZ(call, status, this.redact(reason));
    }
    refRejection(name, updateStatus, deleting, custom) {
        const perm = (p) => `the build service identity lacks ${p} on repository ${this.options.repositoryId} (Project settings → Repositories → Security)`;
        const reasons = {
            staleoldobjectid: `${name} was moved by someone else meanwhile; run again`,
            forcepushrequired: deleting
                ? `deleting ${name} was refused: ${perm(PERMISSION.forcePush)}`
                : `${name} would lose commits: ${perm(PERMISSION.forcePush)}`,
            createtagpermissionrequired: perm(PERMISSION.createTag),
            createbranchpermissionrequired: perm(PERMISSION.createBranch),
            writepermissionrequired: perm(PERMISSION.contribute),
            invalidrefname: `${name} is not a valid ref name`,
            unresolvabletocommit: 'the new object is not a commit in this repository',
            locked: `${name} is locked`,
            rejectedbyplugin: `a server-side check rejected the update of ${name}`,
            refnameconflict: `${name} conflicts with an existing ref that differs only in case`,
        };
        const reason = reasons[updateStatus.toLowerCase()] ?? `the update of ${name} was rejected (${updateStatus})`;
        return custom ? `${reason}: ${custom}` : reason;
    }
    // ---------------------------------------------------------------- pull requests
    async findPullRequests(query) {
        const state = query.state ?? 'open';
        const found = [];
        const seen = new Set();
        const top = this.pageSize;
        for (let skip = 0;;) {
            const { data } = await this.call('GET', 'pullrequests', {
                query: {
                    'searchCriteria.sourceRefName': query.head ? `refs/heads/${query.head}` : undefined,
                    'searchCriteria.targetRefName': query.base ? `refs/heads/${query.base}` : undefined,
                    'searchCriteria.status': state === 'open' ? 'active' : 'all',
                    $top: top,
                    $skip: skip,
                },
                need: 'read',
            });
            const page = data.value ?? [];
            const fresh = page.filter((p) => !seen.has(p.pullRequestId));
            for (const p of fresh)
                seen.add(p.pullRequestId);
            found.push(...fresh);
            if (page.length < top || fresh.length === 0)
                break;
            skip += page.length;
        }
        const prs = found.map((p) => this.toPullRequest(p));
        return state === 'closed' ? prs.filter((p) => p.state !== 'open') : prs;
    }
    async pullRequestForMergeCommit(sha) {
        const { data } = await this.call('POST', 'pullrequestquery', {
            body: { queries: [{ type: 'lastMergeCommit', items: [sha] }] },
            apiVersion: PREVIEW_API_VERSION,
            need: 'read',
        });
        const result = data.results?.[0] ?? {};
        const key = Object.keys(result).find((k) => sameSha(k, sha) || sameSha(sha, k));
        const candidates = key ? (result[key] ?? []) : [];
        const merged = candidates.find((p) => (p.status ?? '').toLowerCase() === 'completed') ?? candidates[0];
        if (!merged)
            return undefined;
        // Query results can be abbreviated: read the whole pull request.
        return this.getPullRequest(merged.pullRequestId);
    }
    async getPullRequest(number) {
        const { data } = await this.call('GET', `pullrequests/${number}`, { need: 'read' });
        return this.toPullRequest(data);
    }
    async createPullRequest(pr) {
        this.checkDescription('POST …/pullrequests', pr.body);
        const { data } = await this.call('POST', 'pullrequests', {
            body: {
                sourceRefName: `refs/heads/${pr.head}`,
                targetRefName: `refs/heads/${pr.base}`,
                title: pr.title,
                description: pr.body,
            },
            need: 'pullRequests',
        });
        return this.toPullRequest(data);
    }
    async updatePullRequest(number, change) {
        const body = {};
        if (change.title !== undefined)
            body.title = change.title;
        if (change.body !== undefined) {
            this.checkDescription(`PATCH …/pullrequests/${number}`, change.body);
            body.description = change.body;
        }
        if (Object.keys(body).length === 0)
            return this.getPullRequest(number);
        const { data } = await this.call('PATCH', `pullrequests/${number}`, {
            body,
            need: 'pullRequests',
        });
        return this.toPullRequest(data);
    }
    async setAutoMerge(number, enabled) {
        const body = enabled
            ? {
                autoCompleteSetBy: { id: await this.identityId() },
                completionOptions: this.options.completionOptions ?? { deleteSourceBranch: true },
            }
            : { autoCompleteSetBy: { id: EMPTY_GUID } };
        await this.call('PATCH', `pullrequests/${number}`, { body, need: 'pullRequests' });
    }
    async upsertComment(number, marker, body) {
        const { data } = await this.call('GET', `pullRequests/${number}/threads`, {
            need: 'read',
        });
        const threads = [...(data.value ?? [])].sort((a, b) => a.id - b.id);
        for (const thread of threads) {
            if (thread.isDeleted)
                continue;
            const first = firstComment(thread);
            if (!first || first.isDeleted || isSystem(first) || !(first.content ?? '').includes(marker))
                continue;
            if (first.content !== body) {
                await this.call('PATCH', `pullRequests/${number}/threads/${thread.id}/comments/${first.id}`, {
                    body: { content: body },
                    need: 'pullRequests',
                });
            }
            return { id: String(thread.id), created: false };
        }
        const { data: created } = await this.call('POST', `pullRequests/${number}/threads`, {
            body: { comments: [{ parentCommentId: 0, content: body, commentType: 'text' }] },
            need: 'pullRequests',
        });
        return { id: String(created.id), created: true };
    }
    checkDescription(call, body) {
        if (body.length > MAX_DESCRIPTION) {
            throw new _gitops_promote_core__WEBPACK_IMPORTED_MODULE_0__/* .ProviderError */ .mZ(call, undefined, `the pull request description has ${body.length} characters; Azure DevOps accepts at most ${MAX_DESCRIPTION}`);
        }
    }
    identityId() {
        this.identity ??= this.call('GET', '_apis/connectionData', {
            scope: 'collection',
            apiVersion: null,
            need: 'read',
        }).then(({ data }) => {
            const id = data.authenticatedUser?.id;
            if (!id || id === EMPTY_GUID) {
                throw new _gitops_promote_core__WEBPACK_IMPORTED_MODULE_0__/* .ProviderError */ .mZ('GET _apis/connectionData', undefined, 'the token has no identity to set auto-complete with (anonymous connection)');
            }
            return id;
        });
        this.identity.catch(() => {
            this.identity = undefined;
        });
        return this.identity;
    }
    toPullRequest(p) {
        if (!Number.isSafeInteger(p?.pullRequestId) || typeof p.sourceRefName !== 'string') {
            throw new _gitops_promote_core__WEBPACK_IMPORTED_MODULE_0__/* .ProviderError */ .mZ(this.lastCall ?? 'Azure DevOps', undefined, 'Azure DevOps answered a pull request without its id or source branch; check that SYSTEM_COLLECTIONURI points at Azure DevOps and no proxy answers in its place');
        }
        const status = (p.status ?? '').toLowerCase();
        const state = status === 'completed' ? 'merged' : status === 'abandoned' ? 'closed' : 'open';
        const project = p.repository?.project?.name ?? this.options.project;
        const repo = p.repository?.name ?? this.options.repositoryId;
        const autoBy = p.autoCompleteSetBy?.id;
        const pr = {
            number: p.pullRequestId,
            url: `${this.collection}${enc(project)}/_git/${enc(repo)}/pullrequest/${p.pullRequestId}`,
            head: shortBranch(p.sourceRefName),
            headSha: p.lastMergeSourceCommit?.commitId ?? '',
            base: shortBranch(p.targetRefName),
            title: p.title ?? '',
            body: p.description ?? '',
            state,
            autoMerge: Boolean(autoBy && autoBy !== EMPTY_GUID),
        };
        if (state === 'merged' && p.lastMergeCommit?.commitId)
            pr.mergeCommitSha = p.lastMergeCommit.commitId;
        return pr;
    }
    // ---------------------------------------------------------------- files
    async commitFiles(change) {
        const wanted = new Map();
        for (const f of change.files)
            wanted.set(itemPath(f.path), f.content);
        const changes = [];
        for (const [path, content] of wanted) {
            const current = await this.readItem(path, change.base, 'commit');
            if (current.kind === 'unresolvable') {
                throw new _gitops_promote_core__WEBPACK_IMPORTED_MODULE_0__/* .ProviderError */ .mZ('GET …/items', 404, `the base commit ${change.base} is not in the repository`);
            }
            const exists = current.kind === 'file';
            if (content === null) {
                if (exists)
                    changes.push({ changeType: 'delete', item: { path } });
            }
            else if (!exists || current.content !== content) {
                changes.push({
                    changeType: exists ? 'edit' : 'add',
                    item: { path },
                    newContent: { content, contentType: 'rawtext' },
                });
            }
        }
        if (changes.length === 0)
            return undefined;
        const changedPaths = changes.map((c) => c.item.path);
        const ref = `refs/heads/${change.branch}`;
        const head = await this.branchSha(change.branch);
        if (head && !sameSha(head, change.base)) {
            // The branch may already be base + these files (an earlier run): nothing to do, force or not.
            if (await this.holdsExactly(head, change.base, wanted, changedPaths))
                return undefined;
            if (change.force)
                await this.updateRef(ref, head, change.base, 'forcePush');
        }
        const { data } = await this.call('POST', 'pushes', {
            body: {
                refUpdates: [{ name: ref, oldObjectId: change.base }],
                commits: [{ comment: change.message, changes }],
            },
            need: head ? 'contribute' : 'createBranch',
        });
        const sha = data.commits?.at(-1)?.commitId ?? data.refUpdates?.[0]?.newObjectId;
        if (!sha)
            throw new _gitops_promote_core__WEBPACK_IMPORTED_MODULE_0__/* .ProviderError */ .mZ('POST …/pushes', undefined, 'the push was accepted but named no commit');
        return sha;
    }
    /**
     * Is `head` the tree of `base` with exactly `wanted` applied? `GET diffs/commits` (base against head, not
     * against their merge base) must list exactly the changed paths, and each must have the wanted content.
     */
    async holdsExactly(head, base, wanted, changedPaths) {
        // Folders are listed among the changes too, and count towards `$top`: read pages until the files are known.
        const paths = [];
        const top = 100;
        for (let skip = 0;; skip += top) {
            const { status, data } = await this.call('GET', 'diffs/commits', {
                query: {
                    baseVersion: base,
                    baseVersionType: 'commit',
                    targetVersion: head,
                    targetVersionType: 'commit',
                    diffCommonCommit: false,
                    $top: top,
                    $skip: skip,
                },
                need: 'read',
                accept: [404],
            });
            if (status === 404)
                return false;
            const page = data.changes ?? [];
            for (const c of page) {
                if (!c.item?.isFolder && (c.item?.gitObjectType ?? 'blob').toLowerCase() === 'blob')
                    paths.push(c.item?.path ?? '');
            }
            if (paths.length > changedPaths.length)
                return false;
            if (page.length < top)
                break;
        }
        if (paths.length !== changedPaths.length || !changedPaths.every((p) => paths.includes(p)))
            return false;
        for (const path of changedPaths) {
            const atHead = await this.readItem(path, head, 'commit');
            const content = wanted.get(path);
            const same = content === null ? atHead.kind !== 'file' : atHead.kind === 'file' && atHead.content === content;
            if (!same)
                return false;
        }
        return true;
    }
    async readFile(path, ref) {
        const p = itemPath(path);
        let tries;
        if (/^[0-9a-f]{40}$/i.test(ref))
            tries = [{ version: ref, type: 'commit' }];
        else if (ref.startsWith('refs/heads/'))
            tries = [{ version: ref.slice(11), type: 'branch' }];
        else if (ref.startsWith('refs/tags/'))
            tries = [{ version: ref.slice(10), type: 'tag' }];
        else {
            tries = [
                { version: ref, type: 'branch' },
                { version: ref, type: 'tag' },
            ];
            if (/^[0-9a-f]{7,39}$/i.test(ref))
                tries.push({ version: ref, type: 'commit' });
        }
        for (const t of tries) {
            const item = await this.readItem(p, t.version, t.type);
            if (item.kind === 'file')
                return item.content;
            if (item.kind === 'missing')
                return undefined;
        }
        throw new _gitops_promote_core__WEBPACK_IMPORTED_MODULE_0__/* .ProviderError */ .mZ('GET …/items', 404, `${ref} is no branch, tag or commit of the repository`);
    }
    async readItem(path, version, type) {
        const { status, data } = await this.call('GET', 'items', {
            query: {
                path,
                'versionDescriptor.version': version,
                'versionDescriptor.versionType': type,
                includeContent: true,
                $format: 'json',
            },
            need: 'read',
            accept: [404],
        });
        if (status === 404) {
            const unresolvable = /unresolvable/i.test(data.typeKey ?? '') ||
                /TF401175|could not be resolved/i.test(data.message ?? '');
            return unresolvable ? { kind: 'unresolvable' } : { kind: 'missing' };
        }
        if ((data.gitObjectType ?? 'blob').toLowerCase() !== 'blob')
            return { kind: 'missing' };
        return { kind: 'file', content: data.content ?? '' };
    }
    // ---------------------------------------------------------------- HTTP
    redact(text) {
        let out = text;
        for (const s of this.secrets)
            out = out.split(s).join('***');
        return out;
    }
    async call(method, resource, opts = {}) {
        const scope = opts.scope ?? 'repo';
        const label = scope === 'repo' ? `${method} …/${resource}` : `${method} ${resource}`;
        this.lastCall = label;
        const url = this.buildUrl(resource, scope, opts);
        const headers = {
            Accept: 'application/json',
            Authorization: this.authHeader,
            'User-Agent': 'gitops-promote',
        };
        let body;
        if (opts.body !== undefined) {
            headers['Content-Type'] = 'application/json';
            body = JSON.stringify(opts.body);
        }
        const { attempts, baseDelayMs, maxDelayMs, totalMs, timeoutMs, retryAfterUnitMs, sleep } = this.retry;
        const started = Date.now();
        for (let attempt = 1;; attempt++) {
            const controller = new AbortController();
            let timedOut = false;
            const timer = setTimeout(() => {
                timedOut = true;
                controller.abort();
            }, timeoutMs);
            let res;
            let text = '';
            let failure;
            try {
                res = await this.fetchImpl(url, { method, headers, body, signal: controller.signal });
                text = await res.text();
            }
            catch (e) {
                failure = describeNetworkError(e, timedOut, timeoutMs);
                res = undefined;
            }
            finally {
                clearTimeout(timer);
            }
            const status = res?.status;
            const retryable = res === undefined || status === 429 || (status !== undefined && status >= 500);
            if (!retryable && res)
                return this.answer(label, res, text, opts);
            const retryAfter = res ? retryAfterSeconds(res.headers.get('retry-after')) : undefined;
            const hinted = retryAfter === undefined ? undefined : retryAfter * retryAfterUnitMs;
            const backoff = Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1)) * (0.5 + Math.random() / 2);
            // Retry-After is obeyed as said (waiting less only earns another 429); the total budget still applies.
            const delay = hinted ?? backoff;
            const elapsed = Date.now() - started;
            const reason = res ? `HTTP ${status}` : (failure ?? 'network error');
            if (attempt >= attempts || elapsed + delay > totalMs) {
                throw this.giveUp(label, res, text, failure, attempt, elapsed, retryAfter);
            }
            this.options.log?.(this.redact(`${label}: ${reason}; retrying in ${(delay / 1000).toFixed(1)} s (attempt ${attempt + 1} of ${attempts})`));
            await sleep(delay);
        }
    }
    buildUrl(resource, scope, opts) {
        const query = { ...opts.query };
        const version = opts.apiVersion === undefined ? API_VERSION : opts.apiVersion;
        if (version)
            query['api-version'] = version;
        const qs = Object.entries(query)
            .filter(([, v]) => v !== undefined && v !== '')
            .map(([k, v]) => `${k}=${enc(String(v))}`)
            .join('&');
        const base = scope === 'repo' ? `${this.repoBase}${resource}` : `${this.collection}${resource}`;
        return qs ? `${base}?${qs}` : base;
    }
    answer(label, res, text, opts) {
        const type = res.headers.get('content-type') ?? '';
        // An invalid or expired PAT gets a sign-in page (203, HTML) instead of JSON.
        if (res.status === 203 || (text && /text\/html/i.test(type))) {
            throw new _gitops_promote_core__WEBPACK_IMPORTED_MODULE_0__/* .ProviderError */ .mZ(label, res.status === 203 ? 401 : res.status, this.cause(401, undefined, opts.need));
        }
        let data = {};
        if (text) {
            try {
                data = JSON.parse(text);
            }
            catch {
                if (res.ok)
                    throw new _gitops_promote_core__WEBPACK_IMPORTED_MODULE_0__/* .ProviderError */ .mZ(label, res.status, 'the answer is not JSON');
                data = { message: text.slice(0, 300) };
            }
        }
        if (res.ok || opts.accept?.includes(res.status))
            return { status: res.status, data: data, headers: res.headers };
        throw new _gitops_promote_core__WEBPACK_IMPORTED_MODULE_0__/* .ProviderError */ .mZ(label, res.status, this.redact(this.cause(res.status, data, opts.need)));
    }
    giveUp(label, res, text, failure, attempts, elapsedMs, retryAfter) {
        const tried = `${attempts} attempt${attempts === 1 ? '' : 's'} in ${(elapsedMs / 1000).toFixed(1)} s`;
        if (!res) {
            const host = new URL(this.collection).host;
            return new _gitops_promote_core__WEBPACK_IMPORTED_MODULE_0__/* .ProviderError */ .mZ(label, undefined, this.redact(`${failure ?? 'network error'} from ${host} after ${tried}; check SYSTEM_COLLECTIONURI and the network`));
        }
        let api = {};
        try {
            api = JSON.parse(text);
        }
        catch { }
        const said = api.message ? `; Azure DevOps says: ${api.message}` : '';
        const detail = res.status === 429
            ? `rate limited by Azure DevOps${retryAfter !== undefined ? ` (Retry-After ${Math.round(retryAfter)} s)` : ''}, still after ${tried}; run again later${said}`
            : `the service kept failing after ${tried}; try again later${said}`;
        return new _gitops_promote_core__WEBPACK_IMPORTED_MODULE_0__/* .ProviderError */ .mZ(label, res.status, this.redact(detail));
    }
    cause(status, api, need) {
        const said = api?.message ? `; Azure DevOps says: ${api.message}` : '';
        const { project, repositoryId } = this.options;
        switch (status) {
            case 401:
                return ('the token was rejected: it is invalid or expired, or the job token is not mapped into the step ' +
                    '(add `env: SYSTEM_ACCESSTOKEN: $(System.AccessToken)` to the step, or pass the `token` input)');
            case 403:
                return (`the build service identity lacks ${PERMISSION[need ?? 'read']} on repository ${repositoryId} in project ${project} ` +
                    `(Project settings → Repositories → Security: allow it for the "${project} Build Service" user)${said}`);
            case 404: {
                const typeKey = api?.typeKey ?? '';
                if (!api?.message || /Project|Repository/i.test(typeKey)) {
                    return (`project "${project}" or repository "${repositoryId}" not found at ${this.collection} ` +
                        `(check SYSTEM_COLLECTIONURI, SYSTEM_TEAMPROJECT and BUILD_REPOSITORY_ID, and that the token may read it)${said}`);
                }
                return api.message;
            }
            default:
                return api?.message ?? `unexpected answer from Azure DevOps`;
        }
    }
}
function isNewer(a, b) {
    const ta = Date.parse(a.creationDate ?? a.updatedDate ?? '') || 0;
    const tb = Date.parse(b.creationDate ?? b.updatedDate ?? '') || 0;
    if (ta !== tb)
        return ta > tb;
    return (a.id ?? 0) > (b.id ?? 0);
}
function toCommitStatus(s) {
    const genre = s.context?.genre ?? '';
    const name = s.context?.name ?? '';
    const status = {
        context: genre ? `${genre}/${name}` : name,
        state: mapState(s.state),
        description: s.description ?? '',
        createdAt: s.creationDate ?? s.updatedDate ?? '',
        name,
    };
    if (genre)
        status.genre = genre;
    if (s.targetUrl)
        status.targetUrl = s.targetUrl;
    return status;
}
function firstComment(thread) {
    const comments = [...(thread.comments ?? [])].sort((a, b) => a.id - b.id);
    return comments.find((c) => !c.parentCommentId) ?? comments[0];
}
function isSystem(c) {
    return c.commentType === 'system' || c.commentType === 3;
}


/***/ })

};
