import { describe, expect, it } from 'vitest';
import {
  addressMatcher,
  compareParity,
  type Inventory,
  type PlanJson,
  parityHeadline,
  parityRecord,
  parseParityFile,
  parseRecordStatus,
  planInventory,
  RECORDS_KEPT,
  recordHash,
  recordStatusDescription,
  renderParity,
  withRecord,
} from '../../src/index';

const SHA = 'a'.repeat(40);
const inv = (entries: Record<string, string>): Inventory => new Map(Object.entries(entries));
const ops = (entries: Record<string, string>, kind: 'applied' | 'planned' = 'applied') =>
  parityRecord('ops', SHA, kind, inv(entries));

describe('planInventory', () => {
  it('keeps every managed resource instance with its action, no-ops included; data sources and deposed objects out', () => {
    const plan: PlanJson = {
      resource_changes: [
        { address: 'terraform_data.a', mode: 'managed', change: { actions: ['no-op'] } },
        { address: 'terraform_data.b', mode: 'managed', change: { actions: ['delete', 'create'] } },
        { address: 'terraform_data.c[0]', mode: 'managed', change: { actions: ['create'] } },
        { address: 'data.external.x', mode: 'data', change: { actions: ['read'] } },
        { address: 'terraform_data.b', mode: 'managed', deposed: 'abcd', change: { actions: ['delete'] } },
      ],
    };
    expect([...planInventory(plan)]).toEqual([
      ['terraform_data.a', 'no-op'],
      ['terraform_data.b', 'replace'],
      ['terraform_data.c[0]', 'create'],
    ]);
  });
});

describe('compareParity', () => {
  it('same actions on the same addresses: same', () => {
    const r = compareParity(
      'apps',
      inv({ 'x.a': 'create', 'x.b': 'no-op' }),
      ops({ 'x.a': 'create', 'x.b': 'no-op' }),
    );
    expect(r).toMatchObject({ result: 'same', unexercised: [], inventory: [], ignored: 0 });
    expect(r.record).toEqual({ sha: SHA, kind: 'applied' });
  });

  it('replace where the previous environment updated in place is an unexercised change naming both actions', () => {
    const r = compareParity('apps', inv({ 'x.a': 'replace' }), ops({ 'x.a': 'update' }));
    expect(r.result).toBe('differs');
    expect(r.unexercised).toEqual([{ address: 'x.a', action: 'replace', previous: 'update' }]);
    expect(r.inventory).toEqual([]);
    expect(parityHeadline(r)).toContain('replace x.a (ops: update)');
  });

  it('a create of what the previous environment never had is both an unexercised change and inventory drift', () => {
    const r = compareParity('apps', inv({ 'x.a': 'no-op', 'x.extra[0]': 'create' }), ops({ 'x.a': 'no-op' }));
    expect(r.unexercised).toEqual([{ address: 'x.extra[0]', action: 'create', previous: 'absent' }]);
    expect(r.inventory).toEqual([{ address: 'x.extra[0]', onlyIn: 'apps' }]);
  });

  it('a delete of what the previous environment kept; addresses only the previous environment has', () => {
    const r = compareParity('apps', inv({ 'x.a': 'delete' }), ops({ 'x.a': 'no-op', 'x.gone': 'update' }));
    expect(r.unexercised).toEqual([{ address: 'x.a', action: 'delete', previous: 'no-op' }]);
    expect(r.inventory).toEqual([{ address: 'x.gone', onlyIn: 'ops' }]);
  });

  it('a no-op or a read never counts as a change; what only the previous environment changed is no finding', () => {
    const r = compareParity(
      'apps',
      inv({ 'x.a': 'no-op', 'x.b': 'read' }),
      ops({ 'x.a': 'update', 'x.b': 'no-op' }),
    );
    expect(r.result).toBe('same');
  });

  it('parity.ignore exempts addresses on both sides and counts them', () => {
    const ignore = addressMatcher(['x.extra*', 'module.legacy.*']);
    const r = compareParity(
      'apps',
      inv({ 'x.extra[0]': 'create', 'x.a': 'no-op' }),
      ops({ 'x.a': 'no-op', 'module.legacy.x.b': 'no-op' }),
      ignore,
    );
    expect(r).toMatchObject({ result: 'same', ignored: 2 });
  });

  it('counts 10,000 addresses with differences on both sides', () => {
    const here = new Map<string, string>();
    const there: Record<string, string> = {};
    for (let i = 0; i < 10_000; i++) {
      here.set(`x.r[${i}]`, i % 3 === 0 ? 'replace' : 'update');
      if (i % 2 === 0) there[`x.r[${i}]`] = 'update';
      else there[`x.s[${i}]`] = 'no-op';
    }
    const r = compareParity(
      'apps',
      here,
      parityRecord('ops', SHA, 'applied', new Map(Object.entries(there))),
    );
    expect(r.unexercised.length).toBe(5_000 + 1_667);
    expect(r.inventory.length).toBe(10_000);
  });
});

