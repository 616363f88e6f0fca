// The Azure Pipelines YAML the project shows users (examples' pipelines, their step templates and the
// recipes' templates), checked as Azure DevOps reads it: every scalar a string, against Microsoft's
// pipeline schema; only built-in tasks besides this extension's, with inputs its task.json declares;
// conditions that respect failure; and a matrix fed by matrixAzure of the real determine-environment.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ROOT, runAzure } from './support/bundle';
import { gitFixture } from './support/git';

interface TaskJson {
  name: string;
  version: { Major: number };
  inputs: { name: string; type: string; options?: Record<string, string> }[];
  outputVariables: { name: string }[];
}
type Yaml = Record<string, unknown>;

const files = (dir: string, keep: (f: string) => boolean) =>
  readdirSync(join(ROOT, dir), { recursive: true, encoding: 'utf8' })
    .filter((f) => keep(f) && !f.includes('node_modules'))
    .map((f) => join(dir, f).split('\\').join('/'));

/** Pipelines and step templates: examples/**\/azure-pipelines*.yml, **\/templates/*.yml (examples, recipes). */
const PIPELINES = [
  ...files('examples', (f) => /(^|\/)(azure-pipelines[\w.-]*|templates\/[\w.-]+)\.ya?ml$/.test(f)),
  ...files('templates', (f) => /\.ya?ml$/.test(f)),
].sort();

/** Azure reads every scalar as a string (`maxParallel: 1` is "1"): the failsafe schema does the same. */
const readPipeline = (file: string) =>
  parse(readFileSync(join(ROOT, file), 'utf8'), { schema: 'failsafe' }) as Yaml;

/**
 * Microsoft's pipeline schema (azure-pipelines-vscode service-schema.json, trimmed: see its $comment)
 * and the built-in task names it lists.
 */
const schema = JSON.parse(
  readFileSync(join(ROOT, 'test', 'fixtures', 'azure-pipelines.schema.json'), 'utf8'),
);
const { $schema: _, ...draft07 } = schema;
const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
const validatePipeline = ajv.compile(draft07);
const validateMatrix = ajv.getSchema(`${draft07.$id}#/definitions/jobMatrix`)!;
const BUILT_IN = new Set(
  (
    JSON.parse(
      readFileSync(join(ROOT, 'test', 'fixtures', 'azure-pipelines-builtin-tasks.json'), 'utf8'),
    ) as string[]
  ).map((n) => n.toLowerCase()),
);

/** This extension's tasks by name: the root task.json and packages/*\/task.json. */
const OURS = new Map<string, TaskJson>(
  ['task.json', ...files('packages', (f) => /^[\w-]+\/task\.json$/.test(f))].map((f) => {
    const task = JSON.parse(readFileSync(join(ROOT, f), 'utf8')) as TaskJson;
    return [`${task.name}@${task.version.Major}`, task];
  }),
);

/** Every mapping in a YAML tree, with the path that leads to it. */
function* mappings(node: unknown, path = ''): Generator<[string, Yaml]> {
  if (Array.isArray(node)) for (const [i, item] of node.entries()) yield* mappings(item, `${path}[${i}]`);
  else if (node && typeof node === 'object') {
    yield [path, node as Yaml];
    for (const [k, v] of Object.entries(node)) yield* mappings(v, `${path}.${k}`);
  }
}

