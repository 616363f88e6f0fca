export const id = 200;
export const ids = [200];
export const modules = {

/***/ 5200:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  GitRemoteProvider: () => (/* binding */ GitRemoteProvider)
});

// UNUSED EXPORTS: STATUS_NOTES_REF, maskCredentials

// EXTERNAL MODULE: ./packages/core/src/index.ts + 68 modules
var src = __webpack_require__(3216);
;// CONCATENATED MODULE: ./packages/platform/src/providers/git/cli.ts
// The git binary, run without a shell or a prompt against one clone and one remote.

const GIT_TIMEOUT_MS = 10 * 60_000;
class GitCli {
    cwd;
    remote;
    #identity;
    constructor(
    /** A clone of the repository; its working tree, index and checked-out branch are never touched. */
    cwd, 
    /** A remote name or a URL. */
    remote) {
        this.cwd = cwd;
        this.remote = remote;
    }
    /** Runs git and returns its trimmed stdout; a non-zero exit is a ProviderError naming the call. */
    async git(args, options = {}) {
        const result = await this.run(args, options);
        if (result.code !== 0)
            throw this.failure(args, result);
        return result.stdout.toString('utf8').trim();
    }
    /** Runs git without a shell (arguments are data) and never lets it prompt for credentials. */
    async run(args, options = {}) {
        const r = await (0,src/* exec */.m0)('git', args, {
            cwd: this.cwd,
            env: (0,src/* gitEnv */.gE)(options.env),
            input: options.input ?? '',
            timeoutMs: GIT_TIMEOUT_MS,
            raw: true,
            signalNote: (signal) => `fatal: git was stopped (${signal}) after ${GIT_TIMEOUT_MS / 1000}s`,
        });
        if (r.startError !== undefined) {
            const detail = r.startError === 'ENOENT' ? 'git is not installed or not on PATH' : r.startMessage;
            throw new src/* ProviderError */.mZ(this.shown(args), undefined, mask(detail ?? r.startError));
        }
        return { code: r.code ?? 128, stdout: r.raw ?? Buffer.alloc(0), stderr: r.stderr };
    }
    /** Author and committer for notes, tags and commits; a clone without `user.name`/`user.email` still works. */
    commitIdentity() {
        this.#identity ??= (0,src/* commitIdentityEnv */.Ju)((args) => this.run(args));
        return this.#identity;
    }
    failure(args, result, suffix = '') {
        return new src/* ProviderError */.mZ(this.shown(args), undefined, `${this.reason(result)}${suffix}`);
    }
    /** The line of git's stderr that says what went wrong, credentials masked. */
    reason(result) {
        const lines = result.stderr
            .split('\n')
            .map((l) => l.replace(/\s+/g, ' ').trim())
            .filter(Boolean);
        const line = lines.find((l) => /^(fatal|error):|\[(remote )?rejected\]/.test(l)) ?? lines[0];
        return mask(line ?? `exit code ${result.code}`);
    }
    shown(args) {
        return mask(['git', ...args].map((a) => (/^[\w./:@^{}=+,*-]+$/.test(a) ? a : JSON.stringify(a))).join(' '));
    }
    get shownRemote() {
        return mask(this.remote);
    }
}
// Re-exported: the provider module is where callers of the git provider find it.

const mask = src/* maskCredentials */.Bs;

// EXTERNAL MODULE: external "node:fs/promises"
var promises_ = __webpack_require__(1455);
// EXTERNAL MODULE: external "node:os"
var external_node_os_ = __webpack_require__(8161);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(6760);
;// CONCATENATED MODULE: ./packages/platform/src/providers/git/revisions.ts
// Resolving revisions against the remote: the remote is the source of truth, objects are fetched on demand.