describe('addressMatcher', () => {
  it('* is any characters, ? one; brackets, dots and quotes are literal', () => {
    const m = addressMatcher(['terraform_data.extra*', 'aws_instance.web[0]', 'module.dns["eu"].*', 'x.?']);
    expect(m('terraform_data.extra[0]')).toBe(true);
    expect(m('terraform_data.extras')).toBe(true);
    expect(m('aws_instance.web[0]')).toBe(true);
    expect(m('aws_instance.web0')).toBe(false);
    expect(m('module.dns["eu"].aws_route53_record.a')).toBe(true);
    expect(m('module.dns["us"].aws_route53_record.a')).toBe(false);
    expect(m('x.a')).toBe(true);
    expect(m('x.ab')).toBe(false);
    expect(m('terraform_dataXextra')).toBe(false);
    expect(addressMatcher([])('anything')).toBe(false);
  });
});

describe('the stored form', () => {
  it('the status carries the content hash, which changes with any action', () => {
    const r = ops({ 'x.a': 'update' });
    const status = recordStatusDescription(r);
    expect(status).toMatch(/^rec:[0-9a-f]{16} applied 1 resources$/);
    expect(parseRecordStatus(status)).toEqual({ hash: recordHash(r), kind: 'applied' });
    expect(recordHash(ops({ 'x.a': 'replace' }))).not.toBe(recordHash(r));
    expect(parseRecordStatus('fp:0123 +1 ~0 -0 ±0')).toBeUndefined();
  });

  it('keeps the newest records, one per commit, and reads only its own environment', () => {
    let text: string | undefined;
    for (let i = 0; i < RECORDS_KEPT + 2; i++) {
      const r = parityRecord('ops', String(i).repeat(40), 'applied', inv({ 'x.a': 'create' }));
      text = withRecord(parseParityFile(text, 'ops'), r);
    }
    const again = parityRecord('ops', '6'.repeat(40), 'applied', inv({ 'x.a': 'update' }));
    text = withRecord(parseParityFile(text, 'ops'), again);
    const records = parseParityFile(text, 'ops');
    expect(records.map((r) => r.sha[0])).toEqual(['6', '5', '4', '3', '2']);
    expect(records[0]!.resources).toEqual({ 'x.a': 'update' });
    expect(parseParityFile(text, 'apps')).toEqual([]);
    expect(parseParityFile('not json', 'ops')).toEqual([]);
  });
});

describe('renderParity', () => {
  it('shows both lists, readable, and says what was ignored', () => {
    const r = compareParity(
      'apps',
      inv({ 'x.a': 'replace', 'x.extra[0]': 'create', 'x.skip': 'create' }),
      ops({ 'x.a': 'update' }),
      addressMatcher(['x.skip']),
    );
    const text = renderParity(r);
    expect(text).toContain('#### Parity with ops: differs');
    expect(text).toContain(
      'Unexercised changes: apps would do what ops did not (applied on `aaaaaaaaaaaa`) (2):',
    );
    expect(text).toContain('- `replace` `x.a` — ops: update');
    expect(text).toContain('- `create` `x.extra[0]` — ops: no such resource');
    expect(text).toContain('Inventory drift: resources in one environment only (1):');
    expect(text).toContain('- `x.extra[0]` — only in apps');
    expect(text).toContain('1 difference(s) left out by parity.ignore.');
  });
});
