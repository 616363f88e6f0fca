export const id = 709;
export const ids = [709];
export const modules = {

/***/ 5709:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  runCli: () => (/* binding */ runCli)
});

// UNUSED EXPORTS: parseFlags

// EXTERNAL MODULE: ./packages/core/src/index.ts + 46 modules
var src = __webpack_require__(7909);
// EXTERNAL MODULE: ./node_modules/fastest-levenshtein/mod.js
var mod = __webpack_require__(1916);
// EXTERNAL MODULE: ./packages/platform/src/services.ts
var services = __webpack_require__(6725);
// EXTERNAL MODULE: external "node:child_process"
var external_node_child_process_ = __webpack_require__(1421);
;// CONCATENATED MODULE: ./packages/platform/src/terminal.ts

/** A terminal: inputs from `--name value` flags, outputs on stdout, logs on stderr. */
class TerminalRuntime {
    values;
    out;
    err;
    platform = 'terminal';
    context;
    outputs = {};
    failed = false;
    secrets = [];
    depth = 0;
    constructor(values, cwd = process.cwd(), out = (l) => process.stdout.write(`${l}\n`), err = (l) => process.stderr.write(`${l}\n`)) {
        this.values = values;
        this.out = out;
        this.err = err;
        this.context = gitContext(cwd);
    }
    input(name) {
        return this.values[name] ?? '';
    }
    setOutput(name, value) {
        this.outputs[name] = value;
    }
    setSecret(value) {
        if (value)
            this.secrets.push(value);
    }
    mask(text) {
        let t = text;
        for (const s of this.secrets)
            t = t.split(s).join('***');
        return t;
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
            throw new Error(`unexpected argument ${JSON.stringify(arg)}; inputs are given as --<input> <value>`);
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


/***/ })

};