const FULL_SHA = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/i;
const ABBREVIATED_SHA = /^[0-9a-f]{4,63}$/i;
// Flags every fetch takes: no tag auto-following and no remote-tracking updates (the clone's refs stay
// as the user left them), no FETCH_HEAD (concurrent fetches would race on it). Objects are what we want.
const FETCH = ['fetch', '--no-tags', '--no-write-fetch-head', '--refmap='];
/** The commit `rev` (full sha, branch, tag or `refs/…`) names on the remote, with its objects local. */
async function commitOf(cli, rev) {
    if (FULL_SHA.test(rev))
        return commitBySha(cli, rev);
    const candidates = rev.startsWith('refs/') ? [rev] : [`refs/tags/${rev}`, `refs/heads/${rev}`];
    const refs = await lsRemote(cli, candidates.flatMap((c) => [c, `${c}^{}`]));
    for (const candidate of candidates) {
        const sha = refs.get(candidate);
        if (sha) {
            await ensureCommit(cli, sha, candidate);
            return sha;
        }
    }
    if (ABBREVIATED_SHA.test(rev)) {
        const local = await localCommit(cli, rev);
        if (local)
            return local;
    }
    throw new src/* ProviderError */.mZ(cli.shown(['ls-remote', cli.remote, ...candidates]), undefined, `no branch, tag or commit named ${JSON.stringify(rev)} on ${cli.shownRemote}`);
}
async function ensureCommit(cli, sha, ref) {
    if (!(await localCommit(cli, sha)))
        await fetchRef(cli, ref);
}
async function fetchRef(cli, ref) {
    const deepen = (await isShallow(cli)) ? ['--unshallow'] : [];
    await cli.git([...FETCH, ...deepen, cli.remote, ref]);
}
async function localCommit(cli, rev) {
    const result = await cli.run(['rev-parse', '--verify', '--quiet', `${rev}^{commit}`]);
    return result.code === 0 ? result.stdout.toString('utf8').trim() : undefined;
}
async function isShallow(cli) {
    return (await cli.git(['rev-parse', '--is-shallow-repository'])) === 'true';
}
/** The remote's refs matching `patterns`, annotated tags peeled to their commit. */
async function lsRemote(cli, patterns, flags = []) {
    const out = await cli.git(['ls-remote', ...flags, cli.remote, ...patterns]);
    const refs = new Map();
    const peeled = new Map();
    for (const line of out.split('\n')) {
        const [sha, ref] = line.split('\t');
        if (!sha || !ref)
            continue;
        if (ref.endsWith('^{}'))
            peeled.set(ref.slice(0, -3), sha);
        else
            refs.set(ref, sha);
    }
    for (const [ref, sha] of peeled)
        if (refs.has(ref))
            refs.set(ref, sha);
    return refs;
}
async function commitBySha(cli, rev) {
    const local = await localCommit(cli, rev);
    if (local)
        return local;
    const fetch = [...FETCH, cli.remote, rev];
    const bySha = await cli.run(fetch);
    // Servers that refuse unadvertised objects still hand over every branch and tag.
    if (bySha.code !== 0 && /not our ref|unadvertised|not allow/i.test(bySha.stderr)) {
        const refs = [...(await lsRemote(cli, [], ['--heads', '--tags'])).keys()];
        await cli.run([...FETCH, '--stdin', cli.remote], { input: `${refs.join('\n')}\n` });
    }
    const fetched = await localCommit(cli, rev);
    if (fetched)
        return fetched;
    throw new src/* ProviderError */.mZ(cli.shown(fetch), undefined, `no commit ${rev} on ${cli.shownRemote}${bySha.code !== 0 ? ` (${cli.reason(bySha)})` : ''}`);
}

;// CONCATENATED MODULE: ./packages/platform/src/providers/git/refs.ts
// Tags and branches: read with ls-remote, written by pushing; the remote decides.


