import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../src/index';

const ENVS = 'environments:\n  - name: ops\n  - name: apps\n  - name: apps-prod\n';

function issuesOf(text: string) {
  try {
    parseConfig(text, 'gitops-promote.yaml', 'gitops-promote');
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as ConfigError).issues.map((i) => `${i.line}:${i.column} ${i.key}: ${i.message}`);
  }
  throw new Error('expected the configuration to be refused');
}

describe('status.require, status.soak and freeze windows in the configuration', () => {
  it('reads them, with all and 0s as defaults', () => {
    const plain = parseConfig(ENVS, 'gitops-promote.yaml', 'gitops-promote');
    expect([plain.status.require, plain.status.soakMs, plain.freeze]).toEqual(['all', 0, []]);
    const c = parseConfig(
      `${ENVS}status: { require: any, soak: 30m }\nfreeze:\n  - environments: [apps]\n    from: "2026-12-20T00:00:00Z"\n    until: "2027-01-04"\n  - environments: [apps, apps-prod]\n    weekly: "fri 16:00 - mon 08:00"\n    timezone: Europe/Stockholm\n`,
      'gitops-promote.yaml',
      'gitops-promote',
    );
    expect([c.status.require, c.status.soakMs]).toEqual(['any', 1_800_000]);
    expect(c.freeze).toEqual([
      {
        kind: 'once',
        environments: ['apps'],
        from: Date.parse('2026-12-20T00:00:00Z'),
        until: Date.parse('2027-01-04T00:00:00Z'),
        label: 'freeze[0] (2026-12-20T00:00:00Z to 2027-01-04)',
      },
      {
        kind: 'weekly',
        environments: ['apps', 'apps-prod'],
        start: 5 * 1440 + 16 * 60,
        end: 1440 + 8 * 60,
        timezone: 'Europe/Stockholm',
        label: 'freeze[1] (weekly fri 16:00 - mon 08:00 Europe/Stockholm)',
      },
    ]);
  });

  it.each([
    ['status: { require: most }\n', '5:20 status.require: expected one of all, any, found the string "most"'],
    ['status: { soak: 30 }\n', '5:17 status.soak: 30 is a bare number'],
    [
      'freeze:\n  - environments: [apps]\n    weekly: "fri 16:00 - mon 08:00"\n    timezone: Europe/Stokholm\n',
      '8:15 freeze[0].timezone: "Europe/Stokholm" is not an IANA time zone',
    ],
    [
      'freeze:\n  - environments: [apps]\n    weekly: "fredag 16:00 - mon 08:00"\n',
      '7:13 freeze[0].weekly: "fredag" is not a day',
    ],
    [
      'freeze:\n  - environments: [apps]\n    from: "2027-01-04T00:00:00Z"\n    until: "2026-12-20T00:00:00Z"\n',
      '8:12 freeze[0].until: 2026-12-20T00:00:00Z is not after from (2027-01-04T00:00:00Z)',
    ],
    [
      'freeze:\n  - environments: [apps, staging]\n    weekly: "fri 16:00 - mon 08:00"\n',
      '6:26 freeze[0].environments: unknown environment "staging"; the environments are ops, apps, apps-prod',
    ],
    [
      'freeze:\n  - environments: [apps]\n    from: "2027-01-04T00:00:00Z"\n',
      '6:5 freeze[0].until: a one-off window needs until',
    ],
    [
      'freeze:\n  - environments: [apps]\n    from: "soon"\n    until: "2026-12-20T00:00:00Z"\n',
      '7:11 freeze[0].from: "soon" is not an ISO 8601 date-time',
    ],
    [
      'freeze:\n  - environments: [apps]\n    weekly: "fri 16:00 - mon 08:00"\n    until: "2026-12-20T00:00:00Z"\n',
      '6:5 freeze[0]: give either from and until (one window) or weekly',
    ],
    [
      'freeze:\n  - weekly: "fri 16:00 - mon 08:00"\n',
      '6:5 freeze[0].environments: every freeze window names the environments',
    ],
    [
      'freeze:\n  - environments: [apps]\n    weekly: "fri 16:00 - mon 08:00"\n    timzone: UTC\n',
      '8:5 freeze[0].timzone: unknown key; did you mean "timezone"?',
    ],
  ])('refuses %j with file:line:col, key and what is valid', (yaml, expected) => {
    const issues = issuesOf(`${ENVS}${yaml}`);
    expect(issues).toHaveLength(1);
    expect(issues[0]).toContain(expected);
  });
});
