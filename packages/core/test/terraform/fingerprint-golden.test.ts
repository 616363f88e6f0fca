import { describe, expect, it } from 'vitest';
import { planFingerprint } from '../../src/terraform/fingerprint';
import type { PlanJson } from '../../src/terraform/plan-json';
import { buildSyntheticPlan } from './fixtures/synthetic-plan.mjs';

// Fingerprints are recorded in commit statuses and compared with fresh plans on apply: a plan must hash
// to the same value in every version. These values were computed by the first implementation (a canonical
// string per change); any rewrite of the fingerprint must reproduce them byte for byte.
const text = (plan: unknown): PlanJson => JSON.parse(JSON.stringify(plan)) as PlanJson;
const raw = (json: string): PlanJson => JSON.parse(json) as PlanJson;

const rc = (address: string, change: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  address,
  mode: 'managed',
  type: 'terraform_data',
  name: 'x',
  ...extra,
  change,
});

const FIXTURES: Record<string, PlanJson> = {
  empty: {},
  'no changes': text({ resource_changes: [], output_changes: {} }),
  'synthetic 60': text(buildSyntheticPlan({ resources: 60 })),
  'synthetic 60, seed 7': text(buildSyntheticPlan({ resources: 60, seed: 7 })),
  'unknown and sensitive, nested': text({
    resource_changes: [
      rc('terraform_data.a', {
        actions: ['update'],
        before: { a: 1, list: [1, 2], obj: { s: 'x', n: null }, secret: 'p', deep: { k: ['v'] } },
        after: { a: 2, list: [1], obj: { s: 'y' }, deep: { k: ['w', 'z'] } },
        after_unknown: { list: [false, true, true], obj: { n: true, m: false }, extra: true, deep: true },
        before_sensitive: { secret: true, list: [false, true], obj: {} },
        after_sensitive: { secret: true, deep: { k: [true] }, a: false },
      }),
      rc('terraform_data.b', {
        actions: ['create'],
        before: null,
        after_unknown: true,
        before_sensitive: false,
        after_sensitive: true,
      }),
      rc('terraform_data.c', {
        actions: ['create'],
        before: null,
        after_unknown: { id: true, tags: { x: true }, l: [true, {}] },
        after_sensitive: false,
      }),
      rc('terraform_data.d', {
        actions: ['create'],
        before: null,
        after: null,
        after_unknown: { id: true },
      }),
      rc('terraform_data.e', {
        actions: ['update'],
        before: 'scalar',
        after: { o: 1 },
        after_unknown: [true, { x: true }],
        after_sensitive: [false, true],
      }),
      rc('terraform_data.f', {
        actions: ['update'],
        before: [1, 2, 3],
        after: 5,
        after_unknown: { p: true },
        before_sensitive: [true],
      }),
      rc('terraform_data.g', {
        actions: ['update'],
        before: { x: [{ y: 1 }] },
        after: { x: [{ y: 2 }], z: true },
        after_unknown: { x: [{ y: false, q: true }] },
        after_sensitive: { x: true },
      }),
    ],
  }),
  'keys and values that need care': raw(
    JSON.stringify({
      resource_changes: [
        rc('terraform_data["é\\"q\\u2028"]', {
          actions: ['update'],
          before: { b: 1, a: 2, B: 3, _: 4, é: 5, '10': 6, '2': 7, '1': 8, '': 9, 'a"b': 10, 'x\ny': 11 },
          after: {
            __proto__x: 1,
            constructor: 'c',
            toString: 'y',
            hasOwnProperty: 3,
            valueOf: null,
            emoji: '😀 \u0000 \t \u001f \u007f \u2028 \\ "',
            numbers: [0, -0, 1e21, 1e-7, 0.1, 123456789012345680000, -1.5, 9007199254740992],
            bools: [true, false, null],
            empty: { o: {}, l: [], s: '' },
            𝔘: 'astral key',
            ﬀ: 'bmp key after surrogates',
          },
          after_unknown: { toString: false, constructor: true, hasOwnProperty: { x: true } },
          before_sensitive: { a: true, '10': true },
          after_sensitive: { valueOf: true, empty: { o: true } },
        }),
      ],
    }).replace('"__proto__x"', '"__proto__"'),
  ),
  'lone surrogates and escapes': raw(
    '{"resource_changes":[{"address":"terraform_data.s","change":{"actions":["update"],' +
      '"before":{"k\\ud800":"\\udc00x","\\ud83d\\ude00":"pair"},"after":{"v":"\\ud800\\ud800","w":"\\/\\b\\f"},' +
      '"after_unknown":{},"before_sensitive":{},"after_sensitive":{}}}],' +
      '"output_changes":{"o\\ud800":{"actions":["create"],"before":null,"after":"\\udfff","after_unknown":false}}}',
  ),
  'no-ops, moves, imports, deposed, duplicates': text({
    resource_changes: [
      rc('terraform_data.z', { actions: ['no-op'], before: { a: 1 }, after: { a: 1 } }),
      rc(
        'terraform_data.moved',
        { actions: ['no-op'], before: { a: 1 }, after: { a: 1 } },
        {
          previous_address: 'terraform_data.old',
        },
      ),
      rc('terraform_data.imp', {
        actions: ['no-op'],
        before: null,
        after: { id: 'i' },
        importing: { id: 'i-123' },
      }),
      rc('terraform_data.imp2', {
        actions: ['no-op'],
        after: { id: 'j' },
        importing: { identity: { id: 'j' } },
      }),
      rc('terraform_data.r', { actions: ['delete'], before: { a: 1 }, after: null }, { deposed: 'abcd1234' }),
      rc('terraform_data.r', { actions: ['create', 'delete'], before: { a: 1 }, after: { a: 2 } }),
      rc('terraform_data.r', { actions: ['delete'], before: { a: 0 }, after: null }, { deposed: '0000' }),
      rc('terraform_data.dup', { actions: ['update'], before: 1, after: 2 }),
      rc('terraform_data.dup', { actions: ['update'], before: 3, after: 4 }),
      rc('module.m["a"].terraform_data.x[0]', { actions: ['read'], before: null, after: { r: 1 } }),
      rc('terraform_data.forget', { actions: ['forget'], before: { a: 1 } }),
      rc('terraform_data.multi', { actions: ['create', 'delete', 'update'] }),
    ],
    output_changes: {
      b: { actions: ['update'], before: [1], after: { x: 1 }, after_unknown: { y: true } },
      a: { actions: ['create'], before: null, after_unknown: true, after_sensitive: false },
      s: { actions: ['create'], before: null, after: 'pw', after_sensitive: true, before_sensitive: true },
      n: { actions: ['no-op'], before: 1, after: 1 },
      '': { actions: ['delete'], before: { deep: [1, { x: null }] }, after: null },
    },
  }),
  'addresses with NUL, shared prefixes, numbers': text({
    resource_changes: [
      'a.b\u0000x',
      ['a.b', 'z'],
      'a.b',
      ['a.b\u0000', 'y'],
      'a.bc',
      ['a.b', '\u0000'],
      'a',
      7,
      '7',
    ].map((k) => {
      const [address, deposed] = Array.isArray(k) ? k : [k];
      return {
        address,
        ...(deposed ? { deposed } : {}),
        change: { actions: ['update'], before: { a: address }, after: { a: 1 } },
      };
    }),
  }),
  'missing and odd addresses, ids and output names': text({
    resource_changes: [
      { change: { actions: ['create'], before: null, after: { a: 1 } } },
      { address: null, change: { actions: ['create'], after: 2 } },
      {
        address: { x: 1 },
        previous_address: 'p',
        deposed: 'd',
        change: { actions: ['update'], importing: { id: 5 }, before: 1, after: 2 },
      },
      {
        address: 'a.b',
        previous_address: null,
        change: { actions: ['delete'], importing: {}, before: [1], after: null },
      },
    ],
    output_changes: {
      '': { actions: ['create'], after: null },
      'é"': { actions: ['update'], before: 1, after: 2 },
    },
  }),
  'unknown structures that are arrays where the value is not': text({
    resource_changes: [
      ['a.n', 5, []],
      ['a.o', { a: 1 }, []],
      ['a.e', [], [false]],
      ['a.s', 'x', [], { after_sensitive: [] }],
      ['a.u', undefined, []],
      ['a.l', [1, [2, { b: 3 }]], [false, [false, {}]]],
    ].map(([address, after, after_unknown, extra]) => ({
      address,
      change: { actions: ['update'], before: null, after, after_unknown, ...(extra as object) },
    })),
  }),
};