async function createTag(cli, name, sha, message) {
    checkRefName('tag', name);
    const ref = `refs/tags/${name}`;
    const commit = await commitOf(cli, sha);
    const existing = await getTag(cli, name);
    if (existing)
        return sameTagOrConflict(existing, commit);
    const local = await localCommit(cli, ref);
    if (local && local !== commit) {
        throw new src/* ProviderError */.mZ(`git tag ${name}`, undefined, `a local tag ${name} points at ${local.slice(0, 12)} but ${cli.shownRemote} has no such tag; delete it (git tag -d ${name}) or choose another tag name`);
    }
    if (!local) {
        try {
            if (message === undefined) {
                // update-ref with an empty old value: create only, and no tag.gpgSign prompt.
                await cli.git(['update-ref', ref, commit, '']);
            }
            else {
                const tag = ['tag', '--annotate', '--no-sign', '--cleanup=whitespace', '--file=-', name, commit];
                await cli.git(tag, { input: message, env: await cli.commitIdentity() });
            }
        }
        catch (e) {
            // Another run in this same clone made the tag a moment ago: the same commit is fine.
            if ((await localCommit(cli, ref)) !== commit)
                throw e;
        }
    }
    const push = ['push', cli.remote, ref];
    const pushed = await cli.run(push);
    if (pushed.code === 0)
        return { created: true, tag: { name, sha: commit } };
    // Another run may have pushed the same name since we looked; its tag wins, ours goes.
    const now = await getTag(cli, name);
    if (!local)
        await cli.run(['update-ref', '-d', ref]);
    if (now)
        return sameTagOrConflict(now, commit);
    throw cli.failure(push, pushed);
}
async function deleteTag(cli, name) {
    checkRefName('tag', name);
    const ref = `refs/tags/${name}`;
    if (await getTag(cli, name)) {
        const push = ['push', cli.remote, '--delete', ref];
        const pushed = await cli.run(push);
        if (pushed.code !== 0 && (await getTag(cli, name)))
            throw cli.failure(push, pushed);
    }
    await cli.run(['update-ref', '-d', ref]);
}
async function getTag(cli, name) {
    const ref = `refs/tags/${name}`;
    const sha = (await lsRemote(cli, [ref, `${ref}^{}`])).get(ref);
    return sha ? { name, sha } : undefined;
}
async function listTags(cli, prefix) {
    // A glob pattern narrows what the server sends; names are still filtered exactly below.
    const patterns = /^[\w./-]*$/.test(prefix) ? [`refs/tags/${prefix}*`] : [];
    const refs = await lsRemote(cli, patterns, ['--tags']);
    const tags = [];
    for (const [ref, sha] of refs) {
        const name = ref.slice('refs/tags/'.length);
        if (ref.startsWith('refs/tags/') && name.startsWith(prefix))
            tags.push({ name, sha });
    }
    return tags.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
async function branchSha(cli, branch) {
    const ref = `refs/heads/${branch}`;
    return (await lsRemote(cli, [ref])).get(ref);
}
async function isAncestor(cli, sha, branch) {
    const ref = `refs/heads/${branch}`;
    const head = (await lsRemote(cli, [ref])).get(ref);
    if (!head)
        return false;
    // The whole history of the branch must be local for merge-base to be right (CI clones are shallow).
    if (!(await localCommit(cli, head)) || (await isShallow(cli)))
        await fetchRef(cli, ref);
    const commit = FULL_SHA.test(sha) ? await localCommit(cli, sha) : await commitOf(cli, sha);
    // Not here after fetching the branch's full history: it cannot be in that history.
    if (!commit)
        return false;
    const args = ['merge-base', '--is-ancestor', commit, head];
    const result = await cli.run(args);
    if (result.code === 0 || result.code === 1)
        return result.code === 0;
    throw cli.failure(args, result);
}
/** Refuses names Git would reject, and names that would read as options (`-d`). */
function checkRefName(kind, name) {
    const problem = name === '' || name === '@'
        ? 'is empty or "@"'
        : name.startsWith('-')
            ? 'starts with "-"'
            : /[\x00-\x20\x7f~^:?*[\\]/.test(name)
                ? 'contains a space, a control character or one of ~ ^ : ? * [ \\'
                : /\.\.|@\{|\/\/|^\/|\/$|\.$/.test(name)
                    ? 'contains "..", "@{" or "//", or starts or ends with "/", or ends with "."'
                    : name.split('/').some((part) => part.startsWith('.') || part.endsWith('.lock'))
                        ? 'has a part that starts with "." or ends with ".lock"'
                        : undefined;
    if (problem)
        throw new src/* GitopsError */.$n(`${JSON.stringify(name)} is not a valid Git ${kind} name: it ${problem}`);
}
function sameTagOrConflict(existing, commit) {
    if (existing.sha === commit)
        return { created: false, tag: existing };
    throw new src/* TagConflictError */.P1(existing.name, existing.sha, commit);
}

;// CONCATENATED MODULE: ./packages/platform/src/providers/git/files.ts
// Files: a commit built in a temporary index (the clone's stays as it is) and pushed; reading a file at a ref.






async function commitFiles(cli, change) {
    checkRefName('branch', change.branch);
    const ref = `refs/heads/${change.branch}`;
    const base = await commitOf(cli, change.base);
    const tree = await treeWithFiles(cli, base, change.files);
    if (tree === (await cli.git(['rev-parse', `${base}^{tree}`])))
        return undefined;
    const head = (await lsRemote(cli, [ref])).get(ref);
    if (head) {
        await ensureCommit(cli, head, ref);
        if (tree === (await cli.git(['rev-parse', `${head}^{tree}`])))
            return undefined;
    }
    const commit = await cli.git(['commit-tree', '--no-gpg-sign', tree, '-p', base, '-F', '-'], {
        input: change.message,
        env: await cli.commitIdentity(),
    });
    const push = ['push', ...(change.force ? ['--force'] : []), cli.remote, `${commit}:${ref}`];
    const pushed = await cli.run(push);
    if (pushed.code !== 0) {
        const diverged = /non-fast-forward|fetch first/.test(pushed.stderr);
        throw cli.failure(push, pushed, diverged
            ? `; ${change.branch} has commits that are not on ${base.slice(0, 12)} (force replaces them)`
            : '');
    }
    return commit;
}
async function readFile(cli, path, ref) {
    const commit = await commitOf(cli, ref);
    const request = `${commit}:${repositoryPath(path)}\n`;
    const result = await cli.run(['cat-file', '--batch'], { input: request });
    if (result.code !== 0)
        throw cli.failure(['cat-file', '--batch'], result);
    // `<oid> <type> <size>\n<content>\n`, or `<request> missing` for a path that is not there.
    const headerEnd = result.stdout.indexOf(10);
    const [, type, size] = result.stdout.subarray(0, headerEnd).toString('utf8').split(' ');
    if (type !== 'blob' || size === undefined)
        return undefined;
    return result.stdout.subarray(headerEnd + 1, headerEnd + 1 + Number(size)).toString('utf8');
}
/** The tree of `base` with `files` written or deleted, built in a temporary index (the clone's stays as it is). */
async function treeWithFiles(cli, base, files) {
    const dir = await (0,promises_.mkdtemp)((0,external_node_path_.join)((0,external_node_os_.tmpdir)(), 'gitops-promote-'));
    try {
        const env = { GIT_INDEX_FILE: (0,external_node_path_.join)(dir, 'index') };
        await cli.git(['read-tree', base], { env });
        const changes = files.map((file) => ({ path: repositoryPath(file.path), content: file.content }));
        const writes = changes.filter((c) => c.content !== null);
        const blobs = await (0,src/* writeBlobs */.Ci)((args, input) => cli.git(args, { input }), dir, writes.map((w) => w.content));
        const executable = await executablePaths(cli, base, writes.map((w) => w.path));
        const deleted = '0'.repeat(base.length);
        let written = 0;
        const records = changes.map(({ path, content }) => {
            if (content === null)
                return `0 ${deleted}\t${path}\0`;
            return `${executable.has(path) ? '100755' : '100644'} ${blobs[written++]}\t${path}\0`;
        });
        await cli.git(['update-index', '-z', '--index-info'], { input: records.join(''), env });
        return await cli.git(['write-tree'], { env });
    }
    finally {
        await (0,promises_.rm)(dir, { recursive: true, force: true });
    }
}
/** Which of `paths` are executable files in `base` (their mode is kept when the content changes). */
async function executablePaths(cli, base, paths) {
    if (paths.length === 0)
        return new Set();
    const listing = await cli.run(['--literal-pathspecs', 'ls-tree', '-r', '-z', base, '--', ...paths]);
    const executable = new Set();
    for (const entry of listing.stdout.toString('utf8').split('\0')) {
        const tab = entry.indexOf('\t');
        if (tab > 0 && entry.startsWith('100755 '))
            executable.add(entry.slice(tab + 1));
    }
    return executable;
}
/** A path inside the repository, `/`-separated, relative to its root. */
function repositoryPath(path) {
    const parts = path.split('/').filter((p) => p !== '' && p !== '.');
    if (parts.length === 0 || parts.some((p) => p === '..' || p === '.git') || /[\0\n]/.test(path)) {
        throw new src/* GitopsError */.$n(`${JSON.stringify(path)} is not a file path inside the repository`);
    }
    return parts.join('/');
}

;// CONCATENATED MODULE: ./packages/platform/src/providers/git/notes.ts

/** Where statuses live: one note per commit, one JSON line per status, oldest first. */
const STATUS_NOTES_REF = 'refs/notes/gitops-promote';
const NOTES_PUSH_ATTEMPTS = 6;
const STATES = ['success', 'failure', 'error', 'pending'];
/** A push that lost a race with another writer (worth a fetch and another try). */
const LOST_RACE = /\[rejected\]|non-fast-forward|fetch first|cannot lock ref|failed to update ref|incorrect old value/i;
class NoteStatuses {
    cli;
    /** Notes work runs one at a time: concurrent fetches and `git notes add` would fight over the ref. */
    #queue = Promise.resolve();
    #pending = [];
    constructor(cli) {
        this.cli = cli;
    }
    async list(sha) {
        const commit = FULL_SHA.test(sha) ? sha.toLowerCase() : await commitOf(this.cli, sha);
        const note = await this.#serially(async () => {
            await this.#fetchNotes();
            return this.#readNote(commit);
        });
        return newestPerContext(parseStatusLines(note));
    }
    async set(sha, status) {
        const commit = await commitOf(this.cli, sha);
        const line = JSON.stringify({
            context: status.context,
            state: status.state,
            description: status.description,
            ...(status.targetUrl ? { targetUrl: status.targetUrl } : {}),
            createdAt: new Date().toISOString(),
        });
        return new Promise((resolve, reject) => {
            this.#pending.push({ commit, line, resolve, reject });
            // The first status of a batch schedules the write; statuses set meanwhile ride along in one push.
            if (this.#pending.length === 1)
                void this.#serially(() => this.#flush());
        });
    }
    async #flush() {
        const batch = this.#pending.splice(0);
        try {
            await this.#write(batch);
            for (const pending of batch)
                pending.resolve();
        }
        catch (error) {
            for (const pending of batch)
                pending.reject(error);
        }
    }
    /**
     * Appends the lines to the commits' notes, on top of the remote's notes, and pushes. When another run
     * pushed first, fetches its notes and re-applies ours (bounded).
     */
    async #write(batch) {
        const linesByCommit = new Map();
        for (const { commit, line } of batch) {
            linesByCommit.set(commit, [...(linesByCommit.get(commit) ?? []), line]);
        }
        const env = await this.cli.commitIdentity();
        const push = ['push', this.cli.remote, `${STATUS_NOTES_REF}:${STATUS_NOTES_REF}`];
        for (let attempt = 1;; attempt++) {
            await this.#fetchNotes();
            for (const [commit, lines] of linesByCommit) {
                const existing = (await this.#readNote(commit)).split('\n').filter((l) => l.trim() !== '');
                await this.cli.git(['notes', `--ref=${STATUS_NOTES_REF}`, 'add', '--force', '--file=-', commit], {
                    input: `${[...existing, ...lines].join('\n')}\n`,
                    env,
                });
            }
            const result = await this.cli.run(push);
            if (result.code === 0)
                return;
            if (attempt >= NOTES_PUSH_ATTEMPTS || !LOST_RACE.test(result.stderr)) {
                throw this.cli.failure(push, result, attempt > 1 ? ` (after ${attempt} attempts)` : '');
            }
            await sleep(attempt * 80 + Math.random() * 120);
        }
    }
    /** Makes the local notes ref equal the remote's (removing it when the remote has none). */
    async #fetchNotes() {
        const args = [...FETCH, this.cli.remote, `+${STATUS_NOTES_REF}:${STATUS_NOTES_REF}`];
        const result = await this.cli.run(args);
        if (result.code === 0)
            return;
        if (/couldn't find remote ref/i.test(result.stderr)) {
            await this.cli.run(['update-ref', '-d', STATUS_NOTES_REF]);
            return;
        }
        throw this.cli.failure(args, result);
    }
    async #readNote(commit) {
        const args = ['notes', `--ref=${STATUS_NOTES_REF}`, 'show', commit];
        const result = await this.cli.run(args);
        if (result.code === 0)
            return result.stdout.toString('utf8');
        if (/no note found/i.test(result.stderr))
            return '';
        throw this.cli.failure(args, result);
    }
    #serially(work) {
        const run = this.#queue.then(work, work);
        this.#queue = run.catch(() => undefined);
        return run;
    }
}
/** Reads a note's JSON lines; lines that are not a status (hand edits, future fields gone wrong) are skipped. */
function parseStatusLines(note) {
    const statuses = [];
    for (const line of note.split('\n')) {
        if (!line.trim())
            continue;
        try {
            const value = JSON.parse(line);
            if (typeof value.context === 'string' &&
                STATES.includes(value.state) &&
                typeof value.description === 'string') {
                statuses.push({
                    context: value.context,
                    state: value.state,
                    description: value.description,
                    ...(typeof value.targetUrl === 'string' ? { targetUrl: value.targetUrl } : {}),
                    createdAt: typeof value.createdAt === 'string' ? value.createdAt : '',
                });
            }
        }
        catch {
            // not JSON: skip
        }
    }
    return statuses;
}
/**
 * One status per context, newest first. Newest means last in the note: lines are appended in the order
 * they reached the remote, which clock skew between runners cannot reorder.
 */
