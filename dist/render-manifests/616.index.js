export const id = 616;
export const ids = [616];
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

/***/ 7616:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   GitHubRuntime: () => (/* binding */ GitHubRuntime)
/* harmony export */ });
/* unused harmony export githubContext */
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(3024);
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_fs__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var _actions_core__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(6421);
/* harmony import */ var _log_safety__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(6314);
/* harmony import */ var _hosting__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(8653);




/** GitHub Actions: inputs from INPUT_*, outputs to GITHUB_OUTPUT, summary to GITHUB_STEP_SUMMARY. */
class GitHubRuntime {
    platform = 'github';
    context;
    constructor(env = process.env) {
        this.context = githubContext(env);
        // Before anything is logged: the runner masks only values it was told about.
        const tokens = [..._log_safety__WEBPACK_IMPORTED_MODULE_3__/* .SECRET_INPUTS */ .pH.map((n) => this.input(n)), ..._log_safety__WEBPACK_IMPORTED_MODULE_3__/* .TOKEN_VARIABLES */ .Yr.map((n) => env[n] ?? '')];
        for (const token of tokens.filter(Boolean)) {
            this.setSecret(token);
            // Git over HTTPS sends it as basic auth: mask that form too, as actions/checkout does.
            this.setSecret(Buffer.from(`x-access-token:${token}`).toString('base64'));
        }
        for (const name of _log_safety__WEBPACK_IMPORTED_MODULE_3__/* .CREDENTIAL_INPUTS */ .ms)
            for (const s of (0,_log_safety__WEBPACK_IMPORTED_MODULE_3__/* .credentialsIn */ .Wr)(this.input(name)))
                this.setSecret(s);
    }
    input(name) {
        return _actions_core__WEBPACK_IMPORTED_MODULE_1__/* .getInput */ .V4(name);
    }
    setOutput(name, value) {
        _actions_core__WEBPACK_IMPORTED_MODULE_1__/* .setOutput */ .uH(name, value);
    }
    secrets = new _log_safety__WEBPACK_IMPORTED_MODULE_3__/* .SecretSet */ .rE();
    /** Hides every registered secret in text that leaves the log (comments); the platform masks only logs. */
    mask(text) {
        return this.secrets.mask(text);
    }
    setSecret(value) {
        if (this.secrets.add(value))
            _actions_core__WEBPACK_IMPORTED_MODULE_1__/* .setSecret */ .Pq(value);
    }
    debug(message) {
        _actions_core__WEBPACK_IMPORTED_MODULE_1__/* .debug */ .Yz((0,_log_safety__WEBPACK_IMPORTED_MODULE_3__/* .neutraliseGitHubCommands */ .Wb)(message));
    }
    info(message) {
        _actions_core__WEBPACK_IMPORTED_MODULE_1__/* .info */ .pq((0,_log_safety__WEBPACK_IMPORTED_MODULE_3__/* .neutraliseGitHubCommands */ .Wb)(message));
    }
    warning(message, a) {
        _actions_core__WEBPACK_IMPORTED_MODULE_1__/* .warning */ .$e((0,_log_safety__WEBPACK_IMPORTED_MODULE_3__/* .neutraliseGitHubCommands */ .Wb)(message), props(a));
    }
    error(message, a) {
        _actions_core__WEBPACK_IMPORTED_MODULE_1__/* .error */ .z3((0,_log_safety__WEBPACK_IMPORTED_MODULE_3__/* .neutraliseGitHubCommands */ .Wb)(message), props(a));
    }
    group(title, fn) {
        return _actions_core__WEBPACK_IMPORTED_MODULE_1__/* .group */ .Os((0,_log_safety__WEBPACK_IMPORTED_MODULE_3__/* .neutraliseGitHubCommands */ .Wb)(title), fn);
    }
    async summary(markdown) {
        if (!process.env.GITHUB_STEP_SUMMARY)
            return;
        try {
            await _actions_core__WEBPACK_IMPORTED_MODULE_1__/* .summary */ .z.addRaw(this.secrets.mask(markdown), true).write();
        }
        catch (e) {
            // The summary is a report of the work, not the work: a summary that cannot be written fails nothing.
            _actions_core__WEBPACK_IMPORTED_MODULE_1__/* .summary */ .z.emptyBuffer();
            _actions_core__WEBPACK_IMPORTED_MODULE_1__/* .warning */ .$e(`the job summary could not be written: ${e.message}`);
        }
    }
    fail(message) {
        _actions_core__WEBPACK_IMPORTED_MODULE_1__/* .setFailed */ .C1((0,_log_safety__WEBPACK_IMPORTED_MODULE_3__/* .neutraliseGitHubCommands */ .Wb)(message));
    }
}
function props(a) {
    if (!a)
        return undefined;
    return { title: a.title, file: a.file, startLine: a.line, startColumn: a.column };
}
function githubContext(env) {
    let payload = {};
    if (env.GITHUB_EVENT_PATH) {
        try {
            payload = JSON.parse((0,node_fs__WEBPACK_IMPORTED_MODULE_0__.readFileSync)(env.GITHUB_EVENT_PATH, 'utf8'));
        }
        catch {
            payload = {};
        }
    }
    const pr = payload.pull_request;
    const event = env.GITHUB_EVENT_NAME;
    // The delete event runs on the default branch; the deleted ref is in the payload.
    const ref = event === 'delete' && payload.ref
        ? `refs/${payload.ref_type === 'tag' ? 'tags' : 'heads'}/${payload.ref}`
        : env.GITHUB_REF;
    return {
        ref,
        sha: env.GITHUB_SHA,
        event,
        baseRef: pr?.base?.ref || env.GITHUB_BASE_REF || undefined,
        headRef: pr?.head?.ref || env.GITHUB_HEAD_REF || undefined,
        headSha: pr?.head?.sha,
        pullRequestNumber: pr?.number,
        deleted: payload.deleted === true || event === 'delete',
        repository: env.GITHUB_REPOSITORY,
        workspace: env.GITHUB_WORKSPACE || process.cwd(),
        tempDir: env.RUNNER_TEMP || undefined,
        hosting: (0,_hosting__WEBPACK_IMPORTED_MODULE_2__/* .githubHosting */ .Gw)(env),
    };
}