const EXPECTED: Record<string, string> = {
  'unknown structures that are arrays where the value is not':
    'b513d9d9522959ed2771fa8b8ce1f9a871e6cb7fafacd010679bbd1f56aedbdd',
  'missing and odd addresses, ids and output names':
    '568a55f2fb41a4388ac8791c4a202c7204f5408b44875a49de7b208e7b1cad42',
  'addresses with NUL, shared prefixes, numbers':
    '31a6e201748be67d72f317f2fcba42591f268f5d6c95a09ab1cb72bde984e55a',
  empty: 'd5f2b962cde6fcd991f88b9092ca1b5c15fecffa9ca3bbf67264bf940b42105f',
  'no changes': 'd5f2b962cde6fcd991f88b9092ca1b5c15fecffa9ca3bbf67264bf940b42105f',
  'synthetic 60': 'abaf96c688d0e6d9b72cbca3f8588c80f860df0c62a9326b633730cdcb2142a3',
  'synthetic 60, seed 7': 'edf835125f337ad59074ad2f0447e14c5859fdde1013a8fbb72163df472c8863',
  'unknown and sensitive, nested': 'c07550aa7a13cfd01e5de9d2741a128be6f3785296aafbd5c75860ee46bd6440',
  'keys and values that need care': 'a0a5769a06ceccee63961b777646f155aff42defe428a4c0d0b1764cf29bce21',
  'lone surrogates and escapes': 'caf6cd15d7e36c4a8868c4e8c0be9667b73ff7f7c12138dc62b10aada6c5f0b9',
  'no-ops, moves, imports, deposed, duplicates':
    '57960298828829b126734ea0f661b9d2102e1fa4aacf28b9dac0b04ac38a395d',
};

describe('planFingerprint values recorded by earlier versions', () => {
  for (const [name, plan] of Object.entries(FIXTURES))
    it(name, () => {
      expect(planFingerprint(plan)).toBe(EXPECTED[name]);
    });
});
