// Runners for the recipes as their platforms run them, for the parts the recipes use:
// - a GitHub composite action: `if:` and `${{ }}` expressions (inputs, steps.<id>.outputs, github.*;
//   ==, !=, &&, ||, string literals), each `run:` step by bash with the runner's flags, GITHUB_OUTPUT per
//   step, outputs from the action's `outputs:`;
// - an Azure Pipelines step template: `${{ parameters.x }}` filled in at compile time, each step's
//   `condition:` evaluated (and, or, not, eq, ne, in, startsWith, succeeded, variables['…']), each task
//   run by its bundle the way the agent runs it.
// Anything else in a recipe (a `uses:` step, another function) fails the test rather than being guessed.
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parse } from 'yaml';
import { type BundleRun, DIST, parseGitHubOutput, ROOT, runAzure } from './bundle';
import { tempDir } from './git';

interface CompositeStep {
  id: string;
  if?: string;
  shell?: string;
  run?: string;
  uses?: string;
  env?: Record<string, string>;
}
interface Composite {
  inputs: Record<string, { default?: string }>;
  outputs: Record<string, { value: string }>;
  runs: { using: string; steps: CompositeStep[] };
}

export interface CompositeRun {
  code: number;
  log: string;
  outputs: Record<string, string>;
  /** The ids of the steps that ran, in order. */
  ran: string[];
}

/** Evaluates the expressions a composite uses against its contexts; anything else throws. */
function githubExpressions(ctx: {
  inputs: Record<string, string>;
  steps: Record<string, Record<string, string>>;
  github: Record<string, string>;
}) {
  const operand = (e: string): string => {
    const m = /^(inputs|github|steps\.([\w-]+)\.outputs)\.([\w-]+)$/.exec(e);
    if (m) {
      if (m[1] === 'inputs') return ctx.inputs[m[3]!] ?? '';
      if (m[1] === 'github') return ctx.github[m[3]!] ?? '';
      return ctx.steps[m[2]!]?.[m[3]!] ?? '';
    }
    const lit = /^'(.*)'$/.exec(e);
    if (lit) return lit[1]!;
    throw new Error(`expression not understood by the test runner: ${e}`);
  };
  const comparison = (e: string): string => {
    const [l, op, r] = e.trim().split(/\s*(==|!=)\s*/);
    if (op === undefined) return operand(l!);
    return String(op === '==' ? operand(l!) === operand(r!) : operand(l!) !== operand(r!));
  };
  // GitHub's && and || return an operand (the first falsy, the first truthy), '' and 'false' being falsy.
  const truthy = (v: string) => v !== '' && v !== 'false';
  const value = (e: string): string => {
    for (const alt of e.split('||')) {
      const parts = alt.split('&&').map(comparison);
      const v = parts.find((p) => !truthy(p)) ?? parts[parts.length - 1]!;
      if (truthy(v)) return v;
    }
    return '';
  };
  return {
    value,
    truthy,
    expand: (s: string) => s.replace(/\$\{\{(.*?)\}\}/g, (_, e: string) => value(e.trim())),
  };
}

/** Runs a composite action (action.yml path relative to the repository) as the GitHub runner does. */
export async function runComposite(
  action: string,
  o: {
    cwd: string;
    env: Record<string, string>;
    inputs: Record<string, string>;
    github: Record<string, string>;
  },
): Promise<CompositeRun> {
  const file = join(ROOT, action);
  const def = parse(readFileSync(file, 'utf8')) as Composite;
  if (def.runs.using !== 'composite') throw new Error(`${action} is no composite action`);
  const steps: Record<string, Record<string, string>> = {};
  const inputs: Record<string, string> = {};
  const x = githubExpressions({ inputs, steps, github: o.github });
  for (const [k, v] of Object.entries(def.inputs)) inputs[k] = o.inputs[k] ?? x.expand(v.default ?? '');
  const dir = tempDir('gp-composite-');
  writeFileSync(join(dir, 'summary'), '');
  const log: string[] = [];
  const ran: string[] = [];
  for (const step of def.runs.steps) {
    if (step.uses)
      throw new Error(`${action}: step ${step.id} uses ${step.uses}; the test runner runs run: steps only`);
    if (step.if && !x.truthy(x.value(step.if))) continue;
    ran.push(step.id);
    const output = join(dir, `${step.id}.out`);
    writeFileSync(output, '');
    const env: Record<string, string> = {
      ...(process.env as Record<string, string>),
      ...o.env,
      GITHUB_ACTIONS: 'true',
      GITHUB_ACTION_PATH: dirname(file),
      GITHUB_OUTPUT: output,
      GITHUB_STEP_SUMMARY: join(dir, 'summary'),
    };
    for (const [k, v] of Object.entries(step.env ?? {})) env[k] = x.expand(String(v));
    // The bundles under test (GITOPS_PROMOTE_DIST) stand where the action finds its dist/.
    const command = step.run!.replace(/\$GITHUB_ACTION_PATH((?:\/\.\.)*)\/dist\b/g, (whole, up: string) =>
      resolve(dirname(file), `.${up}`, 'dist') === join(ROOT, 'dist') ? DIST : whole,
    );
    // Asynchronously: the API doubles answer from this same process.
    const r = await new Promise<{ code: number; stdout: string; stderr: string }>((done) =>
      execFile(
        'bash',
        ['--noprofile', '--norc', '-eo', 'pipefail', '-c', command],
        { cwd: o.cwd, env, encoding: 'utf8' },
        (err, stdout, stderr) => done({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr }),
      ),
    );
    log.push(r.stdout, r.stderr);
    if (r.code !== 0) return { code: r.code, log: log.join('\n'), outputs: {}, ran };
    steps[step.id] = readGitHubOutput(readFileSync(output, 'utf8'));
  }
  const outputs: Record<string, string> = {};
  for (const [k, v] of Object.entries(def.outputs)) outputs[k] = x.expand(v.value);
  return { code: 0, log: log.join('\n'), outputs, ran };
}

