// The Azure DevOps tasks as the task editor and the agent read them: Microsoft's task.json schema, inputs
// of fixed choice as pickList (options = what the step accepts, asked of the built bundle), true/false
// inputs as boolean, groups and visible rules that name real inputs, help links into the README, an icon.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';
import { describe, expect, it } from 'vitest';
import { ROOT, runAzure } from './support/bundle';
import { gitFixture } from './support/git';

interface Input {
  name: string;
  type: string;
  label: string;
  defaultValue?: string | boolean;
  groupName?: string;
  visibleRule?: string;
  options?: Record<string, string>;
  properties?: { EditableOptions?: string };
  helpMarkDown?: string;
}
interface Task {
  name: string;
  helpUrl?: string;
  helpMarkDown: string;
  groups?: { name: string; displayName: string; visibleRule?: string }[];
  inputs: Input[];
}

/** task.json file → the bundle that runs it. */
const TASKS: Record<string, string> = Object.fromEntries([
  ['task.json', 'pipeline'],
  ...readdirSync(join(ROOT, 'packages'))
    .filter((d) => readdirSync(join(ROOT, 'packages', d)).includes('task.json'))
    .map((d) => [`packages/${d}/task.json`, d]),
]);
const read = (file: string) => JSON.parse(readFileSync(join(ROOT, file), 'utf8')) as Task;

/**
 * Microsoft's schema (azure-pipelines-task-lib tasks.schema.json, draft-04, commit a5e7ee0f of 2026-05):
 * read as draft-07, which says the same for the keywords it uses, once `id` is spelt `$id` (its patterns
 * are not Unicode patterns: `\:`).
 */
function taskSchema() {
  const {
    $schema: _,
    id,
    ...schema
  } = JSON.parse(readFileSync(join(ROOT, 'test', 'fixtures', 'azure-tasks.schema.json'), 'utf8'));
  return new Ajv({ allErrors: true, strict: false, unicodeRegExp: false }).compile({ $id: id, ...schema });
}

/** Inputs whose values are a fixed set, and those that are true or false: the editor offers a choice. */
const FIXED = ['operation', 'comment', 'requireReviewedPlan', 'strategy', 'renderer', 'mode', 'provider'];
const BOOLEAN = ['summary', 'status', 'requirePrevious'];

/** What a step needs besides the input under test to get as far as reading it. */
const PROBE: Record<string, Record<string, string>> = {
  'terraform-run': { environment: 'ops' },
  'check-previous-env': { environment: 'apps' },
  'render-manifests': { source: '.' },
  'promote-tag': {},
  pipeline: {},
  'determine-environment': {},
};

/** The README's headings as GitHub anchors them. */
const anchors = new Set(
  readFileSync(join(ROOT, 'README.md'), 'utf8')
    .split('\n')
    .filter((l) => /^#{1,6} /.test(l))
    .map((l) =>
      l
        .replace(/^#+ /, '')
        .trim()
        .toLowerCase()
        .replace(/[^\p{L}\p{N} _-]/gu, '')
        .replace(/ /g, '-'),
    ),
);

const validate = taskSchema();

describe.each(Object.keys(TASKS))('%s', (file) => {
  const task = read(file);
  const step = TASKS[file]!;

  it("is valid against Microsoft's task.json schema", () => {
    expect(validate(task), JSON.stringify(validate.errors, null, 2)).toBe(true);
  });

  it('offers fixed choices as pickList and true/false as boolean', () => {
    for (const input of task.inputs) {
      const fixed = FIXED.includes(input.name) || (input.name === 'command' && step === 'promote-tag');
      if (fixed) expect(input.type, input.name).toBe('pickList');
      if (BOOLEAN.includes(input.name)) {
        expect(input.type, input.name).toBe('boolean');
        expect(['true', 'false']).toContain(String(input.defaultValue));
      }
      if (input.type === 'pickList') {
        expect(Object.keys(input.options ?? {}).length, input.name).toBeGreaterThan(1);
        if (input.defaultValue !== undefined)
          expect(Object.keys(input.options!), input.name).toContain(input.defaultValue);
      }
    }
  });

  it('offers exactly the values the step accepts (asked of the bundle with a value it refuses)', async () => {
    const picks = task.inputs.filter(
      (i) => i.type === 'pickList' && i.properties?.EditableOptions !== 'True',
    );
    const fx = gitFixture({ 'README.md': 'x\n' });
    const sha = fx.git('rev-parse', 'HEAD');
    for (const input of [...picks, ...task.inputs.filter((i) => i.type === 'boolean')]) {
      const inputs: Record<string, string> = {
        ...PROBE[step],
        ...(input.name === 'command' ? { strategy: 'pull-request' } : {}),
        [input.name]: 'bogus',
      };
      const r = await runAzure(step, { cwd: fx.work, sha, inputs });
      expect(r.result, `${input.name}: ${r.stdout}`).toBe('Failed');
      const accepted = /"bogus" is not valid; use (?:one of )?(.+)$/.exec(r.failure ?? '')?.[1];
      expect(accepted, `${input.name}: ${r.failure}`).toBeDefined();
      const values = accepted!.split(/, | or /).sort();
      if (input.type === 'boolean') expect(values).toEqual(['false', 'true']);
      else expect(Object.keys(input.options!).sort(), input.name).toEqual(values);
    }
  }, 60_000);

  it('puts inputs in declared groups, with visible rules that name real inputs and values', () => {
    const groups = new Set((task.groups ?? []).map((g) => g.name));
    const byName = new Map(task.inputs.map((i) => [i.name, i]));
    for (const input of task.inputs)
      if (input.groupName) expect([...groups], input.name).toContain(input.groupName);
    const rules = [...(task.groups ?? []), ...task.inputs].flatMap((x) =>
      x.visibleRule ? [x.visibleRule] : [],
    );
    for (const rule of rules)
      for (const clause of rule.split(/\s*(?:&&|\|\|)\s*/)) {
        const [name, , value] = clause.split(/\s*(!=|=)\s*/);
        const input = byName.get(name!);
        expect(input, `${rule}: ${name} is no input`).toBeDefined();
        if (input?.options) expect(Object.keys(input.options), rule).toContain(value);
      }
  });

  it('links its help to the README section of the step', () => {
    const link = /\]\((https:\/\/github\.com\/gitops-promote\/gitops-promote#([\w-]+))\)/.exec(
      task.helpMarkDown,
    );
    expect(link, task.helpMarkDown).not.toBeNull();
    expect([...anchors]).toContain(link![2]);
    expect(task.helpUrl).toBe(link![1]);
  });
});

describe('the schema check', () => {
  it('refuses what Azure DevOps would refuse: an unknown input type, a property tasks do not have', () => {
    const good = read('packages/terraform-run/task.json');
    expect(validate(good)).toBe(true);
    expect(validate({ ...good, inputs: [{ ...good.inputs[0], type: 'dropdown' }] })).toBe(false);
    expect(validate({ ...good, colour: 'blue' })).toBe(false);
    expect(validate({ ...good, inputs: [{ name: 'x', type: 'string' }] })).toBe(false);
  });
});
