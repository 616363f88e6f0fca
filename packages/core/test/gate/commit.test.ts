import { describe, expect, it } from 'vitest';
import type { Environment } from '../../src/config/model';
import { environmentResult, gateMessage } from '../../src/gate/commit';
import type { CommitStatus, StatusState } from '../../src/provider';

const apps: Environment = {
  name: 'apps',
  workspace: 'apps',
  on: { tag: 'apps-deploy-*' },
  auto: false,
  index: 1,
};
const PATTERNS = ['gitops-promote/{env}', 'kustomization/{env}'];
const T0 = Date.parse('2026-11-30T12:00:00Z');

function flux(id: string, state: StatusState, at = T0): CommitStatus {
  return {
    context: `kustomization/apps/${id}`,
    state,
    description: '',
    createdAt: new Date(at).toISOString(),
  };
}
const SHA = 'a'.repeat(40);

describe('several clusters', () => {
  const known = ['kustomization/apps/eu-1', 'kustomization/apps/eu-2', 'kustomization/apps/us-1'];

  it('all: every known cluster green is success', () => {
    const r = environmentResult(
      [flux('eu-1', 'success'), flux('eu-2', 'success'), flux('us-1', 'success')],
      apps,
      PATTERNS,
      undefined,
      { known },
    );
    expect(r.state).toBe('success');
    expect(r.clusters.map((c) => `${c.id}:${c.state}`)).toEqual([
      'eu-1:success',
      'eu-2:success',
      'us-1:success',
    ]);
  });

  it('all: one failed fails, naming its id and every cluster state', () => {
    const r = environmentResult(
      [flux('eu-1', 'success'), flux('us-1', 'failure')],
      apps,
      PATTERNS,
      undefined,
      { known },
    );
    expect(r.state).toBe('failure');
    expect(gateMessage(r, apps, SHA, 60_000, PATTERNS)).toBe(
      'apps failed for commit aaaaaaaaaaaa: kustomization/apps/us-1: failure (cluster eu-1 success, cluster eu-2 missing, cluster us-1 failure)',
    );
  });

  it('all: a known cluster that has not reported is missing, named', () => {
    const r = environmentResult(
      [flux('eu-1', 'success'), flux('us-1', 'success')],
      apps,
      PATTERNS,
      undefined,
      { known },
    );
    expect(r.state).toBe('missing');
    expect(gateMessage(r, apps, SHA, 60_000, PATTERNS)).toContain(
      'apps has no result from cluster eu-2 for commit aaaaaaaaaaaa after 1m',
    );
  });

  it('any: the first success passes; a failure waits while another cluster may still report', () => {
    const rules = { known, require: 'any' as const };
    expect(
      environmentResult([flux('eu-1', 'failure'), flux('us-1', 'success')], apps, PATTERNS, undefined, rules)
        .state,
    ).toBe('success');
    expect(environmentResult([flux('eu-1', 'failure')], apps, PATTERNS, undefined, rules).state).toBe(
      'missing',
    );
    const all = [flux('eu-1', 'failure'), flux('eu-2', 'failure'), flux('us-1', 'error')];
    expect(environmentResult(all, apps, PATTERNS, undefined, rules).state).toBe('failure');
  });
});

describe('soak', () => {
  it('a success younger than the soak waits, saying how long is left; an older one passes', () => {
    const fresh = environmentResult([flux('eu-1', 'success', T0)], apps, PATTERNS, undefined, {
      soakMs: 1_800_000,
      now: T0 + 60_000,
    });
    expect([fresh.state, fresh.soakLeftMs]).toEqual(['pending', 1_740_000]);
    expect(gateMessage(fresh, apps, SHA, 60_000, PATTERNS, 1_800_000)).toContain(
      'but not 30m ago (the soak): 29m left',
    );
    const old = environmentResult([flux('eu-1', 'success', T0)], apps, PATTERNS, undefined, {
      soakMs: 1_800_000,
      now: T0 + 1_800_000,
    });
    expect(old.state).toBe('success');
  });

  it('all waits on the newest success, any on the oldest', () => {
    const statuses = [flux('eu-1', 'success', T0 - 3_600_000), flux('us-1', 'success', T0)];
    const rules = { soakMs: 1_800_000, now: T0 + 60_000 };
    expect(environmentResult(statuses, apps, PATTERNS, undefined, rules).state).toBe('pending');
    expect(environmentResult(statuses, apps, PATTERNS, undefined, { ...rules, require: 'any' }).state).toBe(
      'success',
    );
  });
});