function newestPerContext(statuses) {
    const latest = new Map();
    for (const status of statuses) {
        latest.delete(status.context);
        latest.set(status.context, status);
    }
    return [...latest.values()].reverse();
}
function sleep(ms) {
    return new Promise((resolve) => setTimeout(resolve, ms));
}

;// CONCATENATED MODULE: ./packages/platform/src/providers/git/index.ts
/**
 * A GitProvider for any Git server, talking to the remote with the `git` binary (terminal runs,
 * self-hosted servers). Statuses are Git notes under `refs/notes/gitops-promote` (./notes.ts); tags and
 * branches are pushed; pull requests are not available.
 *
 * The remote is the source of truth: every read asks it (ls-remote or fetch) and every write is pushed.
 */







class GitRemoteProvider {
    kind = 'git';
    #cli;
    #statuses;
    constructor(options) {
        this.#cli = new GitCli(options.cwd, options.remote ?? 'origin');
        this.#statuses = new NoteStatuses(this.#cli);
    }
    listStatuses(sha) {
        return this.#statuses.list(sha);
    }
    setStatus(sha, status) {
        return this.#statuses.set(sha, status);
    }
    createTag(name, sha, message) {
        return createTag(this.#cli, name, sha, message);
    }
    deleteTag(name) {
        return deleteTag(this.#cli, name);
    }
    getTag(name) {
        return getTag(this.#cli, name);
    }
    listTags(prefix) {
        return listTags(this.#cli, prefix);
    }
    branchSha(branch) {
        return branchSha(this.#cli, branch);
    }
    isAncestor(sha, branch) {
        return isAncestor(this.#cli, sha, branch);
    }
    commitFiles(change) {
        return commitFiles(this.#cli, change);
    }
    readFile(path, ref) {
        return readFile(this.#cli, path, ref);
    }
    // --- pull requests: not a Git feature ---------------------------------------------------------
    async findPullRequests() {
        throw noPullRequests('findPullRequests');
    }
    async pullRequestForMergeCommit() {
        throw noPullRequests('pullRequestForMergeCommit');
    }
    async getPullRequest() {
        throw noPullRequests('getPullRequest');
    }
    async createPullRequest() {
        throw noPullRequests('createPullRequest');
    }
    async updatePullRequest() {
        throw noPullRequests('updatePullRequest');
    }
    async setAutoMerge() {
        throw noPullRequests('setAutoMerge');
    }
    async upsertComment() {
        throw noPullRequests('upsertComment');
    }
}
function noPullRequests(method) {
    return new src/* UnsupportedError */.Wt(`${method}: pull requests need the github or azure provider (provider: github|azure); the git provider has statuses, tags and branches only`);
}


/***/ })

};
