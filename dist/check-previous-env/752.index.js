export const id = 752;
export const ids = [752];
export const modules = {

/***/ 752:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  runCli: () => (/* binding */ runCli)
});

// UNUSED EXPORTS: parseFlags

// EXTERNAL MODULE: ./packages/core/src/index.ts + 68 modules
var src = __webpack_require__(3216);
// EXTERNAL MODULE: ./node_modules/fastest-levenshtein/mod.js
var mod = __webpack_require__(1916);
// EXTERNAL MODULE: external "node:child_process"
var external_node_child_process_ = __webpack_require__(1421);
// EXTERNAL MODULE: ./packages/platform/src/log-safety.ts
var log_safety = __webpack_require__(6314);
;// CONCATENATED MODULE: ./packages/platform/src/runtimes/terminal.ts


/** A terminal: inputs from `--name value` flags, outputs on stdout, logs on stderr. */
class TerminalRuntime {
    values;
    out;
    err;
    platform = 'terminal';
    context;
    outputs = {};
    failed = false;
    secrets = new log_safety/* SecretSet */.rE();
    depth = 0;
    constructor(values, cwd = process.cwd(), out = (l) => process.stdout.write(`${l}\n`), err = (l) => process.stderr.write(`${l}\n`), env = process.env) {
        this.values = values;
        this.out = out;
        this.err = err;
        this.context = gitContext(cwd);
        // Before anything is logged: a token given as --token or in the environment is masked everywhere.
        for (const name of log_safety/* SECRET_INPUTS */.pH)
            this.setSecret(this.input(name));
        for (const name of log_safety/* TOKEN_VARIABLES */.Yr)
            this.setSecret(env[name] ?? '');
        for (const name of log_safety/* CREDENTIAL_INPUTS */.ms)
            for (const s of (0,log_safety/* credentialsIn */.Wr)(this.input(name)))
                this.setSecret(s);
    }
    input(name) {
        return this.values[name] ?? '';
    }
    setOutput(name, value) {
        this.outputs[name] = value;
    }
    setSecret(value) {
        this.secrets.add(value);
    }
    /** Hides every registered secret in text that leaves the log (comments). */
    mask(text) {
        return this.secrets.mask(text);
    }
    log(text) {
        const pad = '  '.repeat(this.depth);
        for (const line of this.mask(text).split('\n'))
            this.err(`${pad}${line}`);
    }
    debug(message) {
        if (process.env.RUNNER_DEBUG === '1' || process.env.GITOPS_PROMOTE_DEBUG)
            this.log(`debug: ${message}`);
    }
    info(message) {
        this.log(message);
    }
    warning(message, a) {
        this.log(`warning: ${where(a)}${message}`);
    }
    error(message, a) {
        this.log(`error: ${where(a)}${message}`);
    }
    async group(title, fn) {
        this.log(`▸ ${title}`);
        this.depth++;
        try {
            return await fn();
        }
        finally {
            this.depth--;
        }
    }
    async summary(markdown) {
        if (process.env.GITOPS_PROMOTE_SUMMARY !== 'off')
            this.log(markdown.trimEnd());
    }
    fail(message) {
        this.failed = true;
        this.log(`error: ${message}`);
    }
    /** Prints the outputs as `name=value` lines (JSON-quoted when a value spans lines), or one JSON object. */
    printOutputs(json) {
        if (json) {
            this.out(this.mask(JSON.stringify(this.outputs, null, 2)));
            return;
        }
        for (const [k, v] of Object.entries(this.outputs))
            this.out(this.mask(`${k}=${/[\r\n]/.test(v) ? JSON.stringify(v) : v}`));
    }
}
function where(a) {
    if (!a?.file)
        return '';
    return `${a.file}${a.line ? `:${a.line}${a.column ? `:${a.column}` : ''}` : ''}: `;
}
function git(cwd, args) {
    try {
        return (0,external_node_child_process_.execFileSync)('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    }
    catch {
        return undefined;
    }
}
/** The checked-out branch (or the tag at HEAD) and commit of the repository in `cwd`. */
function gitContext(cwd) {
    const top = git(cwd, ['rev-parse', '--show-toplevel']);
    if (!top)
        return { workspace: cwd, event: 'push' };
    const branch = git(cwd, ['symbolic-ref', '-q', 'HEAD']);
    const tag = branch ? undefined : git(cwd, ['tag', '--points-at', 'HEAD'])?.split('\n')[0];
    return {
        ref: branch || (tag ? `refs/tags/${tag}` : undefined),
        sha: git(cwd, ['rev-parse', 'HEAD']),
        event: 'push',
        workspace: top,
    };
}

// EXTERNAL MODULE: ./packages/platform/src/services.ts
var services = __webpack_require__(6725);
;// CONCATENATED MODULE: ./packages/platform/src/cli.ts




const USAGE = `usage: gitops-promote <step> [--<input> <value> …] [--json]

steps:
${Object.values(src/* STEPS */.UT)
    .map((s) => `  ${s.name.padEnd(22)} ${s.description}`)
    .join('\n')}

Each --<input> is the step's input as in action.yml (e.g. --ref refs/tags/apps-deploy-1).
Outputs are printed as name=value lines; --json prints them as one JSON object.`;
/** Parses `--name value` / `--name=value` against the step's declared inputs. */
function parseFlags(step, args) {
    const values = {};
    let json = false;
    for (let i = 0; i < args.length; i++) {
        const arg = args[i];
        if (arg === '--json') {
            json = true;
            continue;
        }
        const m = /^--([a-z0-9-]+)(?:=([\s\S]*))?$/.exec(arg);
        if (!m)
            // Its value is not shown: a stray value is often a token given without --token.
            throw new Error(`unexpected argument ${i + 1} (${arg.length} characters, not shown: it may be a secret); inputs are given as --<input> <value>`);
        const name = m[1];
        if (!step.inputs.includes(name)) {
            const guess = (0,mod/* closest */.kp)(name, [...step.inputs]);
            throw new Error(`${step.name} has no input --${name}; did you mean --${guess}? Inputs: ${step.inputs.map((n) => `--${n}`).join(', ')}`);
        }
        let value = m[2];
        if (value === undefined) {
            value = args[++i];
            if (value === undefined)
                throw new Error(`--${name} needs a value`);
        }
        values[name] = value;
    }
    return { values, json };
}
/** `gitops-promote <step> --input value …`; returns the process exit code. */
async function runCli(argv) {
    const [name, ...rest] = argv;
    if (!name || name === '--help' || name === '-h' || name === 'help') {
        process.stdout.write(`${USAGE}\n`);
        return name ? 0 : 2;
    }
    const step = src/* STEPS */.UT[name];
    if (!step) {
        process.stderr.write(`gitops-promote: unknown step ${JSON.stringify(name)}; did you mean ${(0,mod/* closest */.kp)(name, Object.keys(src/* STEPS */.UT))}?\n\n${USAGE}\n`);
        return 2;
    }
    if (rest.includes('--help') || rest.includes('-h')) {
        process.stdout.write(`gitops-promote ${step.name}: ${step.description}\ninputs: ${step.inputs.map((n) => `--${n}`).join(' ')}\n`);
        return 0;
    }
    let parsed;
    try {
        parsed = parseFlags(step, rest);
    }
    catch (e) {
        process.stderr.write(`gitops-promote ${step.name}: ${e.message}\n`);
        return 2;
    }
    const rt = new TerminalRuntime(parsed.values);
    await (0,src/* runStep */.eg)(step, rt, (0,services/* createServices */.h)(rt));
    if (rt.failed)
        return 1;
    rt.printOutputs(parsed.json);
    return 0;
}


/***/ }),

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


/***/ })

};
