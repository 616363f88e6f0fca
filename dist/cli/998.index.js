export const id = 998;
export const ids = [998];
export const modules = {

/***/ 2998:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  AzureDevOpsProvider: () => (/* binding */ AzureDevOpsProvider)
});

// UNUSED EXPORTS: splitContext

// EXTERNAL MODULE: ./packages/platform/src/providers/shared/answers.ts
var answers = __webpack_require__(7671);
// EXTERNAL MODULE: ./packages/core/src/index.ts + 69 modules
var src = __webpack_require__(7992);
// EXTERNAL MODULE: ./packages/platform/src/providers/shared/retry.ts
var retry = __webpack_require__(6502);
;// CONCATENATED MODULE: ./packages/platform/src/providers/azure/client.ts
/**
 * Azure DevOps REST calls (api-version 7.1) with plain `fetch`: a timeout per request, retries with backoff
 * for 5xx, 429 and network errors (a `Retry-After` obeyed as given), a time budget per call, and one
 * ProviderError naming the call, the status and the likely cause (with the permission the identity lacks).
 * The token never appears in a message or a log line.
 */


const API_VERSION = '7.1';
/** annotatedtags and pullrequestquery are still preview at 7.1; the service refuses them without `-preview`. */
const PREVIEW_API_VERSION = '7.1-preview.1';
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
class AzureClient {
    options;
    /** The collection URI, ending in `/`. */
    collection;
    pageSize;
    /** The call whose answer is being read, for the message when that answer lacks a field. */
    lastCall;
    /** The token's own identity, read once (auto-complete is set in its name). */
    identity;
    #repoBase;
    #secrets;
    #authHeader;
    #retry;
    #fetch;
    constructor(options) {
        this.options = options;
        if (!options.token) {
            throw new src/* ProviderError */.mZ('Azure DevOps', undefined, 'no token: map the job token into the step with `env: SYSTEM_ACCESSTOKEN: $(System.AccessToken)` or pass the `token` input');
        }
        if (!options.collectionUri) {
            throw new src/* ProviderError */.mZ('Azure DevOps', undefined, 'no collection URI: SYSTEM_COLLECTIONURI is not set');
        }
        this.collection = options.collectionUri.endsWith('/')
            ? options.collectionUri
            : `${options.collectionUri}/`;
        this.#repoBase = `${this.collection}${enc(options.project)}/_apis/git/repositories/${enc(options.repositoryId)}/`;
        const basic = Buffer.from(`:${options.token}`).toString('base64');
        this.#authHeader = options.auth === 'basic' ? `Basic ${basic}` : `Bearer ${options.token}`;
        this.#secrets = [options.token, basic, Buffer.from(options.token).toString('base64')];
        const r = options.retry ?? {};
        this.#retry = { ...(0,retry/* retryTiming */.ju)(r), attempts: Math.max(1, r.attempts ?? 5), sleep: r.sleep ?? wait };
        this.pageSize = Math.max(1, options.pageSize ?? 100);
        this.#fetch = options.fetch ?? fetch;
    }
    redact(text) {
        return (0,retry/* redact */.E$)(text, this.#secrets);
    }
    async call(method, resource, opts = {}) {
        const scope = opts.scope ?? 'repo';
        const label = scope === 'repo' ? `${method} …/${resource}` : `${method} ${resource}`;
        this.lastCall = label;
        const url = this.#url(resource, scope, opts);
        const headers = {
            Accept: 'application/json',
            Authorization: this.#authHeader,
            'User-Agent': 'gitops-promote',
        };
        let body;
        if (opts.body !== undefined) {
            headers['Content-Type'] = 'application/json';
            body = JSON.stringify(opts.body);
        }
        const { attempts, totalMs, retryAfterUnitMs, sleep } = this.#retry;
        const started = Date.now();
        for (let attempt = 1;; attempt++) {
            const { res, text, failure } = await this.#send(url, { method, headers, body });
            const status = res?.status;
            const retryable = res === undefined || status === 429 || (status !== undefined && status >= 500);
            if (!retryable && res)
                return this.#answer(label, res, text, opts);
            const retryAfter = res ? (0,retry/* retryAfterSeconds */.C3)(res.headers.get('retry-after')) : undefined;
            const hinted = retryAfter === undefined ? undefined : retryAfter * retryAfterUnitMs;
            const backoff = (0,retry/* backoffMs */.jo)(attempt, this.#retry) * (0.5 + Math.random() / 2);
            // Retry-After is obeyed as said (waiting less only earns another 429); the total budget still applies.
            const delay = hinted ?? backoff;
            const elapsed = Date.now() - started;
            const reason = res ? `HTTP ${status}` : (failure ?? 'network error');
            if (attempt >= attempts || elapsed + delay > totalMs) {
                throw this.#giveUp(label, { res, text, failure }, attempt, elapsed, retryAfter);
            }
            this.options.log?.(this.redact(`${label}: ${reason}; retrying in ${(delay / 1000).toFixed(1)} s (attempt ${attempt + 1} of ${attempts})`));
            await sleep(delay);
        }
    }
    /** The permission a refusal means, said for the build service identity and this repository. */
    lacks(need) {
        return `the build service identity lacks ${need} on repository ${this.options.repositoryId}`;
    }
    /** One request, aborted after the timeout; its body is read under the same timeout. */
    async #send(url, init) {
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
        }
        catch (e) {
            return { text: '', failure: describeNetworkError(e, timedOut, timeoutMs) };
        }
        finally {
            clearTimeout(timer);
        }
    }
    #url(resource, scope, opts) {
        const query = { ...opts.query };
        const version = opts.apiVersion === undefined ? API_VERSION : opts.apiVersion;
        if (version)
            query['api-version'] = version;
        const qs = Object.entries(query)
            .filter(([, v]) => v !== undefined && v !== '')
            .map(([k, v]) => `${k}=${enc(String(v))}`)
            .join('&');
        const base = scope === 'repo' ? `${this.#repoBase}${resource}` : `${this.collection}${resource}`;
        return qs ? `${base}?${qs}` : base;
    }
    #answer(label, res, text, opts) {
        const type = res.headers.get('content-type') ?? '';
        // An invalid or expired PAT gets a sign-in page (203, HTML) instead of JSON.
        if (res.status === 203 || (text && /text\/html/i.test(type))) {
            throw new src/* ProviderError */.mZ(label, res.status === 203 ? 401 : res.status, this.#cause(401, undefined, opts.need));
        }
        let data = {};
        if (text) {
            try {
                data = JSON.parse(text);
            }
            catch {
                if (res.ok)
                    throw new src/* ProviderError */.mZ(label, res.status, 'the answer is not JSON');
                data = { message: text.slice(0, 300) };
            }
        }
        if (res.ok || opts.accept?.includes(res.status))
            return { status: res.status, data: data, headers: res.headers };
        throw new src/* ProviderError */.mZ(label, res.status, this.redact(this.#cause(res.status, data, opts.need)));
    }
    #giveUp(label, { res, text, failure }, attempts, elapsedMs, retryAfter) {
        const tried = `${attempts} attempt${attempts === 1 ? '' : 's'} in ${(elapsedMs / 1000).toFixed(1)} s`;
        if (!res) {
            const host = new URL(this.collection).host;
            return new src/* ProviderError */.mZ(label, undefined, this.redact(`${failure ?? 'network error'} from ${host} after ${tried}; check SYSTEM_COLLECTIONURI and the network`));
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
        return new src/* ProviderError */.mZ(label, res.status, this.redact(detail));
    }
    #cause(status, api, need) {
        const said = api?.message ? `; Azure DevOps says: ${api.message}` : '';
        const { project, repositoryId } = this.options;
        switch (status) {
            case 401:
                return ('the token was rejected: it is invalid or expired, or the job token is not mapped into the step ' +
                    '(add `env: SYSTEM_ACCESSTOKEN: $(System.AccessToken)` to the step, or pass the `token` input)');
            case 403:
                return (`${this.lacks(PERMISSION[need ?? 'read'])} in project ${project} ` +
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
/**
 * Every item of a `top`/`skip` list, each once (by `idOf`). A server that ignores `skip` would repeat
 * itself: stop rather than loop. `check` sees each page as it comes.
 */
async function allPages(top, page, idOf, check = () => { }) {
    const all = [];
    const seen = new Set();
    for (let skip = 0;;) {
        const items = await page(skip);
        check(items);
        const fresh = items.filter((item) => !seen.has(idOf(item)));
        for (const item of fresh)
            seen.add(idOf(item));
        all.push(...fresh);
        if (items.length < top || fresh.length === 0)
            break;
        skip += items.length;
    }
    return all;
}
/** Do two ids name the same commit (`b` may be abbreviated, at least 7 characters)? */
function sameSha(a, b) {
    if (!a)
        return false;
    const x = a.toLowerCase();
    const y = b.toLowerCase();
    return x === y || (y.length >= 7 && x.startsWith(y));
}
function describeNetworkError(e, timedOut, timeoutMs) {
    if (timedOut)
        return `no answer within ${timeoutMs} ms`;
    const err = e;
    const code = err?.cause?.code ?? err?.cause?.message ?? err?.message ?? String(e);
    return `network error (${code})`;
}

;// CONCATENATED MODULE: ./packages/platform/src/providers/azure/refs.ts
// Tags and branches through `refs` and `annotatedtags`. `POST refs` answers 200 even when an update is
// rejected: each result's `success`/`updateStatus` is checked. Ancestry: `GET diffs/commits` (GA in 7.1)
// with the commit as base and the branch as target; the commit is an ancestor of the branch exactly when
// it is their common commit (merge base). One call, no preview API.


const ZERO_SHA = '0000000000000000000000000000000000000000';
async function createTag(az, port, name, sha, message) {
    const settle = (tag) => {
        if (sameSha(tag.sha, sha))
            return { created: false, tag };
        throw new src/* TagConflictError */.P1(name, tag.sha, sha);
    };
    const existing = await port.getTag(name);
    if (existing)
        return settle(existing);
    try {
        if (message !== undefined) {
            await az.call('POST', 'annotatedtags', {
                body: { name, taggedObject: { objectId: sha }, message },
                apiVersion: PREVIEW_API_VERSION,
                need: 'createTag',
            });
        }
        else {
            await updateRef(az, `refs/tags/${name}`, ZERO_SHA, sha, 'createTag');
        }
    }
    catch (e) {
        // Lost a race, or the tag appeared meanwhile: decide on what is there now.
        if (e instanceof src/* ProviderError */.mZ && (e.status === 400 || e.status === 409)) {
            const now = await port.getTag(name);
            if (now)
                return settle(now);
        }
        throw e;
    }
    return { created: true, tag: { name, sha } };
}
async function getTag(az, name) {
    const refs = await listRefs(az, `tags/${name}`);
    const ref = refs.find((r) => r.name === `refs/tags/${name}`);
    return ref ? { name, sha: ref.peeledObjectId || ref.objectId } : undefined;
}
/** `POST refs` to the zero id; Azure DevOps asks "Force push" of whoever deletes a tag. */
async function deleteTag(az, port, name) {
    const ref = `refs/tags/${name}`;
    const current = (await listRefs(az, `tags/${name}`)).find((r) => r.name === ref);
    if (!current)
        return;
    try {
        await updateRef(az, ref, current.objectId, ZERO_SHA, 'forcePush');
    }
    catch (e) {
        // Someone else deleted it meanwhile: the outcome asked for.
        if (e instanceof src/* ProviderError */.mZ && e.status === 409 && !(await port.getTag(name)))
            return;
        throw e;
    }
}
async function listTags(az, prefix) {
    const refs = await listRefs(az, `tags/${prefix}`);
    return refs
        .filter((r) => r.name.startsWith(`refs/tags/${prefix}`))
        .map((r) => ({ name: r.name.slice(10), sha: r.peeledObjectId || r.objectId }));
}
async function branchSha(az, branch) {
    const refs = await listRefs(az, `heads/${branch}`);
    return refs.find((r) => r.name === `refs/heads/${branch}`)?.objectId;
}
async function isAncestor(az, sha, branch) {
    const { status, data } = await az.call('GET', 'diffs/commits', {
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
/** Moves a ref from `oldObjectId` to `newObjectId` (the zero id creates or deletes it). */
async function updateRef(az, name, oldObjectId, newObjectId, need) {
    const call = 'POST …/refs';
    const { data } = await az.call('POST', 'refs', {
        body: [{ name, oldObjectId, newObjectId }],
        need,
    });
    const result = data.value?.[0];
    if (result?.success)
        return;
    const why = result?.updateStatus ?? 'unknown';
    // The answer is HTTP 200 with the rejection inside; report it with the status it amounts to.
    const status = /permission|forcepush/i.test(why) ? 403 : /stale|conflict|locked/i.test(why) ? 409 : 400;
    const reason = refRejection(az, name, why, newObjectId === ZERO_SHA, result?.customMessage);
    throw new src/* ProviderError */.mZ(call, status, az.redact(reason));
}
/** `GET refs?filter=<prefix>&peelTags=true`, every page (`x-ms-continuationtoken`). The filter is a prefix. */
async function listRefs(az, filter) {
    const refs = [];
    const tokens = new Set();
    let continuationToken;
    do {
        const { data, headers } = await az.call('GET', 'refs', {
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
function refRejection(az, name, updateStatus, deleting, custom) {
    const perm = (p) => `${az.lacks(p)} (Project settings → Repositories → Security)`;
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

;// CONCATENATED MODULE: ./packages/platform/src/providers/azure/files.ts
// Files: one push of several changes, and reading a file at a ref. Pushes build on the ref's `oldObjectId`:
// a new branch is created by pushing with the base commit as `oldObjectId`; `force` first moves the ref
// back to the base (`POST refs`, needs "Force push").



async function commitFiles(az, port, change) {
    const wanted = new Map();
    for (const f of change.files)
        wanted.set(itemPath(f.path), f.content);
    const changes = await changesFrom(az, change.base, wanted);
    if (changes.length === 0)
        return undefined;
    const changedPaths = changes.map((c) => c.item.path);
    const ref = `refs/heads/${change.branch}`;
    const head = await port.branchSha(change.branch);
    if (head && !sameSha(head, change.base)) {
        // The branch may already be base + these files (an earlier run): nothing to do, force or not.
        if (await holdsExactly(az, head, change.base, wanted, changedPaths))
            return undefined;
        if (change.force)
            await updateRef(az, ref, head, change.base, 'forcePush');
    }
    const { data } = await az.call('POST', 'pushes', {
        body: {
            refUpdates: [{ name: ref, oldObjectId: change.base }],
            commits: [{ comment: change.message, changes }],
        },
        need: head ? 'contribute' : 'createBranch',
    });
    const sha = data.commits?.at(-1)?.commitId ?? data.refUpdates?.[0]?.newObjectId;
    if (!sha)
        throw new src/* ProviderError */.mZ('POST …/pushes', undefined, 'the push was accepted but named no commit');
    return sha;
}
async function readFile(az, path, ref) {
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
        const item = await readItem(az, p, t.version, t.type);
        if (item.kind === 'file')
            return item.content;
        if (item.kind === 'missing')
            return undefined;
    }
    throw new src/* ProviderError */.mZ('GET …/items', 404, `${ref} is no branch, tag or commit of the repository`);
}
/** The push's changes: an add, edit or delete per path whose content at `base` differs from the wanted one. */
async function changesFrom(az, base, wanted) {
    const changes = [];
    for (const [path, content] of wanted) {
        const current = await readItem(az, path, base, 'commit');
        if (current.kind === 'unresolvable') {
            throw new src/* ProviderError */.mZ('GET …/items', 404, `the base commit ${base} is not in the repository`);
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
    return changes;
}
/**
 * Is `head` the tree of `base` with exactly `wanted` applied? `GET diffs/commits` (base against head, not
 * against their merge base) must list exactly the changed paths, and each must have the wanted content.
 */
async function holdsExactly(az, head, base, wanted, changedPaths) {
    // Folders are listed among the changes too, and count towards `$top`: read pages until the files are known.
    const paths = [];
    const top = 100;
    for (let skip = 0;; skip += top) {
        const { status, data } = await az.call('GET', 'diffs/commits', {
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
        const atHead = await readItem(az, path, head, 'commit');
        const content = wanted.get(path);
        const same = content === null ? atHead.kind !== 'file' : atHead.kind === 'file' && atHead.content === content;
        if (!same)
            return false;
    }
    return true;
}
async function readItem(az, path, version, type) {
    const { status, data } = await az.call('GET', 'items', {
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
        const unresolvable = /unresolvable/i.test(data.typeKey ?? '') || /TF401175|could not be resolved/i.test(data.message ?? '');
        return unresolvable ? { kind: 'unresolvable' } : { kind: 'missing' };
    }
    if ((data.gitObjectType ?? 'blob').toLowerCase() !== 'blob')
        return { kind: 'missing' };
    return { kind: 'file', content: data.content ?? '' };
}
/** Repository paths as the API wants them: `/dir/file`. */
function itemPath(path) {
    return `/${path
        .replace(/\\/g, '/')
        .replace(/^(\.\/)+/, '')
        .replace(/^\/+/, '')}`;
}

;// CONCATENATED MODULE: ./packages/platform/src/providers/azure/pulls.ts
// Pull requests, auto-complete and comments. Auto-complete (`setAutoMerge`) sets `autoCompleteSetBy` to the
// token's own identity (`GET {collection}_apis/connectionData`); turning it off sets the empty GUID.
// Comments are pull request threads; the thread whose first comment carries the marker is updated in place.
// New threads carry no status, so they never block a "comment resolution" branch policy.



const EMPTY_GUID = '00000000-0000-0000-0000-000000000000';
/** Azure DevOps refuses pull request descriptions longer than this. */
const MAX_DESCRIPTION = 4000;
async function findPullRequests(az, query) {
    const state = query.state ?? 'open';
    const top = az.pageSize;
    const found = await allPages(top, async (skip) => {
        const { data } = await az.call('GET', 'pullrequests', {
            query: {
                'searchCriteria.sourceRefName': query.head ? `refs/heads/${query.head}` : undefined,
                'searchCriteria.targetRefName': query.base ? `refs/heads/${query.base}` : undefined,
                'searchCriteria.status': state === 'open' ? 'active' : 'all',
                $top: top,
                $skip: skip,
            },
            need: 'read',
        });
        return data.value ?? [];
    }, (p) => p.pullRequestId);
    const prs = found.map((p) => toPullRequest(az, p));
    return state === 'closed' ? prs.filter((p) => p.state !== 'open') : prs;
}
async function pullRequestForMergeCommit(az, port, sha) {
    const { data } = await az.call('POST', 'pullrequestquery', {
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
    return port.getPullRequest(merged.pullRequestId);
}
async function getPullRequest(az, number) {
    const { data } = await az.call('GET', `pullrequests/${number}`, { need: 'read' });
    return toPullRequest(az, data);
}
async function createPullRequest(az, pr) {
    checkDescription('POST …/pullrequests', pr.body);
    const { data } = await az.call('POST', 'pullrequests', {
        body: {
            sourceRefName: `refs/heads/${pr.head}`,
            targetRefName: `refs/heads/${pr.base}`,
            title: pr.title,
            description: pr.body,
        },
        need: 'pullRequests',
    });
    return toPullRequest(az, data);
}
async function updatePullRequest(az, port, number, change) {
    const body = {};
    if (change.title !== undefined)
        body.title = change.title;
    if (change.body !== undefined) {
        checkDescription(`PATCH …/pullrequests/${number}`, change.body);
        body.description = change.body;
    }
    if (Object.keys(body).length === 0)
        return port.getPullRequest(number);
    const { data } = await az.call('PATCH', `pullrequests/${number}`, {
        body,
        need: 'pullRequests',
    });
    return toPullRequest(az, data);
}
async function setAutoMerge(az, number, enabled) {
    const body = enabled
        ? {
            autoCompleteSetBy: { id: await identityId(az) },
            completionOptions: az.options.completionOptions ?? { deleteSourceBranch: true },
        }
        : { autoCompleteSetBy: { id: EMPTY_GUID } };
    await az.call('PATCH', `pullrequests/${number}`, { body, need: 'pullRequests' });
}
async function upsertComment(az, number, marker, body) {
    const { data } = await az.call('GET', `pullRequests/${number}/threads`, {
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
            await az.call('PATCH', `pullRequests/${number}/threads/${thread.id}/comments/${first.id}`, {
                body: { content: body },
                need: 'pullRequests',
            });
        }
        return { id: String(thread.id), created: false };
    }
    const { data: created } = await az.call('POST', `pullRequests/${number}/threads`, {
        body: { comments: [{ parentCommentId: 0, content: body, commentType: 'text' }] },
        need: 'pullRequests',
    });
    return { id: String(created.id), created: true };
}
function checkDescription(call, body) {
    if (body.length > MAX_DESCRIPTION) {
        throw new src/* ProviderError */.mZ(call, undefined, `the pull request description has ${body.length} characters; Azure DevOps accepts at most ${MAX_DESCRIPTION}`);
    }
}
function identityId(az) {
    az.identity ??= az
        .call('GET', '_apis/connectionData', {
        scope: 'collection',
        apiVersion: null,
        need: 'read',
    })
        .then(({ data }) => {
        const id = data.authenticatedUser?.id;
        if (!id || id === EMPTY_GUID) {
            throw new src/* ProviderError */.mZ('GET _apis/connectionData', undefined, 'the token has no identity to set auto-complete with (anonymous connection)');
        }
        return id;
    });
    az.identity.catch(() => {
        az.identity = undefined;
    });
    return az.identity;
}
function toPullRequest(az, p) {
    if (!Number.isSafeInteger(p?.pullRequestId) || typeof p.sourceRefName !== 'string') {
        throw (0,answers/* malformedAnswer */.e)(az.lastCall ?? 'Azure DevOps', 'Azure DevOps', 'a pull request without its id or source branch', 'SYSTEM_COLLECTIONURI');
    }
    const status = (p.status ?? '').toLowerCase();
    const state = status === 'completed' ? 'merged' : status === 'abandoned' ? 'closed' : 'open';
    const project = p.repository?.project?.name ?? az.options.project;
    const repo = p.repository?.name ?? az.options.repositoryId;
    const autoBy = p.autoCompleteSetBy?.id;
    const pr = {
        number: p.pullRequestId,
        url: `${az.collection}${enc(project)}/_git/${enc(repo)}/pullrequest/${p.pullRequestId}`,
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
function shortBranch(ref) {
    if (!ref)
        return '';
    return ref.startsWith('refs/heads/') ? ref.slice(11) : ref;
}
function firstComment(thread) {
    const comments = [...(thread.comments ?? [])].sort((a, b) => a.id - b.id);
    return comments.find((c) => !c.parentCommentId) ?? comments[0];
}
function isSystem(c) {
    return c.commentType === 'system' || c.commentType === 3;
}

;// CONCATENATED MODULE: ./packages/platform/src/providers/azure/statuses.ts


const TO_AZURE_STATE = {
    success: 'succeeded',
    failure: 'failed',
    error: 'error',
    pending: 'pending',
};
/** `GET commits/{sha}/statuses?top=&skip=` (the documented names carry no `$`), all pages; the newest per context. */
async function listStatuses(az, sha) {
    const top = az.pageSize;
    const all = await allPages(top, async (skip) => {
        const { data } = await az.call('GET', `commits/${enc(sha)}/statuses`, {
            query: { top, skip },
            need: 'read',
        });
        return data.value ?? [];
    }, 
    // A status without an id is never taken for one already read.
    (s) => s.id ?? Symbol(), (page) => {
        if (page.some((s) => typeof s?.context?.name !== 'string' || typeof s.state !== 'string'))
            throw (0,answers/* malformedAnswer */.e)(`GET …/commits/${sha}/statuses`, 'Azure DevOps', 'a status without a context name or a state', 'SYSTEM_COLLECTIONURI');
    });
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
async function setStatus(az, sha, status) {
    const { genre, name } = splitContext(status.context);
    await az.call('POST', `commits/${enc(sha)}/statuses`, {
        body: {
            state: TO_AZURE_STATE[status.state],
            description: status.description,
            context: genre === undefined ? { name } : { genre, name },
            ...(status.targetUrl ? { targetUrl: status.targetUrl } : {}),
        },
        need: 'contribute',
    });
}
/** `gitops-promote/ops` → genre `gitops-promote`, name `ops`; a context without `/` is a name alone. */
function splitContext(context) {
    const i = context.indexOf('/');
    if (i < 0)
        return { name: context };
    return { genre: context.slice(0, i), name: context.slice(i + 1) };
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

;// CONCATENATED MODULE: ./packages/platform/src/providers/azure/index.ts







class AzureDevOpsProvider {
    kind = 'azure';
    #az;
    constructor(options) {
        const az = new AzureClient(options);
        this.#az = az;
        (0,answers/* guardAnswers */.f)(this, 'Azure DevOps', () => az.lastCall);
    }
    listStatuses(sha) {
        return listStatuses(this.#az, sha);
    }
    setStatus(sha, status) {
        return setStatus(this.#az, sha, status);
    }
    createTag(name, sha, message) {
        return createTag(this.#az, this, name, sha, message);
    }
    getTag(name) {
        return getTag(this.#az, name);
    }
    deleteTag(name) {
        return deleteTag(this.#az, this, name);
    }
    listTags(prefix) {
        return listTags(this.#az, prefix);
    }
    branchSha(branch) {
        return branchSha(this.#az, branch);
    }
    isAncestor(sha, branch) {
        return isAncestor(this.#az, sha, branch);
    }
    findPullRequests(query) {
        return findPullRequests(this.#az, query);
    }
    pullRequestForMergeCommit(sha) {
        return pullRequestForMergeCommit(this.#az, this, sha);
    }
    getPullRequest(number) {
        return getPullRequest(this.#az, number);
    }
    createPullRequest(pr) {
        return createPullRequest(this.#az, pr);
    }
    updatePullRequest(number, change) {
        return updatePullRequest(this.#az, this, number, change);
    }
    setAutoMerge(number, enabled) {
        return setAutoMerge(this.#az, number, enabled);
    }
    upsertComment(number, marker, body) {
        return upsertComment(this.#az, number, marker, body);
    }
    commitFiles(change) {
        return commitFiles(this.#az, this, change);
    }
    readFile(path, ref) {
        return readFile(this.#az, path, ref);
    }
}


/***/ }),

/***/ 7671:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   e: () => (/* binding */ malformedAnswer),
/* harmony export */   f: () => (/* binding */ guardAnswers)
/* harmony export */ });
/* harmony import */ var _gitops_promote_core__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(7992);

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
                throw malformedAnswer(lastCall() ?? name, host, `without a field ${name} needs (${e.message})`);
            }
        };
    }
}
/** An answer that lacks what the call reads: untrusted data, said as such. */
function malformedAnswer(call, host, what, url = 'the API URL') {
    return new _gitops_promote_core__WEBPACK_IMPORTED_MODULE_0__/* .ProviderError */ .mZ(call, undefined, `${host} answered ${what}; check that ${url} points at ${host} and no proxy answers in its place`);
}


/***/ }),

/***/ 6502:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   C3: () => (/* binding */ retryAfterSeconds),
/* harmony export */   E$: () => (/* binding */ redact),
/* harmony export */   jo: () => (/* binding */ backoffMs),
/* harmony export */   ju: () => (/* binding */ retryTiming)
/* harmony export */ });
/** The retry arithmetic both HTTP clients share; each keeps its own jitter and wording. */
function retryTiming(given) {
    return {
        baseDelayMs: given.baseDelayMs ?? 1000,
        maxDelayMs: given.maxDelayMs ?? 30_000,
        retryAfterUnitMs: given.retryAfterUnitMs ?? 1000,
        timeoutMs: given.timeoutMs ?? 30_000,
        totalMs: given.totalMs ?? 120_000,
    };
}
/** Exponential backoff before jitter: attempt n waits `base × 2^(n-1)`, at most `max`. */
function backoffMs(attempt, timing) {
    return Math.min(timing.maxDelayMs, timing.baseDelayMs * 2 ** (attempt - 1));
}
/** A `retry-after` header in seconds (a number of seconds or an HTTP date), or undefined. */
function retryAfterSeconds(value) {
    if (value === undefined || value === null || value === '')
        return undefined;
    const secs = Number(value);
    if (Number.isFinite(secs))
        return Math.max(0, secs);
    const date = Date.parse(String(value));
    return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now()) / 1000;
}
/** Hides each secret (those under 4 characters would hide ordinary text) in a message or log line. */
function redact(text, secrets) {
    let out = text;
    for (const s of secrets)
        if (s.length >= 4)
            out = out.split(s).join('***');
    return out;
}


/***/ })

};
