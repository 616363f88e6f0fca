import { describe, expect, it } from 'vitest';
import { attributeChanges, attributeDiffText } from '../../src/terraform/attribute-diff';
import type { PlanJson } from '../../src/terraform/plan-json';
import { buildSyntheticPlan } from './fixtures/synthetic-plan.mjs';

function plan(changes: PlanJson['resource_changes']): PlanJson {
  return { format_version: '1.2', resource_changes: changes };
}

describe('attributeChanges', () => {
  it('lists what an update changes, masks sensitive values and names what forces a replacement', () => {
    const found = attributeChanges(
      plan([
        {
          address: 'aws_db_instance.main',
          type: 'aws_db_instance',
          change: {
            actions: ['delete', 'create'],
            before: { engine: 'postgres', version: '15', password: 'hunter2', tags: { team: 'a' } },
            after: { engine: 'postgres', version: '16', password: 'correct-horse', tags: { team: 'b' } },
            before_sensitive: { password: true },
            after_sensitive: { password: true },
            after_unknown: { id: true },
            replace_paths: [['version']],
          },
        },
        {
          address: 'terraform_data.same',
          change: { actions: ['no-op'], before: { a: 1 }, after: { a: 1 } },
        },
        { address: 'terraform_data.gone', change: { actions: ['delete'], before: { a: 1 }, after: null } },
      ]),
    );
    expect(found).toHaveLength(1);
    const text = attributeDiffText(found[0]!);
    expect(text).toBe(
      [
        '# aws_db_instance.main: replace',
        '+ id = (known after apply)',
        '- password = (sensitive value)',
        '+ password = (sensitive value)',
        '- tags.team = "a"',
        '+ tags.team = "b"',
        '- version = "15"',
        '+ version = "16"  # forces replacement',
      ].join('\n'),
    );
    expect(text).not.toMatch(/hunter2|correct-horse/);
  });

  it('does not list a sensitive value that stays the same, and masks a wholly sensitive object', () => {
    const [r] = attributeChanges(
      plan([
        {
          address: 'x.y',
          change: {
            actions: ['update'],
            before: { secret: 's1', config: { k: 'v1' }, name: 'a' },
            after: { secret: 's1', config: { k: 'v2' }, name: 'b' },
            before_sensitive: { secret: true, config: true },
            after_sensitive: { secret: true, config: true },
          },
        },
      ]),
    );
    expect(r!.attributes.map((a) => a.path)).toEqual(['config', 'name']);
    expect(attributeDiffText(r!)).not.toMatch(/v1|v2|s1/);
  });

  it('stays bounded on a plan of 10,000 resources', () => {
    const found = attributeChanges(buildSyntheticPlan({ resources: 10_000 }));
    expect(found.length).toBe(300);
    expect(found.every((r) => r.attributes.length <= 40)).toBe(true);
  });
});
