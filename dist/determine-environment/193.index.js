export const id = 193;
export const ids = [193];
export const modules = {

/***/ 6314:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   Wb: () => (/* binding */ neutraliseGitHubCommands),
/* harmony export */   Wr: () => (/* binding */ credentialsIn),
/* harmony export */   Yr: () => (/* binding */ TOKEN_VARIABLES),
/* harmony export */   ms: () => (/* binding */ CREDENTIAL_INPUTS),
/* harmony export */   pH: () => (/* binding */ SECRET_INPUTS),
/* harmony export */   rE: () => (/* binding */ SecretSet),
/* harmony export */   u: () => (/* binding */ neutraliseAzureCommands)
/* harmony export */ });
/* unused harmony export maskSecrets */
/**
 * Log lines are parsed by the platforms for commands (`::set-env::` on GitHub, `##vso[` on Azure DevOps).
 * Text that comes from refs, files or APIs is data: it must never start a command.
 */
function neutraliseGitHubCommands(text) {
    return text.replace(/^(\s*)::/gm, '$1:\u200b:');
}
function neutraliseAzureCommands(text) {
    return text.replace(/##(vso)?\[/g, '#\u200b#$1[');
}
/** Inputs that are credentials as a whole: registered as secrets before anything is logged. */
const SECRET_INPUTS = ['token', 'workflow-token'];
/**
 * Inputs that may hold credentials inside (backend access keys, a URL with user-info, `--set password=…`):
 * read without any echo of their value; their credential parts are registered as secrets.
 */
const CREDENTIAL_INPUTS = ['backend-config', 'init-args', 'target-repository', 'command'];
/** Environment variables a provider falls back to when the token input is empty. */
const TOKEN_VARIABLES = ['GITHUB_TOKEN', 'SYSTEM_ACCESSTOKEN'];
const CREDENTIAL_KEY = /secret|token|password|passwd|pwd|credential|access_?key|private_?key|encryption_?key|api_?key|sas|conn_?str|client_?certificate/i;
/**
 * The credential parts of an input: values of `key=value` words whose key names a credential
 * (`access_key=…`, `-backend-config=sas_token=…`), and the user-info of URLs (`https://user:token@host`).
 * Booleans are left out: masking every `true` would ruin the log and hide nothing.
 */
function credentialsIn(text) {
    const found = new Set();
    for (const m of text.matchAll(/[a-z][\w+.-]*:\/\/([^/@\s]+)@/gi)) {
        const info = m[1];
        const colon = info.indexOf(':');
        found.add(colon >= 0 ? info.slice(colon + 1) : info);
    }
    for (const word of text.split(/\s+/)) {
        const parts = word.split('=');
        for (let i = 0; i < parts.length - 1; i++) {
            if (!CREDENTIAL_KEY.test(parts[i]))
                continue;
            found.add(parts
                .slice(i + 1)
                .join('=')
                .replace(/^(["'])(.*)\1$/, '$2'));
            break;
        }
    }
    return [...found].filter((v) => v !== '' && !/^(true|false)$/i.test(v));
}
/** Files (job summaries, uploaded summaries) are not masked by the platforms: hide the secrets in them. */
function maskSecrets(text, secrets) {
    let t = text;
    for (const s of [...secrets].sort((a, b) => b.length - a.length))
        if (s)
            t = t.split(s).join('***');
    return t;
}
/** The secrets a runtime was told about: each kept once, all hidden in text that leaves the log. */
class SecretSet {
    #values = new Set();
    /** Keeps `value`; true when it is new (and not empty), so the platform is to be told of it. */
    add(value) {
        if (!value || this.#values.has(value))
            return false;
        this.#values.add(value);
        return true;
    }
    mask(text) {
        return maskSecrets(text, this.#values);
    }
}


/***/ }),

/***/ 193:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  GitHubProvider: () => (/* binding */ GitHubProvider)
});

// EXTERNAL MODULE: ./packages/platform/src/providers/shared/answers.ts
var answers = __webpack_require__(7671);
// EXTERNAL MODULE: ./packages/core/src/index.ts + 68 modules
var src = __webpack_require__(3216);
// EXTERNAL MODULE: ./packages/platform/src/log-safety.ts
var log_safety = __webpack_require__(6314);
// EXTERNAL MODULE: ./packages/platform/src/providers/shared/retry.ts
var retry = __webpack_require__(6502);
;// CONCATENATED MODULE: ./packages/platform/src/providers/github/octokit.ts
/**
 * The Octokit client and its HTTP policy: a timeout per request, retries with backoff for 5xx, 429,
 * network errors and timeouts (honouring `retry-after`), rate limits waited out by the throttling plugin,
 * a time budget per call, and unpaced writes unless asked (SPEC §6). Octokit is loaded on the first call.
 */

/** Thrown by the fetch wrapper when a request or the whole call runs out of time. */
class TimeoutError extends Error {
    name = 'TimeoutError';
}
/** Every 4xx/5xx: the retry plugin runs the retries, but this module's policy hook decides which and when. */
const ALL_ERROR_STATUSES = Array.from({ length: 200 }, (_, i) => 400 + i);
async function loadOctokit(settings) {
    const [{ getOctokit }, { retry }, { throttling }, utils] = await Promise.all([
        Promise.all(/* import() */[__webpack_require__.e(119), __webpack_require__.e(555), __webpack_require__.e(351)]).then(__webpack_require__.bind(__webpack_require__, 1351)),
        Promise.all(/* import() */[__webpack_require__.e(251), __webpack_require__.e(735)]).then(__webpack_require__.bind(__webpack_require__, 9735)),
        Promise.all(/* import() */[__webpack_require__.e(251), __webpack_require__.e(856)]).then(__webpack_require__.bind(__webpack_require__, 6856)),
        Promise.all(/* import() */[__webpack_require__.e(119), __webpack_require__.e(555)]).then(__webpack_require__.bind(__webpack_require__, 5555)),
    ]);
    const cfg = settings.retry;
    const callName = namer(settings.apiUrl);
    // The proxy-aware fetch @actions/github sets up (HTTPS_PROXY, NO_PROXY), or the global one.
    const defaults = utils.defaults;
    const baseFetch = defaults?.request?.fetch ?? globalThis.fetch;
    const log = {
        debug: () => { },
        info: () => { },
        warn: (m) => settings.log(`warning: ${m}`),
        error: (m) => settings.log(`error: ${m}`),
    };
    const onLimit = limitHandler(cfg, settings.log, callName);
    const octokit = getOctokit(settings.token, {
        baseUrl: settings.apiUrl,
        userAgent: 'gitops-promote',
        log,
        request: { fetch: timed(baseFetch, cfg), log },
        retry: { doNotRetry: ALL_ERROR_STATUSES, retryAfterBaseValue: 1 },
        throttle: {
            onRateLimit: onLimit('rate limit exhausted'),
            onSecondaryRateLimit: onLimit('secondary rate limit'),
            retryAfterBaseValue: cfg.retryAfterUnitMs,
            write: spacing(settings.writeIntervalMs),
            notifications: spacing(settings.writeIntervalMs * 3),
        },
    }, 
    // Order matters: the policy's error hook must sit inside the retry plugin.
    retryPolicy(cfg, settings.log, callName), retry, throttling);
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
/** How a request is named in log lines: `GET /repos/…`, relative to the API root. */
function namer(apiUrl) {
    const apiPath = pathOf(apiUrl);
    return (options) => {
        let path = options.url;
        try {
            path = new URL(options.url, `${apiUrl}/`).pathname;
        }
        catch { }
        if (apiPath && path.startsWith(apiPath))
            path = path.slice(apiPath.length);
        return `${options.method} ${path}`;
    };
}
/** `fetch` with a timeout per attempt, inside the call's time budget (the signal Octokit passes on). */
function timed(baseFetch, cfg) {
    return async (url, init = {}) => {
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
        }
        catch (e) {
            if (budget?.aborted)
                throw new TimeoutError(`gave up after ${seconds(cfg.totalMs)} (the time budget of one call)`);
            if (timeout.aborted)
                throw new TimeoutError(`no answer within ${seconds(cfg.timeoutMs)}`);
            throw e;
        }
    };
}
/** The retry policy: runs inside the retry plugin, which waits and re-sends as told. */
function retryPolicy(cfg, log, callName) {
    return (octokit) => {
        octokit.hook.error('request', (error, options) => {
            const err = error;
            const control = options.request;
            control.attempts = (control.attempts ?? 0) + 1;
            if (!err || typeof err !== 'object' || !err.request)
                throw error;
            err.attempts = control.attempts;
            const status = err.response?.status;
            const headers = err.response?.headers ?? {};
            const transient = !err.response || (status !== undefined && (status >= 500 || (status === 429 && !throttled(err))));
            if (transient && control.attempts <= cfg.retries) {
                const hinted = (0,retry/* retryAfterSeconds */.C3)(headers['retry-after']);
                const backoff = (0,retry/* backoffMs */.jo)(control.attempts, cfg);
                const delay = Math.round(hinted !== undefined ? hinted * cfg.retryAfterUnitMs : backoff * (0.8 + Math.random() * 0.4));
                if (Date.now() + delay < (control.deadline ?? Number.POSITIVE_INFINITY)) {
                    const why = err.response ? `HTTP ${status}` : err.message;
                    log(`${callName(options)}: ${why}; retrying in ${seconds(delay)} (attempt ${control.attempts + 1} of ${cfg.retries + 1})`);
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
function limitHandler(cfg, log, callName) {
    return (kind) => (retryAfter, options, _octokit, retryCount) => {
        const o = options;
        const delay = retryAfter * cfg.retryAfterUnitMs;
        if (retryCount < cfg.retries &&
            Date.now() + delay < (o.request?.deadline ?? Number.POSITIVE_INFINITY)) {
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
function spacing(intervalMs) {
    let next = 0;
    const limiter = {
        async schedule(...args) {
            const [fn, ...rest] = (typeof args[0] === 'function' ? args : args.slice(1));
            const now = Date.now();
            const start = Math.max(now, next);
            next = start + intervalMs;
            if (start > now)
                await new Promise((resolve) => setTimeout(resolve, start - now));
            return fn(...rest);
        },
    };
    return { key: () => limiter };
}
/** Does the throttling plugin take this error (GitHub's wording of a primary or secondary rate limit)? */
function throttled(err) {
    const headers = err.response?.headers ?? {};
    return ((err.status === 403 || err.status === 429) &&
        (/\bsecondary rate\b/i.test(err.message) || String(headers['x-ratelimit-remaining']) === '0'));
}
function pathOf(url) {
    try {
        return new URL(url).pathname.replace(/\/+$/, '');
    }
    catch {
        return '';
    }
}
function seconds(ms) {
    return ms >= 1000 ? `${Number((ms / 1000).toFixed(1))} s` : `${Math.round(ms)} ms`;
}

;// CONCATENATED MODULE: ./packages/platform/src/providers/github/client.ts
/**
 * GitHub's REST and GraphQL calls for one repository: a call that fails for good throws one ProviderError
 * naming the call, the HTTP status and the likely cause (with the permission the token lacks); the token
 * never appears in a message or a log line.
 */





/** The repository permission each kind of call needs (fine-grained token / `permissions:` names). */
const PERMISSION = {
    metadata: 'metadata:read',
    readStatuses: 'statuses:read',
    writeStatuses: 'statuses:write',
    readChecks: 'checks:read',
    readContents: 'contents:read',
    writeContents: 'contents:write',
    readPulls: 'pull-requests:read',
    writePulls: 'pull-requests:write',
};
class GitHubClient {
    apiUrl;
    serverUrl;
    graphqlUrl;
    owner;
    name;
    /** `/repos/<owner>/<name>`, the root of every repository call. */
    base;
    /** Where notices go, free of the token. */
    log;
    /** The call whose answer is being read, for the message when that answer lacks a field. */
    lastCall;
    #token;
    #retry;
    #writeIntervalMs;
    #octokit;
    #repository;
    constructor(options) {
        const env = options.env ?? process.env;
        const token = (options.token ?? '').trim();
        if (!token) {
            throw new src/* GitopsError */.$n('no GitHub token: pass the `token` input (it defaults to github.token; the job needs the permissions the step uses)');
        }
        const m = /^([A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)\/([A-Za-z0-9._-]+)$/.exec(options.repository ?? '');
        if (!m) {
            throw new src/* GitopsError */.$n(`GitHub repository ${JSON.stringify(options.repository ?? '')} is not valid; expected owner/name (GITHUB_REPOSITORY)`);
        }
        this.#token = token;
        this.owner = m[1];
        this.name = m[2];
        this.base = `/repos/${encodeURIComponent(this.owner)}/${encodeURIComponent(this.name)}`;
        this.apiUrl = trimSlash(options.apiUrl || env.GITHUB_API_URL || 'https://api.github.com');
        this.serverUrl = trimSlash(options.serverUrl || env.GITHUB_SERVER_URL || 'https://github.com');
        this.graphqlUrl = trimSlash(options.graphqlUrl ||
            (!options.apiUrl && env.GITHUB_GRAPHQL_URL) ||
            (/\/api\/v3$/.test(this.apiUrl)
                ? this.apiUrl.replace(/\/api\/v3$/, '/api/graphql')
                : `${this.apiUrl}/graphql`));
        const r = options.retry ?? {};
        this.#retry = { retries: r.retries ?? 4, ...(0,retry/* retryTiming */.ju)(r) };
        this.#writeIntervalMs = options.writeIntervalMs ?? 0;
        // Log lines may quote the API (untrusted): the default sink keeps them from starting a workflow command.
        const sink = options.log ??
            ((line) => process.stderr.write(`${(0,log_safety/* neutraliseGitHubCommands */.Wb)((0,log_safety/* neutraliseAzureCommands */.u)(line))}\n`));
        this.log = (line) => sink(this.redact(line));
    }
    /**
     * One REST call. `notFound: 'absent'` turns a 404 into undefined, once the repository itself is known to
     * be visible (GitHub answers 404 alike for a missing object and a repository the token cannot see).
     */
    async call(method, path, permission, params, opts = {}) {
        const octokit = await this.#client();
        const call = `${method} ${path}`;
        this.lastCall = call;
        try {
            return (await octokit.request(`${method} ${path}`, params)).data;
        }
        catch (e) {
            return (await this.#failed(call, e, permission, opts.notFound));
        }
    }
    /** Every page of a list (`per_page=100`, following the `Link` header). */
    async all(path, permission, params = {}, opts = {}) {
        const octokit = await this.#client();
        const items = [];
        this.lastCall = `GET ${path}`;
        try {
            for await (const page of octokit.paginate.iterator(`GET ${path}`, { per_page: 100, ...params })) {
                if (!Array.isArray(page.data))
                    throw malformed(`GET ${path}`, 'something other than a list');
                items.push(...page.data);
            }
            return items;
        }
        catch (e) {
            return this.#failed(`GET ${path}`, e, permission, opts.notFound);
        }
    }
    /** Reads the repository once; a 404 here is the "repository not found" error, said once and clearly. */
    repositoryInfo() {
        this.#repository ??= (async () => {
            const octokit = await this.#client();
            try {
                return (await octokit.request(`GET ${this.base}`)).data;
            }
            catch (e) {
                throw this.#error(`GET ${this.base}`, e, PERMISSION.metadata);
            }
        })();
        // A failure is not remembered: the next call asks again.
        this.#repository.catch(() => {
            this.#repository = undefined;
        });
        return this.#repository;
    }
    async graphql(call, query, variables) {
        const octokit = await this.#client();
        this.lastCall = call;
        let answer;
        try {
            answer = (await octokit.request(`POST ${this.graphqlUrl}`, { query, variables })).data;
        }
        catch (e) {
            throw this.#error(call, e, 'pull-requests:write and contents:write');
        }
        const error = answer.errors?.[0];
        if (error) {
            const said = error.message ?? 'unknown error';
            let hint = '';
            if (/auto.?merge is not allowed/i.test(said)) {
                hint = '; enable "Allow auto-merge" in the repository settings (Settings → General → Pull Requests)';
            }
            else if (/clean status/i.test(said)) {
                hint =
                    '; the pull request can be merged right now (no required check or review is pending), so GitHub does not queue auto-merge: protect the base branch with required status checks';
            }
            else if (error.type === 'FORBIDDEN') {
                hint = '; the token lacks permission pull-requests:write and contents:write';
            }
            throw new src/* ProviderError */.mZ(call, undefined, this.redact(`GitHub refused: ${quoteMessage(said)}${hint}`));
        }
        return answer.data;
    }
    redact(text) {
        return (0,retry/* redact */.E$)(text, [this.#token]);
    }
    async #failed(call, e, permission, notFound) {
        const status = e.response ? e.status : undefined;
        if (status === 404 && notFound) {
            await this.repositoryInfo();
            if (notFound === 'absent')
                return undefined;
            throw new src/* ProviderError */.mZ(call, 404, this.redact(notFound));
        }
        throw this.#error(call, e, permission);
    }
    /** Turns whatever Octokit threw into one ProviderError naming the call, the status and the likely cause. */
    #error(call, e, permission) {
        if (e instanceof src/* GitopsError */.$n)
            return e;
        const err = e;
        const attempts = err.attempts ?? 1;
        const tries = attempts > 1 ? ` (${attempts} attempts)` : '';
        const response = err.response;
        if (!response) {
            const why = err.message || String(e);
            return new src/* ProviderError */.mZ(call, undefined, this.redact(`no answer from ${this.apiUrl}: ${why}${tries}; check the API URL (GITHUB_API_URL) and the network`));
        }
        const status = response.status;
        const said = apiMessage(response.data);
        const quoted = said ? ` (GitHub: ${quoteMessage(said)})` : '';
        let detail;
        if (isRateLimited(status, response.headers, said)) {
            const reset = Number(response.headers['x-ratelimit-reset']);
            const until = reset > 0 ? `; the limit resets at ${new Date(reset * 1000).toISOString()}` : '';
            detail = `rate limited by GitHub${tries}; stopped waiting (the retries or the ${seconds(this.#retry.totalMs)} budget of one call are used up)${until}${quoted}`;
        }
        else if (status === 401) {
            detail = `the token was refused: it is invalid or has expired${quoted}`;
        }
        else if (status === 403) {
            detail = lacksPermission(permission, quoted);
        }
        else if (status === 404) {
            detail = `repository ${this.owner}/${this.name} not found, or the token cannot see it${quoted}`;
        }
        else if (status === 422) {
            detail = `GitHub refused the request: ${said || 'Unprocessable Entity'}`;
        }
        else if (status >= 500) {
            detail = `GitHub had a server error${tries}; try again later${quoted}`;
        }
        else {
            detail = said || `HTTP ${status}`;
        }
        return new src/* ProviderError */.mZ(call, status, this.redact(detail));
    }
    #client() {
        this.#octokit ??= loadOctokit({
            token: this.#token,
            apiUrl: this.apiUrl,
            retry: this.#retry,
            writeIntervalMs: this.#writeIntervalMs,
            log: this.log,
        });
        return this.#octokit;
    }
}
/** An answer that lacks what the call reads: untrusted data, said as such. */
function malformed(call, what) {
    return (0,answers/* malformedAnswer */.e)(call, 'GitHub', what);
}
/** Each path segment percent-encoded; `/` kept as the separator. */
function seg(value) {
    return value.split('/').map(encodeURIComponent).join('/');
}
function lacksPermission(permission, quoted) {
    const [scope, level] = permission.split(':');
    const workflow = permission.includes(' and ')
        ? 'permissions: { pull-requests: write, contents: write }'
        : `permissions: { ${scope}: ${level} }`;
    return `the token lacks permission ${permission} (in a workflow: \`${workflow}\`)${quoted}`;
}
function isRateLimited(status, headers, said) {
    return (status === 429 ||
        (status === 403 && (/rate limit/i.test(said) || String(headers['x-ratelimit-remaining']) === '0')));
}
/** GitHub's error text: the message and, for validation errors, what each error says. */
function apiMessage(data) {
    // An HTML error page (GitHub's 502/504) says nothing the status does not.
    if (typeof data === 'string')
        return /^\s*</.test(data) ? '' : data.trim().slice(0, 300);
    if (!data || typeof data !== 'object')
        return '';
    const d = data;
    const message = typeof d.message === 'string' ? d.message : '';
    const details = Array.isArray(d.errors)
        ? d.errors
            .map((x) => {
            if (typeof x === 'string')
                return x;
            const e = x;
            return e.message ?? [e.resource, e.field, e.code].filter(Boolean).join(' ');
        })
            .filter(Boolean)
        : [];
    return [message, ...details].filter(Boolean).join(': ');
}
function quoteMessage(text) {
    return JSON.stringify(text);
}
function trimSlash(url) {
    return url.replace(/\/+$/, '');
}

;// CONCATENATED MODULE: ./packages/platform/src/providers/github/refs.ts
// Tags and branches through the git refs API; annotated tags are peeled to their commit.


async function createTag(gh, port, name, sha, message) {
    const wanted = { name, sha };
    let target = sha;
    if (message !== undefined) {
        // An annotated tag is two writes; look first so a re-run leaves no stray tag object behind.
        const existing = await port.getTag(name);
        if (existing)
            return settle(existing, wanted);
        const tag = await gh.call('POST', `${gh.base}/git/tags`, PERMISSION.writeContents, {
            tag: name,
            message: message.endsWith('\n') ? message : `${message}\n`,
            object: sha,
            type: 'commit',
        });
        target = tag.sha;
    }
    try {
        await gh.call('POST', `${gh.base}/git/refs`, PERMISSION.writeContents, {
            ref: `refs/tags/${name}`,
            sha: target,
        });
        return { created: true, tag: wanted };
    }
    catch (e) {
        if (!(e instanceof src/* ProviderError */.mZ && e.status === 422 && /already exists/i.test(e.message)))
            throw e;
        const existing = await port.getTag(name);
        if (!existing)
            throw e;
        return settle(existing, wanted);
    }
}
async function getTag(gh, name) {
    const ref = await exactRef(gh, `tags/${name}`);
    if (!ref)
        return undefined;
    return { name, sha: await peel(gh, ref.object) };
}
async function deleteTag(gh, name) {
    try {
        await gh.call('DELETE', `${gh.base}/git/refs/${seg(`tags/${name}`)}`, PERMISSION.writeContents, undefined, { notFound: 'absent' });
    }
    catch (e) {
        // GitHub answers 422 "Reference does not exist" for a tag that is not there: already done.
        if (e instanceof src/* ProviderError */.mZ && e.status === 422 && /does not exist/i.test(e.message))
            return;
        throw e;
    }
}
async function listTags(gh, prefix) {
    const path = `${gh.base}/git/matching-refs/tags/${seg(prefix)}`;
    const refs = (await gh.all(path, PERMISSION.readContents, {}, { notFound: 'absent' })) ?? [];
    const tags = [];
    for (const ref of refs) {
        if (!ref.ref.startsWith(`refs/tags/${prefix}`))
            continue;
        tags.push({ name: ref.ref.slice('refs/tags/'.length), sha: await peel(gh, ref.object) });
    }
    return tags;
}
async function branchSha(gh, branch) {
    return (await exactRef(gh, `heads/${branch}`))?.object.sha;
}
async function isAncestor(gh, sha, branch) {
    // base = branch, head = sha: "behind" means the branch has every commit of sha (sha is reachable).
    const path = `${gh.base}/compare/${seg(branch)}...${seg(sha)}`;
    const comparison = await gh.call('GET', path, PERMISSION.readContents, { per_page: 1 }, { notFound: 'absent' });
    return comparison?.status === 'identical' || comparison?.status === 'behind';
}
/** Points `branch` at `sha`: creates it, or moves it (fast-forward unless forced); either may race. */
async function moveBranch(gh, branch, sha, exists, force) {
    const update = () => gh.call('PATCH', `${gh.base}/git/refs/${seg(`heads/${branch}`)}`, PERMISSION.writeContents, {
        sha,
        force,
    });
    const create = () => gh.call('POST', `${gh.base}/git/refs`, PERMISSION.writeContents, {
        ref: `refs/heads/${branch}`,
        sha,
    });
    if (exists) {
        try {
            await update();
        }
        catch (e) {
            // Deleted in the meantime.
            if (!(e instanceof src/* ProviderError */.mZ && e.status === 422 && /does not exist/i.test(e.message)))
                throw e;
            await create();
        }
        return;
    }
    try {
        await create();
    }
    catch (e) {
        // Created in the meantime: move it like an existing branch (fast-forward unless forced).
        if (!(e instanceof src/* ProviderError */.mZ && e.status === 422 && /already exists/i.test(e.message)))
            throw e;
        await update();
    }
}
/** `GET /git/ref/<ref>` (exact match), or undefined when there is no such ref. */
function exactRef(gh, ref) {
    return gh.call('GET', `${gh.base}/git/ref/${seg(ref)}`, PERMISSION.readContents, undefined, {
        notFound: 'absent',
    });
}
/** The commit an object leads to: annotated tags (also tags of tags) are followed. */
async function peel(gh, object) {
    let current = object;
    for (let depth = 0; current.type === 'tag' && depth < 10; depth++) {
        const tag = await gh.call('GET', `${gh.base}/git/tags/${seg(current.sha)}`, PERMISSION.readContents);
        current = tag.object;
    }
    return current.sha;
}
function settle(existing, wanted) {
    if (existing.sha !== wanted.sha)
        throw new src/* TagConflictError */.P1(wanted.name, existing.sha, wanted.sha);
    return { created: false, tag: existing };
}

;// CONCATENATED MODULE: ./packages/platform/src/providers/github/files.ts
// Files: one commit of several changes through the git data API, and reading a file at a ref.



async function commitFiles(gh, port, change) {
    const base = await gh.call('GET', `${gh.base}/git/commits/${seg(change.base)}`, PERMISSION.readContents, undefined, { notFound: `base commit ${change.base} does not exist in ${gh.owner}/${gh.name}` });
    const head = await port.branchSha(change.branch);
    const entries = await treeEntries(gh, base.tree.sha, change);
    if (entries.length === 0)
        return undefined;
    const tree = await gh.call('POST', `${gh.base}/git/trees`, PERMISSION.writeContents, {
        base_tree: base.tree.sha,
        tree: entries,
    });
    if (tree.sha === base.tree.sha)
        return undefined;
    if (head && head !== change.base) {
        const current = await gh.call('GET', `${gh.base}/git/commits/${seg(head)}`, PERMISSION.readContents);
        // The branch already holds exactly this content: no empty commit, no reset.
        if (current.tree.sha === tree.sha)
            return undefined;
    }
    const commit = await gh.call('POST', `${gh.base}/git/commits`, PERMISSION.writeContents, {
        message: change.message,
        tree: tree.sha,
        parents: [change.base],
    });
    await moveBranch(gh, change.branch, commit.sha, head !== undefined, change.force === true);
    return commit.sha;
}
async function readFile(gh, path, ref) {
    const entry = await gh.call('GET', `${gh.base}/contents/${seg(treePath(path))}`, PERMISSION.readContents, { ref }, { notFound: 'absent' });
    if (!entry || Array.isArray(entry) || entry.type !== 'file')
        return undefined;
    if (entry.encoding === 'base64' && typeof entry.content === 'string') {
        return Buffer.from(entry.content, 'base64').toString('utf8');
    }
    // Over 1 MB the contents API leaves the content out (encoding "none"): read the blob.
    const call = `GET ${gh.base}/git/blobs/${entry.sha}`;
    const answer = await gh.call('GET', `${gh.base}/git/blobs/${seg(entry.sha)}`, PERMISSION.readContents);
    // Octokit hands back the raw text when its JSON parser gives up on an answer of several MB.
    let blob;
    try {
        blob = typeof answer === 'string' ? JSON.parse(answer) : answer;
    }
    catch { }
    if (typeof blob?.content !== 'string')
        throw new src/* ProviderError */.mZ(call, undefined, `GitHub sent no readable content for ${path} (${entry.size} bytes)`);
    return Buffer.from(blob.content, blob.encoding === 'base64' ? 'base64' : 'utf8').toString('utf8');
}
/** The tree entries of the change: the last change to a path wins; deleting what is not there is skipped. */
async function treeEntries(gh, baseTree, change) {
    const files = new Map();
    for (const f of change.files)
        files.set(treePath(f.path), f.content);
    // GitHub refuses to delete a path that is not there; such a deletion is already done.
    const deletions = [...files].filter(([, content]) => content === null).map(([path]) => path);
    const present = deletions.length ? await existing(gh, baseTree, change.base, deletions) : new Set();
    const entries = [];
    for (const [path, content] of files) {
        if (content === null) {
            if (present.has(path))
                entries.push({ path, mode: '100644', type: 'blob', sha: null });
        }
        else if (content === '') {
            // An empty `content` reads as "no content" to the trees API: make the blob explicitly.
            const blob = await gh.call('POST', `${gh.base}/git/blobs`, PERMISSION.writeContents, {
                content: '',
                encoding: 'utf-8',
            });
            entries.push({ path, mode: '100644', type: 'blob', sha: blob.sha });
        }
        else {
            entries.push({ path, mode: '100644', type: 'blob', content });
        }
    }
    return entries;
}
/** Which of `paths` exist in the tree (one recursive tree read; path by path when GitHub truncates it). */
async function existing(gh, treeSha, commit, paths) {
    const tree = await gh.call('GET', `${gh.base}/git/trees/${seg(treeSha)}`, PERMISSION.readContents, {
        recursive: '1',
    });
    if (!tree.truncated) {
        const all = new Set(tree.tree.filter((e) => e.type !== 'tree').map((e) => e.path));
        return new Set(paths.filter((p) => all.has(p)));
    }
    const found = new Set();
    for (const path of paths) {
        const entry = await gh.call('GET', `${gh.base}/contents/${seg(path)}`, PERMISSION.readContents, { ref: commit }, { notFound: 'absent' });
        if (entry && !Array.isArray(entry))
            found.add(path);
    }
    return found;
}
function treePath(path) {
    return path.replace(/^(\.\/|\/)+/, '');
}

;// CONCATENATED MODULE: ./packages/platform/src/providers/github/pulls.ts
// Pull requests, their comments (issue comments) and auto-merge (the one GraphQL mutation REST lacks).



const COMMENT_MAX = 65_536;
const TRUNCATED_NOTE = '\n\n… (truncated: a GitHub comment holds at most 65,536 characters)';
async function findPullRequests(gh, query) {
    const pulls = await gh.all(`${gh.base}/pulls`, PERMISSION.readPulls, {
        state: query.state ?? 'open',
        ...(query.head ? { head: `${gh.owner}:${query.head}` } : {}),
        ...(query.base ? { base: query.base } : {}),
    });
    return (pulls ?? [])
        .filter((p) => (!query.head || p.head.ref === query.head) && (!query.base || p.base.ref === query.base))
        .map(toPullRequest);
}
async function pullRequestForMergeCommit(gh, sha) {
    const pulls = await gh
        .all(`${gh.base}/commits/${seg(sha)}/pulls`, PERMISSION.readPulls, {}, { notFound: 'absent' })
        .catch((e) => {
        if (e instanceof src/* ProviderError */.mZ && e.status === 422)
            return undefined;
        throw e;
    });
    const pr = (pulls ?? []).find((p) => p.merged_at && p.merge_commit_sha === sha);
    return pr && toPullRequest(pr);
}
async function getPullRequest(gh, number) {
    return toPullRequest(await readPull(gh, number));
}
async function createPullRequest(gh, pr) {
    return toPullRequest(await gh.call('POST', `${gh.base}/pulls`, PERMISSION.writePulls, {
        head: pr.head,
        base: pr.base,
        title: pr.title,
        body: pr.body,
    }));
}
async function updatePullRequest(gh, port, number, change) {
    const fields = {};
    if (change.title !== undefined)
        fields.title = change.title;
    if (change.body !== undefined)
        fields.body = change.body;
    if (Object.keys(fields).length === 0)
        return port.getPullRequest(number);
    return toPullRequest(await gh.call('PATCH', `${gh.base}/pulls/${pullNumber(number)}`, PERMISSION.writePulls, fields, {
        notFound: noSuchPull(gh, number),
    }));
}
async function setAutoMerge(gh, number, enabled) {
    const pr = await readPull(gh, number);
    if ((pr.auto_merge != null) === enabled)
        return;
    const call = `POST ${pathOf(gh.graphqlUrl)} (${enabled ? 'enable' : 'disable'}PullRequestAutoMerge)`;
    if (enabled && (pr.state !== 'open' || pr.merged_at)) {
        throw new src/* ProviderError */.mZ(call, undefined, `pull request #${number} is ${pr.merged_at ? 'merged' : pr.state}; auto-merge needs an open pull request`);
    }
    if (enabled) {
        const mergeMethod = await allowedMergeMethod(gh);
        await gh.graphql(call, `mutation($pullRequestId: ID!, $mergeMethod: PullRequestMergeMethod) {
  enablePullRequestAutoMerge(input: {pullRequestId: $pullRequestId, mergeMethod: $mergeMethod}) {
    pullRequest { number autoMergeRequest { enabledAt mergeMethod } }
  }
}`, { pullRequestId: pr.node_id, ...(mergeMethod ? { mergeMethod } : {}) });
    }
    else {
        await gh.graphql(call, `mutation($pullRequestId: ID!) {
  disablePullRequestAutoMerge(input: {pullRequestId: $pullRequestId}) {
    pullRequest { number autoMergeRequest { enabledAt } }
  }
}`, { pullRequestId: pr.node_id });
    }
}
async function upsertComment(gh, number, marker, body) {
    const text = commentText(marker, body);
    const path = `${gh.base}/issues/${pullNumber(number)}/comments`;
    const comments = (await gh.all(path, PERMISSION.readPulls, {}, { notFound: noSuchPull(gh, number) })) ?? [];
    const mine = comments.find((c) => c.body?.includes(marker));
    if (mine) {
        if (mine.body !== text) {
            await gh.call('PATCH', `${gh.base}/issues/comments/${mine.id}`, PERMISSION.writePulls, {
                body: text,
            });
        }
        return { id: String(mine.id), created: false };
    }
    const created = await gh.call('POST', `${gh.base}/issues/${pullNumber(number)}/comments`, PERMISSION.writePulls, { body: text });
    return { id: String(created.id), created: true };
}
function readPull(gh, number) {
    return gh.call('GET', `${gh.base}/pulls/${pullNumber(number)}`, PERMISSION.readPulls, undefined, {
        notFound: noSuchPull(gh, number),
    });
}
function noSuchPull(gh, number) {
    return `pull request #${number} does not exist in ${gh.owner}/${gh.name} (or the token cannot see the repository)`;
}
/** The merge method the repository allows (merge commit first, which keeps merge commits findable). */
async function allowedMergeMethod(gh) {
    const repo = await gh.repositoryInfo();
    if (repo.allow_merge_commit !== false)
        return repo.allow_merge_commit ? 'MERGE' : undefined;
    if (repo.allow_squash_merge)
        return 'SQUASH';
    if (repo.allow_rebase_merge)
        return 'REBASE';
    return undefined;
}
function toPullRequest(p) {
    const merged = Boolean(p.merged_at);
    return {
        number: p.number,
        url: p.html_url,
        head: p.head.ref,
        headSha: p.head.sha,
        base: p.base.ref,
        title: p.title,
        body: p.body ?? '',
        state: merged ? 'merged' : p.state,
        ...(merged && p.merge_commit_sha ? { mergeCommitSha: p.merge_commit_sha } : {}),
        autoMerge: p.auto_merge != null,
    };
}
/** The comment body: carries the marker, and fits GitHub's limit without losing it. */
function commentText(marker, body) {
    let text = body.includes(marker) ? body : `${marker}\n${body}`;
    if (text.length > COMMENT_MAX) {
        const rest = text.replace(marker, '');
        text = `${marker}\n${rest.slice(0, COMMENT_MAX - marker.length - 1 - TRUNCATED_NOTE.length)}${TRUNCATED_NOTE}`;
    }
    return text;
}
function pullNumber(n) {
    if (!Number.isSafeInteger(n) || n <= 0)
        throw new src/* GitopsError */.$n(`pull request number ${n} is not valid`);
    return String(n);
}

;// CONCATENATED MODULE: ./packages/platform/src/providers/github/statuses.ts
// Commit statuses, read together with other apps' check runs; written as statuses only.


const STATUS_DESCRIPTION_MAX = 140;
/** The contexts gitops-promote itself writes (`gitops-promote/<env>`, `…/plan`). */
const OWN_CONTEXT_PREFIX = 'gitops-promote/';
async function listStatuses(gh, sha) {
    const [statuses, runs] = await Promise.all([commitStatuses(gh, sha), checkRuns(gh, sha)]);
    const newest = new Map();
    // Lists come newest first; on equal timestamps the earlier entry is the newer one.
    for (const s of [...statuses, ...runs]) {
        const seen = newest.get(s.context);
        if (!seen || Date.parse(s.createdAt) > Date.parse(seen.createdAt))
            newest.set(s.context, s);
    }
    return [...newest.values()].sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt));
}
async function setStatus(gh, sha, status) {
    await gh.call('POST', `${gh.base}/statuses/${seg(sha)}`, PERMISSION.writeStatuses, {
        state: status.state,
        context: status.context,
        description: clip(status.description, STATUS_DESCRIPTION_MAX),
        ...(status.targetUrl ? { target_url: status.targetUrl } : {}),
    });
}
async function commitStatuses(gh, sha) {
    const path = `${gh.base}/commits/${seg(sha)}/statuses`;
    const list = await gh.all(path, PERMISSION.readStatuses, {}, { notFound: 'absent' });
    if (list?.some((s) => typeof s?.context !== 'string' || typeof s.state !== 'string'))
        throw malformed(`GET ${path}`, 'a status without a context or a state');
    return (list ?? []).map((s) => withGenre({
        context: s.context,
        state: s.state,
        description: s.description ?? '',
        ...(s.target_url ? { targetUrl: s.target_url } : {}),
        createdAt: s.created_at,
    }));
}
async function checkRuns(gh, sha) {
    const path = `${gh.base}/commits/${seg(sha)}/check-runs`;
    let runs;
    try {
        runs = await gh.all(path, PERMISSION.readChecks, { filter: 'latest' }, { notFound: 'absent' });
    }
    catch (e) {
        // A token without checks:read still reads statuses; say so instead of failing the whole read.
        if (e instanceof src/* ProviderError */.mZ && e.status === 403 && /lacks permission/.test(e.message)) {
            gh.log(`warning: check runs of ${sha.slice(0, 12)} not read (${e.message})`);
            return [];
        }
        // GitHub answers 422 for a commit it does not know.
        if (e instanceof src/* ProviderError */.mZ && e.status === 422)
            return [];
        throw e;
    }
    if (runs?.some((run) => typeof run?.name !== 'string'))
        throw malformed(`GET ${path}`, 'a check run without a name');
    // gitops-promote writes commit statuses, never check runs: any app with checks:write could otherwise
    // post a check run named like our plan record or environment result and stand in for it.
    const foreign = (runs ?? []).filter((run) => !run.name.startsWith(OWN_CONTEXT_PREFIX));
    return foreign.map((run) => withGenre({
        context: run.name,
        state: checkRunState(run),
        description: run.output?.title || [run.status, run.conclusion].filter(Boolean).join(': '),
        ...(run.details_url || run.html_url ? { targetUrl: (run.details_url || run.html_url) } : {}),
        createdAt: run.completed_at ?? run.started_at ?? new Date(0).toISOString(),
    }));
}
function checkRunState(run) {
    if (run.status !== 'completed')
        return 'pending';
    if (run.conclusion === 'success')
        return 'success';
    if (run.conclusion === 'failure' || run.conclusion === 'cancelled' || run.conclusion === 'timed_out') {
        return 'failure';
    }
    return 'pending';
}
/** GitHub has no genre: the part before the first `/` stands in for it. */
function withGenre(status) {
    const i = status.context.indexOf('/');
    return i > 0 ? { ...status, genre: status.context.slice(0, i), name: status.context.slice(i + 1) } : status;
}
function clip(text, max) {
    return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

;// CONCATENATED MODULE: ./packages/platform/src/providers/github/index.ts






class GitHubProvider {
    kind = 'github';
    apiUrl;
    serverUrl;
    graphqlUrl;
    owner;
    name;
    #gh;
    constructor(options) {
        const gh = new GitHubClient(options);
        this.#gh = gh;
        this.apiUrl = gh.apiUrl;
        this.serverUrl = gh.serverUrl;
        this.graphqlUrl = gh.graphqlUrl;
        this.owner = gh.owner;
        this.name = gh.name;
        (0,answers/* guardAnswers */.f)(this, 'GitHub', () => gh.lastCall);
    }
    listStatuses(sha) {
        return listStatuses(this.#gh, sha);
    }
    setStatus(sha, status) {
        return setStatus(this.#gh, sha, status);
    }
    createTag(name, sha, message) {
        return createTag(this.#gh, this, name, sha, message);
    }
    getTag(name) {
        return getTag(this.#gh, name);
    }
    deleteTag(name) {
        return deleteTag(this.#gh, name);
    }
    listTags(prefix) {
        return listTags(this.#gh, prefix);
    }
    branchSha(branch) {
        return branchSha(this.#gh, branch);
    }
    isAncestor(sha, branch) {
        return isAncestor(this.#gh, sha, branch);
    }
    findPullRequests(query) {
        return findPullRequests(this.#gh, query);
    }
    pullRequestForMergeCommit(sha) {
        return pullRequestForMergeCommit(this.#gh, sha);
    }
    getPullRequest(number) {
        return getPullRequest(this.#gh, number);
    }
    createPullRequest(pr) {
        return createPullRequest(this.#gh, pr);
    }
    updatePullRequest(number, change) {
        return updatePullRequest(this.#gh, this, number, change);
    }
    setAutoMerge(number, enabled) {
        return setAutoMerge(this.#gh, number, enabled);
    }
    upsertComment(number, marker, body) {
        return upsertComment(this.#gh, number, marker, body);
    }
    commitFiles(change) {
        return commitFiles(this.#gh, this, change);
    }
    readFile(path, ref) {
        return readFile(this.#gh, path, ref);
    }
}


/***/ }),

/***/ 7671:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   e: () => (/* binding */ malformedAnswer),
/* harmony export */   f: () => (/* binding */ guardAnswers)
/* harmony export */ });
/* harmony import */ var _gitops_promote_core__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(3216);

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
