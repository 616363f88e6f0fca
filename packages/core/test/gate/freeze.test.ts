import { describe, expect, it } from 'vitest';
import {
  activeFreeze,
  describeFreeze,
  type FreezeWindow,
  fromWallClock,
  parseInstant,
  parseWeekly,
  timeZoneProblem,
} from '../../src/gate/freeze';

const at = (iso: string) => Date.parse(iso);

function weekly(text: string, timezone: string, environments = ['apps']): FreezeWindow {
  const w = parseWeekly(text);
  if ('problem' in w) throw new Error(w.problem);
  return { kind: 'weekly', environments, ...w, timezone, label: `freeze[0] (weekly ${text} ${timezone})` };
}

const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());
const until = (ws: FreezeWindow[], when: string, env = 'apps') => iso(activeFreeze(ws, env, at(when))?.until);

describe('weekly freeze windows on the wall clock of their time zone', () => {
  const weekend = weekly('fri 16:00 - mon 08:00', 'Europe/Stockholm');

  it('a weekend window across the autumn change in Stockholm: 16:00 CEST to 08:00 CET, 65 hours', () => {
    // 2026-10-25 03:00 CEST becomes 02:00 CET.
    expect(until([weekend], '2026-10-23T13:59:59Z')).toBeUndefined();
    expect(until([weekend], '2026-10-23T14:00:00Z')).toBe('2026-10-26T07:00:00.000Z');
    expect(until([weekend], '2026-10-25T01:30:00Z')).toBe('2026-10-26T07:00:00.000Z');
    expect(until([weekend], '2026-10-26T06:59:59Z')).toBe('2026-10-26T07:00:00.000Z');
    expect(until([weekend], '2026-10-26T07:00:00Z')).toBeUndefined();
  });

  it('the same window across the spring change: 16:00 CET to 08:00 CEST, 63 hours', () => {
    // 2027-03-28 02:00 CET becomes 03:00 CEST.
    expect(until([weekend], '2027-03-26T14:59:00Z')).toBeUndefined();
    expect(until([weekend], '2027-03-26T15:00:00Z')).toBe('2027-03-29T06:00:00.000Z');
    expect(until([weekend], '2027-03-29T05:59:00Z')).toBe('2027-03-29T06:00:00.000Z');
    expect(until([weekend], '2027-03-29T06:00:00Z')).toBeUndefined();
  });

  it('a window spanning the week boundary (Saturday night into Sunday) holds on both sides', () => {
    const night = weekly('sat 22:00 - sun 02:00', 'UTC');
    expect(until([night], '2026-12-05T21:59:00Z')).toBeUndefined();
    expect(until([night], '2026-12-05T23:00:00Z')).toBe('2026-12-06T02:00:00.000Z');
    expect(until([night], '2026-12-06T01:00:00Z')).toBe('2026-12-06T02:00:00.000Z');
    expect(until([night], '2026-12-06T02:00:00Z')).toBeUndefined();
  });

  it('a Friday evening in New York is frozen while it is already Saturday in UTC', () => {
    const evening = weekly('Friday 18:00 - friday 20:00', 'America/New_York');
    expect(until([evening], '2026-12-05T00:30:00Z')).toBe('2026-12-05T01:00:00.000Z');
    expect(until([evening], '2026-12-05T01:00:00Z')).toBeUndefined();
  });

  it('only the named environments are frozen', () => {
    expect(until([weekend], '2026-10-24T12:00:00Z', 'ops')).toBeUndefined();
  });

  it('a freeze that runs into another ends with the last', () => {
    const once: FreezeWindow = {
      kind: 'once',
      environments: ['apps'],
      from: at('2026-10-26T07:00:00Z'),
      until: at('2026-10-27T00:00:00Z'),
      label: 'freeze[1]',
    };
    expect(until([weekend, once], '2026-10-24T12:00:00Z')).toBe('2026-10-27T00:00:00.000Z');
  });

  it('says which window and when it ends, on the zone clock and in UTC', () => {
    const f = activeFreeze([weekend], 'apps', at('2026-10-24T12:00:00Z'))!;
    expect(describeFreeze(f)).toBe(
      'freeze[0] (weekly fri 16:00 - mon 08:00 Europe/Stockholm), until 2026-10-26 08:00 Europe/Stockholm (2026-10-26T07:00:00Z)',
    );
  });
});

describe('reading windows', () => {
  it('weekly: days short or long, any case; bad days, times and empty windows are named', () => {
    expect(parseWeekly('FRI 16:00 - Mon 08:00')).toEqual({ start: 5 * 1440 + 960, end: 1440 + 480 });
    expect(parseWeekly('fry 16:00 - mon 08:00')).toEqual({
      problem: expect.stringContaining('"fry" is not a day'),
    });
    expect(parseWeekly('fri 25:00 - mon 08:00')).toEqual({
      problem: expect.stringContaining('25:00 is not a time of day'),
    });
    expect(parseWeekly('fri 16:00 - fri 16:00')).toEqual({
      problem: expect.stringContaining('starts where it ends'),
    });
    expect(parseWeekly('weekends')).toEqual({ problem: expect.stringContaining('is not a weekly window') });
  });

  it('instants: with an offset as given, without one on the zone clock; impossible dates refused', () => {
    expect(iso(parseInstant('2026-12-20T00:00:00Z', 'UTC'))).toBe('2026-12-20T00:00:00.000Z');
    expect(iso(parseInstant('2026-12-20T08:00:00+01:00', 'UTC'))).toBe('2026-12-20T07:00:00.000Z');
    expect(iso(parseInstant('2026-12-20', 'Europe/Stockholm'))).toBe('2026-12-19T23:00:00.000Z');
    expect(iso(parseInstant('2026-07-01T12:00', 'Europe/Stockholm'))).toBe('2026-07-01T10:00:00.000Z');
    expect(parseInstant('2026-02-30', 'UTC')).toBeUndefined();
    expect(parseInstant('next friday', 'UTC')).toBeUndefined();
  });

  it('wall clock readings skipped or repeated by a daylight-saving change', () => {
    expect(iso(fromWallClock(Date.UTC(2027, 2, 28, 2, 30), 'Europe/Stockholm'))).toBe(
      '2027-03-28T01:30:00.000Z',
    );
    expect(iso(fromWallClock(Date.UTC(2026, 9, 25, 2, 30), 'Europe/Stockholm'))).toBe(
      '2026-10-25T00:30:00.000Z',
    );
  });

  it('time zones are IANA names Intl knows', () => {
    expect(timeZoneProblem('Europe/Stockholm')).toBeUndefined();
    expect(timeZoneProblem('Europe/Stokholm')).toContain('is not an IANA time zone');
  });
});
