export const id = 738;
export const ids = [738];
export const modules = {

/***/ 4738:
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
/* harmony import */ var azure_pipelines_task_lib_task__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(358);
/* harmony import */ var azure_pipelines_task_lib_task__WEBPACK_IMPORTED_MODULE_3___default = /*#__PURE__*/__webpack_require__.n(azure_pipelines_task_lib_task__WEBPACK_IMPORTED_MODULE_3__);
/* harmony import */ var _log_safety__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(6314);





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
    }
    input(name) {
        return azure_pipelines_task_lib_task__WEBPACK_IMPORTED_MODULE_3__.getInput(azureName(name), false) ?? '';
    }
    setOutput(name, value) {
        azure_pipelines_task_lib_task__WEBPACK_IMPORTED_MODULE_3__.setVariable(azureName(name), value, false, true);
    }
    setSecret(value) {
        if (value)
            azure_pipelines_task_lib_task__WEBPACK_IMPORTED_MODULE_3__.setSecret(value);
    }
    debug(message) {
        azure_pipelines_task_lib_task__WEBPACK_IMPORTED_MODULE_3__.debug((0,_log_safety__WEBPACK_IMPORTED_MODULE_4__/* .neutraliseAzureCommands */ .u)(message));
    }
    info(message) {
        console.log((0,_log_safety__WEBPACK_IMPORTED_MODULE_4__/* .neutraliseAzureCommands */ .u)(message));
    }
    warning(message, a) {
        azure_pipelines_task_lib_task__WEBPACK_IMPORTED_MODULE_3__.logIssue(azure_pipelines_task_lib_task__WEBPACK_IMPORTED_MODULE_3__.IssueType.Warning, (0,_log_safety__WEBPACK_IMPORTED_MODULE_4__/* .neutraliseAzureCommands */ .u)(message), a?.file, a?.line, a?.column);
    }
    error(message, a) {
        azure_pipelines_task_lib_task__WEBPACK_IMPORTED_MODULE_3__.logIssue(azure_pipelines_task_lib_task__WEBPACK_IMPORTED_MODULE_3__.IssueType.Error, (0,_log_safety__WEBPACK_IMPORTED_MODULE_4__/* .neutraliseAzureCommands */ .u)(message), a?.file, a?.line, a?.column);
    }
    async group(title, fn) {
        console.log(`##[group]${(0,_log_safety__WEBPACK_IMPORTED_MODULE_4__/* .neutraliseAzureCommands */ .u)(title)}`);
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
        this.summaryText += markdown;
        (0,node_fs__WEBPACK_IMPORTED_MODULE_0__.writeFileSync)(this.summaryFile, this.summaryText);
        if (first)
            azure_pipelines_task_lib_task__WEBPACK_IMPORTED_MODULE_3__.uploadSummary(this.summaryFile);
    }
    failed = false;
    fail(message) {
        this.failed = true;
        process.exitCode = 1;
        azure_pipelines_task_lib_task__WEBPACK_IMPORTED_MODULE_3__.setResult(azure_pipelines_task_lib_task__WEBPACK_IMPORTED_MODULE_3__.TaskResult.Failed, (0,_log_safety__WEBPACK_IMPORTED_MODULE_4__/* .neutraliseAzureCommands */ .u)(message));
    }
    /** Azure DevOps wants an explicit result line; a failure has already written one. */
    complete() {
        if (!this.failed)
            azure_pipelines_task_lib_task__WEBPACK_IMPORTED_MODULE_3__.setResult(azure_pipelines_task_lib_task__WEBPACK_IMPORTED_MODULE_3__.TaskResult.Succeeded, 'done');
    }
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
    };
}


/***/ }),

/***/ 6314:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   W: () => (/* binding */ neutraliseGitHubCommands),
/* harmony export */   u: () => (/* binding */ neutraliseAzureCommands)
/* harmony export */ });
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


/***/ })

};
