import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ROOT } from './support/bundle';

/** The README is the user's manual: it must name every input and output of every step, on both platforms. */
const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
const camel = (n: string) => n.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
const STEPS = [
  'determine-environment',
  'terraform-run',
  'check-previous-env',
  'promote-tag',
  'render-manifests',
  'promotion-board',
];

describe.each(STEPS)('README documents %s', (step) => {
  const action = parse(readFileSync(join(ROOT, 'packages', step, 'action.yml'), 'utf8')) as {
    inputs: Record<string, unknown>;
    outputs: Record<string, unknown>;
  };
  const task = JSON.parse(readFileSync(join(ROOT, 'packages', step, 'task.json'), 'utf8')) as {
    name: string;
  };

  it('with a uses: and a task: snippet', () => {
    expect(readme).toContain(`uses: gitops-promote/gitops-promote/packages/${step}@v1`);
    expect(readme).toContain(`task: ${task.name}@0`);
  });

  it('with every input and output under both names', () => {
    for (const name of [...Object.keys(action.inputs), ...Object.keys(action.outputs)]) {
      if (name === 'workflow-token') continue;
      expect(readme, name).toContain(`\`${name}\` / \`${camel(name)}\``);
    }
  });
});

describe('README commands', () => {
  it('names the two commands a new user runs, and they exist', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    expect(readme).toContain('npm run demo');
    expect(readme).toContain('npm test');
    expect(pkg.scripts.demo).toBeDefined();
    expect(pkg.scripts.test).toContain('vitest run');
    expect(readFileSync(join(ROOT, '.ci', 'run'), 'utf8')).toContain('npm test');
  });
});

describe('README flow diagrams', () => {
  const section = readme.slice(readme.indexOf('## The flows, drawn'), readme.indexOf('## Configuration'));
  const blocks = [...section.matchAll(/\*\*(\w+)\*\*[\s\S]*?```mermaid\n([\s\S]*?)```/g)].map((m) => ({
    flow: m[1]!,
    lines: m[2]!.trimEnd().split('\n'),
  }));
  const node = String.raw`[A-Z][A-Z0-9]*(?:\["[^"\]]+"\]|\{"[^"}]+"\})?`;
  const line = new RegExp(String.raw`^  ${node}(?: -->(?:\|[^|]+\|)? ${node})?$`);

  it('draws each seed flow as a Mermaid flowchart', () => {
    expect(blocks.map((b) => b.flow)).toEqual(['Kubestack', 'XKS', 'Fabrikate', 'Bedrock']);
  });

  it.each(['Kubestack', 'XKS', 'Fabrikate', 'Bedrock'])(
    '%s: plain flowchart syntax (nodes, labelled edges), each node defined once',
    (flow) => {
      const { lines } = blocks.find((b) => b.flow === flow)!;
      expect(lines[0]).toMatch(/^flowchart (LR|TD)$/);
      for (const l of lines.slice(1)) expect(l).toMatch(line);
      const defined = lines.flatMap((l) => [...l.matchAll(/([A-Z][A-Z0-9]*)[[{]"/g)].map((m) => m[1]!));
      expect(new Set(defined).size).toBe(defined.length);
      const used = lines
        .slice(1)
        .flatMap((l) => [...l.matchAll(/(?:^ {2}|--> (?:\|[^|]+\| )?)([A-Z][A-Z0-9]*)/g)].map((m) => m[1]!));
      for (const id of used) expect(defined, `${flow}: ${id} has no label`).toContain(id);
    },
  );
});