/***/ }),

/***/ 8653:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   Gw: () => (/* binding */ githubHosting),
/* harmony export */   Ol: () => (/* binding */ azureHosting)
/* harmony export */ });
/* unused harmony export hostingOf */
/* harmony import */ var _gitops_promote_core__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(3216);

/** GitHub (github.com or GitHub Enterprise Server at GITHUB_SERVER_URL): repositories as `owner/name`. */
function githubHosting(env) {
    const server = (env.GITHUB_SERVER_URL || 'https://github.com').replace(/\/+$/, '');
    return {
        origin: (0,_gitops_promote_core__WEBPACK_IMPORTED_MODULE_0__/* .originOf */ .yv)(env.GITHUB_SERVER_URL || 'https://github.com'),
        repositoryForms: 'give owner/name of a GitHub repository, a Git URL, or the path of a Git repository',
        repositoryNamed(value, self) {
            if (!/^[A-Za-z0-9-]+\/[A-Za-z0-9._-]+$/.test(value))
                return undefined;
            const name = value.replace(/\.git$/, '');
            if (self && name.toLowerCase() === self.toLowerCase())
                return { same: true };
            return { url: `${server}/${name}.git`, display: name };
        },
        authHeader: (token) => `AUTHORIZATION: basic ${Buffer.from(`x-access-token:${token}`).toString('base64')}`,
        // The workflow's GITHUB_TOKEN: GitHub starts no workflow for what it writes.
        isWorkflowToken: (token, workflowToken) => token === workflowToken,
    };
}
/** Azure DevOps: repositories by name in this project, or `project/name` in this collection. */
function azureHosting(env) {
    const collection = env.SYSTEM_COLLECTIONURI || env.SYSTEM_TEAMFOUNDATIONCOLLECTIONURI || '';
    const thisProject = env.SYSTEM_TEAMPROJECT;
    return {
        origin: (0,_gitops_promote_core__WEBPACK_IMPORTED_MODULE_0__/* .originOf */ .yv)(collection),
        repositoryForms: 'give the name of a repository in this project (or project/name), a Git URL, or the path of a Git repository',
        repositoryNamed(value, self) {
            if (!/^[^/\\]+(\/[^/\\]+)?$/.test(value))
                return undefined;
            const [project, name] = value.includes('/')
                ? value.split('/')
                : [thisProject || '', value];
            if (self &&
                name.toLowerCase() === self.toLowerCase() &&
                (!value.includes('/') || project.toLowerCase() === (thisProject ?? '').toLowerCase()))
                return { same: true };
            if (!collection || !project)
                return {
                    problem: 'another Azure DevOps repository by name needs SYSTEM_COLLECTIONURI and SYSTEM_TEAMPROJECT (set on Azure Pipelines agents); or give its clone URL',
                };
            const url = `${collection.replace(/\/*$/, '/')}${encodeURIComponent(project)}/_git/${encodeURIComponent(name)}`;
            return { url, display: value };
        },
        authHeader: (token) => `AUTHORIZATION: bearer ${token}`,
        isWorkflowToken: () => false,
    };
}
/** The hosting service of a platform as its environment describes it; none from a terminal. */
function hostingOf(platform, env) {
    if (platform === 'github')
        return githubHosting(env);
    if (platform === 'azure')
        return azureHosting(env);
    return undefined;
}


/***/ })

};
