export const id = 74;
export const ids = [74];
export const modules = {

/***/ 2074:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   GitHubRuntime: () => (/* binding */ GitHubRuntime)
/* harmony export */ });
/* unused harmony export githubContext */
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(3024);
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_fs__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var _actions_core__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(6421);
/* harmony import */ var _log_safety__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(6314);



/** GitHub Actions: inputs from INPUT_*, outputs to GITHUB_OUTPUT, summary to GITHUB_STEP_SUMMARY. */
class GitHubRuntime {
    platform = 'github';
    context;
    constructor(env = process.env) {
        this.context = githubContext(env);
    }
    input(name) {
        return _actions_core__WEBPACK_IMPORTED_MODULE_1__/* .getInput */ .V4(name);
    }
    setOutput(name, value) {
        _actions_core__WEBPACK_IMPORTED_MODULE_1__/* .setOutput */ .uH(name, value);
    }
    setSecret(value) {
        if (value)
            _actions_core__WEBPACK_IMPORTED_MODULE_1__/* .setSecret */ .Pq(value);
    }
    debug(message) {
        _actions_core__WEBPACK_IMPORTED_MODULE_1__/* .debug */ .Yz((0,_log_safety__WEBPACK_IMPORTED_MODULE_2__/* .neutraliseGitHubCommands */ .W)(message));
    }
    info(message) {
        _actions_core__WEBPACK_IMPORTED_MODULE_1__/* .info */ .pq((0,_log_safety__WEBPACK_IMPORTED_MODULE_2__/* .neutraliseGitHubCommands */ .W)(message));
    }
    warning(message, a) {
        _actions_core__WEBPACK_IMPORTED_MODULE_1__/* .warning */ .$e((0,_log_safety__WEBPACK_IMPORTED_MODULE_2__/* .neutraliseGitHubCommands */ .W)(message), props(a));
    }
    error(message, a) {
        _actions_core__WEBPACK_IMPORTED_MODULE_1__/* .error */ .z3((0,_log_safety__WEBPACK_IMPORTED_MODULE_2__/* .neutraliseGitHubCommands */ .W)(message), props(a));
    }
    group(title, fn) {
        return _actions_core__WEBPACK_IMPORTED_MODULE_1__/* .group */ .Os((0,_log_safety__WEBPACK_IMPORTED_MODULE_2__/* .neutraliseGitHubCommands */ .W)(title), fn);
    }
    async summary(markdown) {
        if (!process.env.GITHUB_STEP_SUMMARY)
            return;
        try {
            await _actions_core__WEBPACK_IMPORTED_MODULE_1__/* .summary */ .z.addRaw(markdown, true).write();
        }
        catch (e) {
            // The summary is a report of the work, not the work: a summary that cannot be written fails nothing.
            _actions_core__WEBPACK_IMPORTED_MODULE_1__/* .summary */ .z.emptyBuffer();
            _actions_core__WEBPACK_IMPORTED_MODULE_1__/* .warning */ .$e(`the job summary could not be written: ${e.message}`);
        }
    }
    fail(message) {
        _actions_core__WEBPACK_IMPORTED_MODULE_1__/* .setFailed */ .C1((0,_log_safety__WEBPACK_IMPORTED_MODULE_2__/* .neutraliseGitHubCommands */ .W)(message));
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