/** GITHUB_OUTPUT as the runner reads it: `name=value` lines and `name<<DELIMITER` blocks. */
function readGitHubOutput(text: string): Record<string, string> {
  const out = parseGitHubOutput(text);
  for (const line of text.split('\n')) {
    const m = /^([\w-]+)=(.*)$/.exec(line);
    if (m && !(m[1]! in out)) out[m[1]!] = m[2]!;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------

interface TemplateStep {
  task?: string;
  displayName?: string;
  condition?: string;
  inputs?: Record<string, string>;
  env?: Record<string, string>;
}

/** A condition of Azure Pipelines' expression syntax, for the functions the templates use. */
export function azureCondition(text: string, variables: Record<string, string>, succeeded: boolean): boolean {
  let at = 0;
  const skip = () => {
    while (text[at] === ' ') at++;
  };
  const expr = (): string | boolean | (string | boolean)[] => {
    skip();
    if (text[at] === "'") {
      const end = text.indexOf("'", at + 1);
      const s = text.slice(at + 1, end);
      at = end + 1;
      return s;
    }
    const v = /^variables\['([^']+)'\]/.exec(text.slice(at));
    if (v) {
      at += v[0].length;
      return variables[v[1]!] ?? '';
    }
    const f = /^(\w+)\(/.exec(text.slice(at));
    if (!f) throw new Error(`condition not understood by the test runner at ${at}: ${text}`);
    at += f[0].length;
    const args: (string | boolean | (string | boolean)[])[] = [];
    skip();
    while (text[at] !== ')') {
      args.push(expr());
      skip();
      if (text[at] === ',') at++;
      skip();
    }
    at++;
    const s = (i: number) => String(args[i]).toLowerCase();
    switch (f[1]) {
      case 'and':
        return args.every((a) => a === true);
      case 'or':
        return args.some((a) => a === true);
      case 'not':
        return args[0] !== true;
      case 'eq':
        return s(0) === s(1);
      case 'ne':
        return s(0) !== s(1);
      case 'in':
        return args.slice(1).some((_, i) => s(i + 1) === s(0));
      case 'startsWith':
        return s(0).startsWith(s(1));
      case 'succeeded':
        return succeeded;
      default:
        throw new Error(`function ${f[1]} not understood by the test runner: ${text}`);
    }
  };
  const result = expr();
  if (typeof result !== 'boolean') throw new Error(`condition is no boolean: ${text}`);
  return result;
}

/** The bundle that runs each of this extension's tasks. */
function bundleOf(task: string): string {
  const files = [
    'task.json',
    'packages/promote-tag/task.json',
    'packages/check-previous-env/task.json',
    'packages/render-manifests/task.json',
    'packages/terraform-run/task.json',
    'packages/determine-environment/task.json',
  ];
  for (const f of files) {
    const t = JSON.parse(readFileSync(join(ROOT, f), 'utf8')) as { name: string; version: { Major: number } };
    if (`${t.name}@${t.version.Major}` === task) return f === 'task.json' ? 'pipeline' : f.split('/')[1]!;
  }
  throw new Error(`${task} is not a task of this extension`);
}

export interface TemplateRun {
  /** The steps that ran, by display name, with what the agent saw. */
  ran: { displayName: string; run: BundleRun }[];
  failed: boolean;
}

/**
 * Runs a step template (path relative to the repository) as the agent runs the job it is included in:
 * parameters filled in, each condition evaluated on the build's variables, each task's bundle run.
 */
export async function runTemplate(
  template: string,
  o: {
    parameters: Record<string, string>;
    /** runAzure's options for every task (cwd, reason, branch, sha, env, pull request). */
    azure: Omit<Parameters<typeof runAzure>[1], 'inputs'>;
  },
): Promise<TemplateRun> {
  const t = parse(readFileSync(join(ROOT, template), 'utf8'), { schema: 'failsafe' }) as {
    parameters: { name: string; default?: string }[];
    steps: TemplateStep[];
  };
  const params: Record<string, string> = {};
  for (const p of t.parameters) params[p.name] = o.parameters[p.name] ?? p.default ?? '';
  const fill = (s: string) =>
    s.replace(/\$\{\{\s*parameters\.(\w+)\s*\}\}/g, (_, n: string) => {
      if (!(n in params)) throw new Error(`${template}: no parameter ${n}`);
      return params[n]!;
    });
  const variables = {
    'Build.Reason': o.azure.reason ?? 'IndividualCI',
    'Build.SourceBranch': o.azure.sourceBranch ?? 'refs/heads/main',
  };
  const ran: TemplateRun['ran'] = [];
  let failed = false;
  for (const step of t.steps) {
    if (!step.task) throw new Error(`${template}: the test runner runs task steps only`);
    if (!azureCondition(fill(step.condition ?? 'succeeded()'), variables, !failed)) continue;
    // An input left empty is as good as absent to the task library.
    const inputs = Object.fromEntries(
      Object.entries(step.inputs ?? {})
        .map(([k, v]) => [k, fill(v)])
        .filter(([, v]) => v !== ''),
    );
    const env = { ...o.azure.env };
    for (const [k, v] of Object.entries(step.env ?? {})) if (v !== '$(System.AccessToken)') env[k] = fill(v);
    const run = await runAzure(bundleOf(step.task), { ...o.azure, env, inputs });
    ran.push({ displayName: fill(step.displayName ?? step.task), run });
    if (run.result !== 'Succeeded') failed = true;
  }
  return { ran, failed };
}
