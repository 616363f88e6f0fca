export const id = 56;
export const ids = [56];
export const modules = {

/***/ 56:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   GitRemoteProvider: () => (/* binding */ GitRemoteProvider)
/* harmony export */ });
/* unused harmony exports STATUS_NOTES_REF, maskCredentials */
/* harmony import */ var node_child_process__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(1421);
/* harmony import */ var node_child_process__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_child_process__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(1455);
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__webpack_require__.n(node_fs_promises__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var node_os__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(8161);
/* harmony import */ var node_os__WEBPACK_IMPORTED_MODULE_2___default = /*#__PURE__*/__webpack_require__.n(node_os__WEBPACK_IMPORTED_MODULE_2__);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(6760);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_3___default = /*#__PURE__*/__webpack_require__.n(node_path__WEBPACK_IMPORTED_MODULE_3__);
/* harmony import */ var _gitops_promote_core__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(8550);





/** Where statuses live: one note per commit, one JSON line per status, oldest first. */
const STATUS_NOTES_REF = 'refs/notes/gitops-promote';
const NOTES_PUSH_ATTEMPTS = 6;
const GIT_TIMEOUT_MS = 10 * 60_000;
const FULL_SHA = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/i;
const ABBREVIATED_SHA = /^[0-9a-f]{4,63}$/i;
const STATES = ['success', 'failure', 'error', 'pending'];
/** A push that lost a race with another writer (worth a fetch and another try). */
const LOST_RACE = /\[rejected\]|non-fast-forward|fetch first|cannot lock ref|failed to update ref|incorrect old value/i;
// Flags every fetch takes: no tag auto-following and no remote-tracking updates (the clone's refs stay
// as the user left them), no FETCH_HEAD (concurrent fetches would race on it). Objects are what we want.
const FETCH = ['fetch', '--no-tags', '--no-write-fetch-head', '--refmap='];
/**
 * A GitProvider for any Git server, talking to the remote with the `git` binary (terminal runs,
 * self-hosted servers). Statuses are Git notes under `refs/notes/gitops-promote`; tags and branches
 * are pushed; pull requests are not available.
 *
 * The remote is the source of truth: every read asks it (ls-remote or fetch) and every write is pushed.
 * The local notes ref is a mirror of the remote's and is overwritten on each fetch.
 */
class GitRemoteProvider {
    kind = 'git';
    cwd;
    remote;
    identity;
    /** Notes work runs one at a time: concurrent fetches and `git notes add` would fight over the ref. */
    notesQueue = Promise.resolve();
    pendingStatuses = [];
    constructor(options) {
        this.cwd = options.cwd;
        this.remote = options.remote ?? 'origin';
    }
    // --- statuses ---------------------------------------------------------------------------------
    async listStatuses(sha) {
        const commit = FULL_SHA.test(sha) ? sha.toLowerCase() : await this.commitOf(sha);
        const note = await this.serially(async () => {
            await this.fetchNotes();
            return this.readNote(commit);
        });
        return newestPerContext(parseStatusLines(note));
    }
    async setStatus(sha, status) {
        const commit = await this.commitOf(sha);
        const line = JSON.stringify({
            context: status.context,
            state: status.state,
            description: status.description,
            ...(status.targetUrl ? { targetUrl: status.targetUrl } : {}),
            createdAt: new Date().toISOString(),
        });
        return new Promise((resolve, reject) => {
            this.pendingStatuses.push({ commit, line, resolve, reject });
            // The first status of a batch schedules the write; statuses set meanwhile ride along in one push.
            if (this.pendingStatuses.length === 1)
                void this.serially(() => this.flushStatuses());
        });
    }
    async flushStatuses() {
        const batch = this.pendingStatuses.splice(0);
        try {
            await this.writeStatuses(batch);
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
    async writeStatuses(batch) {
        const linesByCommit = new Map();
        for (const { commit, line } of batch) {
            linesByCommit.set(commit, [...(linesByCommit.get(commit) ?? []), line]);
        }
        const env = await this.commitIdentity();
        const push = ['push', this.remote, `${STATUS_NOTES_REF}:${STATUS_NOTES_REF}`];
        for (let attempt = 1;; attempt++) {
            await this.fetchNotes();
            for (const [commit, lines] of linesByCommit) {
                const existing = (await this.readNote(commit)).split('\n').filter((l) => l.trim() !== '');
                await this.git(['notes', `--ref=${STATUS_NOTES_REF}`, 'add', '--force', '--file=-', commit], {
                    input: `${[...existing, ...lines].join('\n')}\n`,
                    env,
                });
            }
            const result = await this.run(push);
            if (result.code === 0)
                return;
            if (attempt >= NOTES_PUSH_ATTEMPTS || !LOST_RACE.test(result.stderr)) {
                throw this.failure(push, result, attempt > 1 ? ` (after ${attempt} attempts)` : '');
            }
            await sleep(attempt * 80 + Math.random() * 120);
        }
    }
    /** Makes the local notes ref equal the remote's (removing it when the remote has none). */
    async fetchNotes() {
        const args = [...FETCH, this.remote, `+${STATUS_NOTES_REF}:${STATUS_NOTES_REF}`];
        const result = await this.run(args);
        if (result.code === 0)
            return;
        if (/couldn't find remote ref/i.test(result.stderr)) {
            await this.run(['update-ref', '-d', STATUS_NOTES_REF]);
            return;
        }
        throw this.failure(args, result);
    }
    async readNote(commit) {
        const args = ['notes', `--ref=${STATUS_NOTES_REF}`, 'show', commit];
        const result = await this.run(args);
        if (result.code === 0)
            return result.stdout.toString('utf8');
        if (/no note found/i.test(result.stderr))
            return '';
        throw this.failure(args, result);
    }
    serially(work) {
        const run = this.notesQueue.then(work, work);
        this.notesQueue = run.catch(() => undefined);
        return run;
    }
    // --- tags -------------------------------------------------------------------------------------
    async createTag(name, sha, message) {
        checkRefName('tag', name);
        const ref = `refs/tags/${name}`;
        const commit = await this.commitOf(sha);
        const existing = await this.getTag(name);
        if (existing)
            return sameTagOrConflict(existing, commit);
        const local = await this.localCommit(ref);
        if (local && local !== commit) {
            throw new _gitops_promote_core__WEBPACK_IMPORTED_MODULE_4__/* .ProviderError */ .mZ(`git tag ${name}`, undefined, `a local tag ${name} points at ${local.slice(0, 12)} but ${this.shownRemote} has no such tag; delete it (git tag -d ${name}) or choose another tag name`);
        }
        if (!local) {
            try {
                if (message === undefined) {
                    // update-ref with an empty old value: create only, and no tag.gpgSign prompt.
                    await this.git(['update-ref', ref, commit, '']);
                }
                else {
                    const tag = ['tag', '--annotate', '--no-sign', '--cleanup=whitespace', '--file=-', name, commit];
                    await this.git(tag, { input: message, env: await this.commitIdentity() });
                }
            }
            catch (e) {
                // Another run in this same clone made the tag a moment ago: the same commit is fine.
                if ((await this.localCommit(ref)) !== commit)
                    throw e;
            }
        }
        const push = ['push', this.remote, ref];
        const pushed = await this.run(push);
        if (pushed.code === 0)
            return { created: true, tag: { name, sha: commit } };
        // Another run may have pushed the same name since we looked; its tag wins, ours goes.
        const now = await this.getTag(name);
        if (!local)
            await this.run(['update-ref', '-d', ref]);
        if (now)
            return sameTagOrConflict(now, commit);
        throw this.failure(push, pushed);
    }
    async deleteTag(name) {
        checkRefName('tag', name);
        const ref = `refs/tags/${name}`;
        if (await this.getTag(name)) {
            const push = ['push', this.remote, '--delete', ref];
            const pushed = await this.run(push);
            if (pushed.code !== 0 && (await this.getTag(name)))
                throw this.failure(push, pushed);
        }
        await this.run(['update-ref', '-d', ref]);
    }
    async getTag(name) {
        const ref = `refs/tags/${name}`;
        const sha = (await this.lsRemote([ref, `${ref}^{}`])).get(ref);
        return sha ? { name, sha } : undefined;
    }
    async listTags(prefix) {
        // A glob pattern narrows what the server sends; names are still filtered exactly below.
        const patterns = /^[\w./-]*$/.test(prefix) ? [`refs/tags/${prefix}*`] : [];
        const refs = await this.lsRemote(patterns, ['--tags']);
        const tags = [];
        for (const [ref, sha] of refs) {
            const name = ref.slice('refs/tags/'.length);
            if (ref.startsWith('refs/tags/') && name.startsWith(prefix))
                tags.push({ name, sha });
        }
        return tags.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    }
    // --- branches and ancestry --------------------------------------------------------------------
    async branchSha(branch) {
        const ref = `refs/heads/${branch}`;
        return (await this.lsRemote([ref])).get(ref);
    }
    async isAncestor(sha, branch) {
        const ref = `refs/heads/${branch}`;
        const head = (await this.lsRemote([ref])).get(ref);
        if (!head)
            return false;
        // The whole history of the branch must be local for merge-base to be right (CI clones are shallow).
        if (!(await this.localCommit(head)) || (await this.isShallow()))
            await this.fetchRef(ref);
        const commit = FULL_SHA.test(sha) ? await this.localCommit(sha) : await this.commitOf(sha);
        // Not here after fetching the branch's full history: it cannot be in that history.
        if (!commit)
            return false;
        const args = ['merge-base', '--is-ancestor', commit, head];
        const result = await this.run(args);
        if (result.code === 0 || result.code === 1)
            return result.code === 0;
        throw this.failure(args, result);
    }
    // --- files and commits ------------------------------------------------------------------------
    async commitFiles(change) {
        checkRefName('branch', change.branch);
        const ref = `refs/heads/${change.branch}`;
        const base = await this.commitOf(change.base);
        const tree = await this.treeWithFiles(base, change.files);
        if (tree === (await this.git(['rev-parse', `${base}^{tree}`])))
            return undefined;
        const head = (await this.lsRemote([ref])).get(ref);
        if (head) {
            await this.ensureCommit(head, ref);
            if (tree === (await this.git(['rev-parse', `${head}^{tree}`])))
                return undefined;
        }
        const commit = await this.git(['commit-tree', '--no-gpg-sign', tree, '-p', base, '-F', '-'], {
            input: change.message,
            env: await this.commitIdentity(),
        });
        const push = ['push', ...(change.force ? ['--force'] : []), this.remote, `${commit}:${ref}`];
        const pushed = await this.run(push);
        if (pushed.code !== 0) {
            const diverged = /non-fast-forward|fetch first/.test(pushed.stderr);
            throw this.failure(push, pushed, diverged
                ? `; ${change.branch} has commits that are not on ${base.slice(0, 12)} (force replaces them)`
                : '');
        }
        return commit;
    }
    /** The tree of `base` with `files` written or deleted, built in a temporary index (the clone's stays as it is). */
    async treeWithFiles(base, files) {
        const dir = await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_1__.mkdtemp)((0,node_path__WEBPACK_IMPORTED_MODULE_3__.join)((0,node_os__WEBPACK_IMPORTED_MODULE_2__.tmpdir)(), 'gitops-promote-'));
        try {
            const env = { GIT_INDEX_FILE: (0,node_path__WEBPACK_IMPORTED_MODULE_3__.join)(dir, 'index') };
            await this.git(['read-tree', base], { env });
            const changes = files.map((file) => ({ path: repositoryPath(file.path), content: file.content }));
            const writes = changes.filter((c) => c.content !== null);
            const blobs = await (0,_gitops_promote_core__WEBPACK_IMPORTED_MODULE_4__/* .writeBlobs */ .Ci)((args, input) => this.git(args, { input }), dir, writes.map((w) => w.content));
            const executable = await this.executablePaths(base, writes.map((w) => w.path));
            const deleted = '0'.repeat(base.length);
            let written = 0;
            const records = changes.map(({ path, content }) => {
                if (content === null)
                    return `0 ${deleted}\t${path}\0`;
                return `${executable.has(path) ? '100755' : '100644'} ${blobs[written++]}\t${path}\0`;
            });
            await this.git(['update-index', '-z', '--index-info'], { input: records.join(''), env });
            return await this.git(['write-tree'], { env });
        }
        finally {
            await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_1__.rm)(dir, { recursive: true, force: true });
        }
    }
    /** Which of `paths` are executable files in `base` (their mode is kept when the content changes). */
    async executablePaths(base, paths) {
        if (paths.length === 0)
            return new Set();
        const listing = await this.run(['--literal-pathspecs', 'ls-tree', '-r', '-z', base, '--', ...paths]);
        const executable = new Set();
        for (const entry of listing.stdout.toString('utf8').split('\0')) {
            const tab = entry.indexOf('\t');
            if (tab > 0 && entry.startsWith('100755 '))
                executable.add(entry.slice(tab + 1));
        }
        return executable;
    }
    async readFile(path, ref) {
        const commit = await this.commitOf(ref);
        const request = `${commit}:${repositoryPath(path)}\n`;
        const result = await this.run(['cat-file', '--batch'], { input: request });
        if (result.code !== 0)
            throw this.failure(['cat-file', '--batch'], result);
        // `<oid> <type> <size>\n<content>\n`, or `<request> missing` for a path that is not there.
        const headerEnd = result.stdout.indexOf(10);
        const [, type, size] = result.stdout.subarray(0, headerEnd).toString('utf8').split(' ');
        if (type !== 'blob' || size === undefined)
            return undefined;
        return result.stdout.subarray(headerEnd + 1, headerEnd + 1 + Number(size)).toString('utf8');
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
    // --- resolving revisions against the remote ---------------------------------------------------
    /** The commit `rev` (full sha, branch, tag or `refs/…`) names on the remote, with its objects local. */
    async commitOf(rev) {
        if (FULL_SHA.test(rev)) {
            const local = await this.localCommit(rev);
            if (local)
                return local;
            const fetch = [...FETCH, this.remote, rev];
            const bySha = await this.run(fetch);
            // Servers that refuse unadvertised objects still hand over every branch and tag.
            if (bySha.code !== 0 && /not our ref|unadvertised|not allow/i.test(bySha.stderr)) {
                const refs = [...(await this.lsRemote([], ['--heads', '--tags'])).keys()];
                await this.run([...FETCH, '--stdin', this.remote], { input: `${refs.join('\n')}\n` });
            }
            const fetched = await this.localCommit(rev);
            if (fetched)
                return fetched;
            throw new _gitops_promote_core__WEBPACK_IMPORTED_MODULE_4__/* .ProviderError */ .mZ(this.shown(fetch), undefined, `no commit ${rev} on ${this.shownRemote}${bySha.code !== 0 ? ` (${this.reason(bySha)})` : ''}`);
        }
        const candidates = rev.startsWith('refs/') ? [rev] : [`refs/tags/${rev}`, `refs/heads/${rev}`];
        const refs = await this.lsRemote(candidates.flatMap((c) => [c, `${c}^{}`]));
        for (const candidate of candidates) {
            const sha = refs.get(candidate);
            if (sha) {
                await this.ensureCommit(sha, candidate);
                return sha;
            }
        }
        if (ABBREVIATED_SHA.test(rev)) {
            const local = await this.localCommit(rev);
            if (local)
                return local;
        }
        throw new _gitops_promote_core__WEBPACK_IMPORTED_MODULE_4__/* .ProviderError */ .mZ(this.shown(['ls-remote', this.remote, ...candidates]), undefined, `no branch, tag or commit named ${JSON.stringify(rev)} on ${this.shownRemote}`);
    }
    async ensureCommit(sha, ref) {
        if (!(await this.localCommit(sha)))
            await this.fetchRef(ref);
    }
    async fetchRef(ref) {
        const deepen = (await this.isShallow()) ? ['--unshallow'] : [];
        await this.git([...FETCH, ...deepen, this.remote, ref]);
    }
    async localCommit(rev) {
        const result = await this.run(['rev-parse', '--verify', '--quiet', `${rev}^{commit}`]);
        return result.code === 0 ? result.stdout.toString('utf8').trim() : undefined;
    }
    async isShallow() {
        return (await this.git(['rev-parse', '--is-shallow-repository'])) === 'true';
    }
    /** The remote's refs matching `patterns`, annotated tags peeled to their commit. */
    async lsRemote(patterns, flags = []) {
        const out = await this.git(['ls-remote', ...flags, this.remote, ...patterns]);
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
    /** Author and committer for notes, tags and commits; a clone without `user.name`/`user.email` still works. */
    commitIdentity() {
        this.identity ??= (0,_gitops_promote_core__WEBPACK_IMPORTED_MODULE_4__/* .commitIdentityEnv */ .Ju)((args) => this.run(args));
        return this.identity;
    }
    // --- running git ------------------------------------------------------------------------------
    /** Runs git and returns its trimmed stdout; a non-zero exit is a ProviderError naming the call. */
    async git(args, options = {}) {
        const result = await this.run(args, options);
        if (result.code !== 0)
            throw this.failure(args, result);
        return result.stdout.toString('utf8').trim();
    }
    /** Runs git without a shell (arguments are data) and never lets it prompt for credentials. */
    run(args, options = {}) {
        const env = {
            ...process.env,
            GIT_TERMINAL_PROMPT: '0',
            GCM_INTERACTIVE: 'never',
            LC_ALL: 'C',
            ...options.env,
        };
        // Inherited from a calling hook these would point git at another repository or index.
        for (const name of ['GIT_DIR', 'GIT_WORK_TREE', 'GIT_INDEX_FILE']) {
            if (!options.env?.[name])
                delete env[name];
        }
        return new Promise((resolve, reject) => {
            const child = (0,node_child_process__WEBPACK_IMPORTED_MODULE_0__.spawn)('git', args, { cwd: this.cwd, env, timeout: GIT_TIMEOUT_MS, stdio: 'pipe' });
            const stdout = [];
            const stderr = [];
            child.stdout.on('data', (chunk) => stdout.push(chunk));
            child.stderr.on('data', (chunk) => stderr.push(chunk));
            child.on('error', (error) => {
                const detail = error.code === 'ENOENT' ? 'git is not installed or not on PATH' : error.message;
                reject(new _gitops_promote_core__WEBPACK_IMPORTED_MODULE_4__/* .ProviderError */ .mZ(this.shown(args), undefined, mask(detail)));
            });
            child.on('close', (code, signal) => {
                const err = Buffer.concat(stderr).toString('utf8');
                resolve({
                    code: code ?? 128,
                    stdout: Buffer.concat(stdout),
                    stderr: signal ? `${err}\nfatal: git was stopped (${signal}) after ${GIT_TIMEOUT_MS / 1000}s` : err,
                });
            });
            // git may exit before reading its input (an early error); that is reported by its exit code.
            child.stdin.on('error', () => { });
            child.stdin.end(options.input ?? '');
        });
    }
    failure(args, result, suffix = '') {
        return new _gitops_promote_core__WEBPACK_IMPORTED_MODULE_4__/* .ProviderError */ .mZ(this.shown(args), undefined, `${this.reason(result)}${suffix}`);
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
/** Hides the user-info part of URLs (`https://user:token@host` → `https://***@host`). */
function maskCredentials(text) {
    return text.replace(/\b([a-z][a-z0-9+.-]*:\/\/)[^\s/@'"]+@/gi, '$1***@');
}
const mask = maskCredentials;
function sameTagOrConflict(existing, commit) {
    if (existing.sha === commit)
        return { created: false, tag: existing };
    throw new _gitops_promote_core__WEBPACK_IMPORTED_MODULE_4__/* .TagConflictError */ .P1(existing.name, existing.sha, commit);
}
function noPullRequests(method) {
    return new _gitops_promote_core__WEBPACK_IMPORTED_MODULE_4__/* .UnsupportedError */ .Wt(`${method}: pull requests need the github or azure provider (provider: github|azure); the git provider has statuses, tags and branches only`);
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
        throw new _gitops_promote_core__WEBPACK_IMPORTED_MODULE_4__/* .GitopsError */ .$n(`${JSON.stringify(name)} is not a valid Git ${kind} name: it ${problem}`);
}
/** A path inside the repository, `/`-separated, relative to its root. */
function repositoryPath(path) {
    const parts = path.split('/').filter((p) => p !== '' && p !== '.');
    if (parts.length === 0 || parts.some((p) => p === '..' || p === '.git') || /[\0\n]/.test(path)) {
        throw new _gitops_promote_core__WEBPACK_IMPORTED_MODULE_4__/* .GitopsError */ .$n(`${JSON.stringify(path)} is not a file path inside the repository`);
    }
    return parts.join('/');
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


/***/ })

};
