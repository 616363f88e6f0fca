export const id = 20;
export const ids = [20];
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

/***/ 9020:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   AzureRuntime: () => (/* binding */ AzureRuntime)
/* harmony export */ });
/* unused harmony exports azureName, azureContext */
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(3024);
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_fs__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_os__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(8161);
/* harmony import */ var node_os__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__webpack_require__.n(node_os__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(6760);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_2___default = /*#__PURE__*/__webpack_require__.n(node_path__WEBPACK_IMPORTED_MODULE_2__);
/* harmony import */ var azure_pipelines_task_lib_internal__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(8202);
/* harmony import */ var azure_pipelines_task_lib_task__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(358);
/* harmony import */ var azure_pipelines_task_lib_task__WEBPACK_IMPORTED_MODULE_4___default = /*#__PURE__*/__webpack_require__.n(azure_pipelines_task_lib_task__WEBPACK_IMPORTED_MODULE_4__);
/* harmony import */ var _log_safety__WEBPACK_IMPORTED_MODULE_6__ = __webpack_require__(6314);
/* harmony import */ var _hosting__WEBPACK_IMPORTED_MODULE_5__ = __webpack_require__(8653);







/** `working-directory` → `workingDirectory`: task.json names inputs and output variables in camelCase. */
function azureName(name) {
    return name.replace(/-([a-z0-9])/g, (_, c) => c.toUpperCase());
}
/** Azure Pipelines: inputs through the task library, outputs as output variables, uploaded summaries. */
class AzureRuntime {
    platform = 'azure';
    context;
    summaryFile;
    summaryText = '';
    constructor(env = process.env) {
        this.context = azureContext(env);
        // Before anything is logged: once registered, the agent masks a value wherever it appears.
        for (const name of _log_safety__WEBPACK_IMPORTED_MODULE_6__/* .SECRET_INPUTS */ .pH)
            this.setSecret(this.input(name));
        for (const name of _log_safety__WEBPACK_IMPORTED_MODULE_6__/* .TOKEN_VARIABLES */ .Yr)
            this.setSecret(env[name] ?? '');
        for (const name of _log_safety__WEBPACK_IMPORTED_MODULE_6__/* .CREDENTIAL_INPUTS */ .ms)
            for (const s of (0,_log_safety__WEBPACK_IMPORTED_MODULE_6__/* .credentialsIn */ .Wr)(this.input(name)))
                this.setSecret(s);
    }
    input(name) {
        if (QUIET.has(name))
            return quietInput(name);
        return azure_pipelines_task_lib_task__WEBPACK_IMPORTED_MODULE_4__.getInput(azureName(name), false) ?? '';
    }
    setOutput(name, value) {
        azure_pipelines_task_lib_task__WEBPACK_IMPORTED_MODULE_4__.setVariable(azureName(name), value, false, true);
    }
    secrets = new _log_safety__WEBPACK_IMPORTED_MODULE_6__/* .SecretSet */ .rE();
    /** Hides every registered secret in text that leaves the log (comments); the platform masks only logs. */
    mask(text) {
        return this.secrets.mask(text);
    }
    setSecret(value) {
        if (this.secrets.add(value))
            azure_pipelines_task_lib_task__WEBPACK_IMPORTED_MODULE_4__.setSecret(value);
    }
    debug(message) {
        azure_pipelines_task_lib_task__WEBPACK_IMPORTED_MODULE_4__.debug((0,_log_safety__WEBPACK_IMPORTED_MODULE_6__/* .neutraliseAzureCommands */ .u)(message));
    }
    info(message) {
        console.log((0,_log_safety__WEBPACK_IMPORTED_MODULE_6__/* .neutraliseAzureCommands */ .u)(message));
    }
    warning(message, a) {
        azure_pipelines_task_lib_task__WEBPACK_IMPORTED_MODULE_4__.logIssue(azure_pipelines_task_lib_task__WEBPACK_IMPORTED_MODULE_4__.IssueType.Warning, (0,_log_safety__WEBPACK_IMPORTED_MODULE_6__/* .neutraliseAzureCommands */ .u)(message), a?.file, a?.line, a?.column);
    }
    error(message, a) {
        azure_pipelines_task_lib_task__WEBPACK_IMPORTED_MODULE_4__.logIssue(azure_pipelines_task_lib_task__WEBPACK_IMPORTED_MODULE_4__.IssueType.Error, (0,_log_safety__WEBPACK_IMPORTED_MODULE_6__/* .neutraliseAzureCommands */ .u)(message), a?.file, a?.line, a?.column);
    }
    async group(title, fn) {
        console.log(`##[group]${(0,_log_safety__WEBPACK_IMPORTED_MODULE_6__/* .neutraliseAzureCommands */ .u)(title)}`);
        try {
            return await fn();
        }
        finally {
            console.log('##[endgroup]');
        }
    }
    async summary(markdown) {
        // One file per step, rewritten whole and uploaded once: repeated uploads would show repeated tabs.
        const first = this.summaryFile === undefined;
        if (first) {
            const dir = (0,node_fs__WEBPACK_IMPORTED_MODULE_0__.mkdtempSync)((0,node_path__WEBPACK_IMPORTED_MODULE_2__.join)(process.env.AGENT_TEMPDIRECTORY || (0,node_os__WEBPACK_IMPORTED_MODULE_1__.tmpdir)(), 'gitops-promote-'));
            this.summaryFile = (0,node_path__WEBPACK_IMPORTED_MODULE_2__.join)(dir, 'summary.md');
        }
        this.summaryText += this.secrets.mask(markdown);
        (0,node_fs__WEBPACK_IMPORTED_MODULE_0__.writeFileSync)(this.summaryFile, this.summaryText);
        if (first)
            azure_pipelines_task_lib_task__WEBPACK_IMPORTED_MODULE_4__.uploadSummary(this.summaryFile);
    }
    failed = false;
    fail(message) {
        this.failed = true;
        process.exitCode = 1;
        azure_pipelines_task_lib_task__WEBPACK_IMPORTED_MODULE_4__.setResult(azure_pipelines_task_lib_task__WEBPACK_IMPORTED_MODULE_4__.TaskResult.Failed, (0,_log_safety__WEBPACK_IMPORTED_MODULE_6__/* .neutraliseAzureCommands */ .u)(message));
    }
    /** Azure DevOps wants an explicit result line; a failure has already written one. */
    complete() {
        if (!this.failed)
            azure_pipelines_task_lib_task__WEBPACK_IMPORTED_MODULE_4__.setResult(azure_pipelines_task_lib_task__WEBPACK_IMPORTED_MODULE_4__.TaskResult.Succeeded, 'done');
    }
}
const QUIET = new Set([..._log_safety__WEBPACK_IMPORTED_MODULE_6__/* .SECRET_INPUTS */ .pH, ..._log_safety__WEBPACK_IMPORTED_MODULE_6__/* .CREDENTIAL_INPUTS */ .ms]);
/**
 * `tl.getInput` without its `##vso[task.debug]name=value` echo (written under System.Debug, before a
 * step could register the value as a secret). The library moves INPUT_* out of process.env into its
 * vault when it loads, so the value is read from there, under the key getInput uses.
 */
function quietInput(name) {
    return azure_pipelines_task_lib_internal__WEBPACK_IMPORTED_MODULE_3__._vault.retrieveSecret(`INPUT_${azure_pipelines_task_lib_internal__WEBPACK_IMPORTED_MODULE_3__._getVariableKey(azureName(name))}`) ?? '';
}
function short(ref) {
    if (!ref)
        return undefined;
    return ref.startsWith('refs/heads/') ? ref.slice(11) : ref;
}
function azureContext(env) {
    const pr = env.SYSTEM_PULLREQUEST_PULLREQUESTID || env.SYSTEM_PULLREQUEST_PULLREQUESTNUMBER;
    return {
        ref: env.BUILD_SOURCEBRANCH,
        sha: env.BUILD_SOURCEVERSION,
        event: env.BUILD_REASON,
        baseRef: short(env.SYSTEM_PULLREQUEST_TARGETBRANCH),
        headRef: short(env.SYSTEM_PULLREQUEST_SOURCEBRANCH),
        headSha: env.SYSTEM_PULLREQUEST_SOURCECOMMITID || undefined,
        pullRequestNumber: pr ? Number(pr) : undefined,
        repository: env.BUILD_REPOSITORY_NAME,
        workspace: env.BUILD_SOURCESDIRECTORY || env.BUILD_REPOSITORY_LOCALPATH || process.cwd(),
        tempDir: env.AGENT_TEMPDIRECTORY || undefined,
        hosting: (0,_hosting__WEBPACK_IMPORTED_MODULE_5__/* .azureHosting */ .Ol)(env),
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