const isExpression = (value: string) => /\$\(|\$\{\{|\$\[/.test(value);

describe.each(PIPELINES)('%s', (file) => {
  const pipeline = readPipeline(file);

  it("is valid against Microsoft's Azure Pipelines schema", () => {
    expect(validatePipeline(pipeline), JSON.stringify(validatePipeline.errors?.slice(0, 5), null, 2)).toBe(
      true,
    );
  });

  it('uses built-in tasks and this extension’s only, with the inputs and values its tasks declare', () => {
    for (const [at, m] of mappings(pipeline)) {
      if (typeof m.task !== 'string') continue;
      const ours = OURS.get(m.task);
      expect(
        ours !== undefined || BUILT_IN.has(m.task.toLowerCase()),
        `${at}: ${m.task} is no built-in task`,
      ).toBe(true);
      if (!ours) continue;
      for (const [name, value] of Object.entries((m.inputs ?? {}) as Record<string, string>)) {
        const input = ours.inputs.find((i) => i.name === name);
        expect(input, `${at}: ${m.task} has no input ${name}`).toBeDefined();
        if (input?.options && !isExpression(value))
          expect(Object.keys(input.options), `${at}: ${name}`).toContain(value);
        if (input?.type === 'boolean' && !isExpression(value))
          expect(['true', 'false'], `${at}: ${name}`).toContain(value);
      }
    }
  });

  it('runs nothing after a failure by accident: every condition says succeeded() or how it handles failure', () => {
    for (const [at, m] of mappings(pipeline))
      if (typeof m.condition === 'string')
        expect(m.condition, at).toMatch(/\b(succeeded|failed|succeededOrFailed|always)\(\)/);
  });
});

describe('step templates included from the gitops-promote repository', () => {
  const includes = PIPELINES.flatMap((file) =>
    [...mappings(readPipeline(file))].flatMap(([at, m]) =>
      typeof m.template === 'string' && m.template.endsWith('@gitops-promote') ? [{ file, at, step: m }] : [],
    ),
  );

  it('are included by examples, from a repository resource that names this repository', () => {
    expect(includes.map((i) => i.step.template).sort()).toEqual(
      expect.arrayContaining([
        'templates/image-promotion.yml@gitops-promote',
        'templates/rendering.yml@gitops-promote',
      ]),
    );
    for (const { file } of includes) {
      const repos = ((readPipeline(file).resources as Yaml | undefined)?.repositories ?? []) as Yaml[];
      expect(
        repos.find((r) => r.repository === 'gitops-promote'),
        file,
      ).toMatchObject({
        type: 'github',
        name: 'gitops-promote/gitops-promote',
      });
    }
  });

  it('name a template of this repository and only the parameters it declares', () => {
    for (const { file, at, step } of includes) {
      const path = String(step.template).replace(/@gitops-promote$/, '');
      expect(PIPELINES, `${file} ${at}`).toContain(path);
      const declared = ((readPipeline(path).parameters ?? []) as Yaml[]).map((p) => p.name);
      for (const name of Object.keys((step.parameters ?? {}) as Yaml))
        expect(declared, `${file} ${at}`).toContain(name);
    }
  });
});

describe('a matrix from determine-environment (matrixAzure) in strategy.matrix', () => {
  /** Jobs whose strategy.matrix reads an output of another job, in the files that have them. */
  const users = PIPELINES.flatMap((file) =>
    [...mappings(readPipeline(file))].flatMap(([at, m]) => {
      const matrix = (m.strategy as Yaml | undefined)?.matrix;
      return typeof m.job === 'string' && typeof matrix === 'string' ? [{ file, at, job: m, matrix }] : [];
    }),
  );

  it('is used by an example, which reads matrixAzure of a determine-environment step of a job it depends on', () => {
    expect(users.length).toBeGreaterThan(0);
    for (const { file, at, job, matrix } of users) {
      const m = /^\$\[\s*dependencies\.(\w+)\.outputs\['(\w+)\.(\w+)'\]\s*\]$/.exec(matrix);
      expect(m, `${file} ${at}: ${matrix}`).not.toBeNull();
      const [, from, stepName, variable] = m!;
      expect([job.dependsOn].flat(), `${file} ${at}`).toContain(from);
      // The job it depends on, at the top level or in the same stage.
      const source = [...mappings(readPipeline(file))].map(([, j]) => j).find((j) => j.job === from);
      const step = (source?.steps as Yaml[] | undefined)?.find((s) => s.name === stepName);
      expect(step?.task, `${file}: job ${from} has no step named ${stepName}`).toBe(
        'GitopsPromoteDetermineEnvironment@0',
      );
      expect(variable).toBe('matrixAzure');
      expect(OURS.get('GitopsPromoteDetermineEnvironment@0')!.outputVariables.map((o) => o.name)).toContain(
        variable,
      );
    }
  });

  it.each([
    ['a push to main', 'refs/heads/main', ['ops', 'apps']],
    ['an apps deploy tag', 'refs/tags/apps-deploy-20260101000000', ['apps', 'apps_prod']],
    ['an apps-prod deploy tag', 'refs/tags/apps-prod-deploy-20260101000000', ['apps_prod']],
  ])('takes the value the task gives for %s as Azure takes a matrix', async (_title, ref, legs) => {
    const fx = gitFixture({
      'gitops-promote.yaml': readFileSync(join(ROOT, 'examples', 'kubestack', 'gitops-promote.yaml'), 'utf8'),
    });
    const r = await runAzure('determine-environment', {
      cwd: fx.work,
      sourceBranch: ref,
      sha: fx.git('rev-parse', 'HEAD'),
    });
    expect(r.result, r.stdout).toBe('Succeeded');
    const value = JSON.parse(r.outputs['matrix-azure']!) as Record<string, Record<string, string>>;
    expect(Object.keys(value)).toEqual(legs);
    // Azure: leg names of letters, digits and _ starting with a letter; each leg a map of string variables.
    for (const [leg, vars] of Object.entries(value)) {
      expect(leg).toMatch(/^[A-Za-z][A-Za-z0-9_]{0,99}$/);
      for (const v of Object.values(vars)) expect(typeof v).toBe('string');
    }
    for (const { file, at, job } of users) {
      // The runtime expression replaced by the value: the job is still a valid job of a valid pipeline.
      expect(validateMatrix(value), JSON.stringify(validateMatrix.errors)).toBe(true);
      const withValue = (node: unknown): unknown => {
        if (Array.isArray(node)) return node.map(withValue);
        if (!node || typeof node !== 'object') return node;
        const j = node as Yaml;
        if (j.job === job.job) return { ...j, strategy: { ...(j.strategy as Yaml), matrix: value } };
        return Object.fromEntries(Object.entries(j).map(([k, v]) => [k, withValue(v)]));
      };
      expect(validatePipeline(withValue(readPipeline(file))), `${file} ${at}`).toBe(true);
      // Every matrix variable the job's steps use is one every leg sets.
      const used = [...JSON.stringify(job.steps).matchAll(/\$\((\w+)\)/g)].map((m) => m[1]!);
      for (const vars of Object.values(value))
        for (const name of used.filter((n) => ['environment', 'operation', 'workspace'].includes(n)))
          expect(Object.keys(vars), name).toContain(name);
    }
  });
});

describe('the checks themselves', () => {
  it('refuse a pipeline Azure would refuse, a Marketplace task, and a condition that ignores failure', () => {
    const bad = parse(
      'steps:\n  - task: TerraformInstaller@1\n    condition: eq(variables.x, 1)\n  - scriptt: echo\n',
      { schema: 'failsafe' },
    );
    expect(validatePipeline(bad)).toBe(false);
    expect(BUILT_IN.has('terraforminstaller@1')).toBe(false);
    expect(BUILT_IN.has('bash@3')).toBe(true);
    expect(validateMatrix({ 'apps-prod': { environment: 'apps-prod' } })).toBe(true); // the schema is lax …
    expect('apps-prod').not.toMatch(/^[A-Za-z][A-Za-z0-9_]{0,99}$/); // … so leg names are checked above
    expect('eq(variables.x, 1)').not.toMatch(/\b(succeeded|failed|succeededOrFailed|always)\(\)/);
  });
});
