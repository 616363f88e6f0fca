import { describe, expect, it } from 'vitest';
import { freezeOf, parityOf, soakOf } from '../../src/board/signals';
import type { Config, Environment } from '../../src/config/model';

const apps: Environment = {
  name: 'apps',
  workspace: 'apps',
  on: { tag: 'apps-deploy-*' },
  auto: false,
} as Environment;

function config(over: Partial<Config['status']> = {}, freeze: Config['freeze'] = []): Config {
  return { status: { soakMs: 0, ...over }, freeze } as unknown as Config;
}

describe('board signals: the gate’s own freeze and soak, the plan’s recorded parity', () => {
  it('names the freeze window in force, and nothing outside it', () => {
    const now = Date.parse('2026-12-24T12:00:00Z');
    const window = {
      kind: 'once' as const,
      label: 'freeze[0] (2026-12-20T00:00:00Z - 2027-01-04T00:00:00Z)',
      environments: ['apps'],
      from: Date.parse('2026-12-20T00:00:00Z'),
      until: Date.parse('2027-01-04T00:00:00Z'),
    };
    const c = config({}, [window] as unknown as Config['freeze']);
    expect(freezeOf(c, apps, new Date(now))).toBe(
      'frozen by freeze[0] (2026-12-20T00:00:00Z - 2027-01-04T00:00:00Z), until 2027-01-04T00:00:00Z',
    );
    expect(freezeOf(c, apps, new Date('2027-01-05T00:00:00Z'))).toBe('');
    expect(freezeOf(c, { ...apps, name: 'ops' }, new Date(now))).toBe('');
  });

  it('says how long a success must still soak, in one unit', () => {
    const c = config({ soakMs: 30 * 60_000 });
    const now = new Date('2026-12-01T10:00:00Z');
    expect(soakOf(c, '2026-12-01T09:45:00Z', now)).toBe('soaking: 15m left of 30m');
    expect(soakOf(c, '2026-12-01T09:00:00Z', now)).toBe('');
    expect(soakOf(config(), '2026-12-01T09:59:00Z', now)).toBe('');
  });

  it('reads parity from the environment’s plan record on the commit', () => {
    const status = (description: string) => ({
      context: 'gitops-promote/apps/plan',
      state: 'success' as const,
      description,
      createdAt: '2026-12-01T00:00:00Z',
    });
    const observed = (description?: string) => ({
      env: apps,
      sha: 'a'.repeat(40),
      statuses: description ? [status(description)] : [],
    });
    expect(parityOf(observed('fp:0123456789abcdef +1 ~0 -0 ±0 parity:differs'))).toBe('differs');
    expect(parityOf(observed('fp:0123456789abcdef +1 ~0 -0 ±0 parity:same'))).toBe('same');
    expect(parityOf(observed('fp:0123456789abcdef +1 ~0 -0 ±0'))).toBe('unknown');
    expect(parityOf(observed())).toBe('unknown');
  });
});
