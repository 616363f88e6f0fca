/**
 * Freeze windows: when nothing is promoted into an environment. Pure: every function takes the time it
 * is asked about, so the board, the gate and promote-tag agree, and tests need no clock.
 *
 * Weekly windows are read on the wall clock of their IANA time zone (through Intl, no dependency):
 * "fri 16:00 - mon 08:00" Europe/Stockholm is 16:00 Stockholm time whether that is UTC+1 or UTC+2, and a
 * window that crosses a daylight-saving change is one hour shorter or longer in real time.
 */

export const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
const MINUTES_A_WEEK = 7 * 24 * 60;

export type FreezeWindow =
  | { kind: 'once'; environments: string[]; from: number; until: number; label: string }
  | {
      kind: 'weekly';
      environments: string[];
      /** Minutes since Sunday 00:00, wall clock of `timezone`. */
      start: number;
      end: number;
      timezone: string;
      label: string;
    };

export interface ActiveFreeze {
  window: FreezeWindow;
  /** When the freeze ends (epoch ms): the end of the window, or of the windows it runs into. */
  until: number;
}

/** `Europe/Stockholm`, `UTC`: a time zone Intl knows; else undefined. */
export function timeZoneProblem(zone: string): string | undefined {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return undefined;
  } catch {
    return `${JSON.stringify(zone)} is not an IANA time zone; use a name such as UTC, Europe/Stockholm or America/New_York`;
  }
}

/** `fri 16:00 - mon 08:00` → minutes since Sunday 00:00 of start and end, or why it cannot be read. */
export function parseWeekly(text: string): { start: number; end: number } | { problem: string } {
  const m = /^\s*(\w+)\s+(\d{1,2}):(\d{2})\s*-\s*(\w+)\s+(\d{1,2}):(\d{2})\s*$/.exec(text);
  const hint =
    'write "<day> HH:MM - <day> HH:MM", days sun mon tue wed thu fri sat, e.g. "fri 16:00 - mon 08:00"';
  if (!m) return { problem: `${JSON.stringify(text)} is not a weekly window; ${hint}` };
  const point = (day: string, h: string, min: string): number | string => {
    const d = dayIndex(day);
    if (d < 0) return `${JSON.stringify(day)} is not a day`;
    if (Number(h) > 23 || Number(min) > 59) return `${h}:${min} is not a time of day (00:00 to 23:59)`;
    return d * 1440 + Number(h) * 60 + Number(min);
  };
  const start = point(m[1]!, m[2]!, m[3]!);
  const end = point(m[4]!, m[5]!, m[6]!);
  for (const p of [start, end]) if (typeof p === 'string') return { problem: `${p}; ${hint}` };
  if (start === end)
    return { problem: `${JSON.stringify(text)} starts where it ends; a window needs a length` };
  return { start: start as number, end: end as number };
}

const FULL_DAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];

/** `fri` or `friday` (any case) → 5; -1 when it is no day. */
function dayIndex(day: string): number {
  const d = day.toLowerCase();
  const short = WEEKDAYS.indexOf(d as (typeof WEEKDAYS)[number]);
  return short >= 0 ? short : FULL_DAYS.indexOf(d);
}

/**
 * An ISO 8601 date or date-time (`2026-12-20`, `2026-12-20T08:00`, `2026-12-20T08:00:00+01:00`, `…Z`) as
 * epoch ms; without an offset it is read on the wall clock of `zone`. Undefined when it is none.
 */
export function parseInstant(text: string, zone: string): number | undefined {
  const m =
    /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$/.exec(
      text.trim(),
    );
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = [1, 2, 3, 4, 5, 6].map((i) => Number(m[i] ?? 0)) as number[];
  const wall = Date.UTC(y!, mo! - 1, d!, h!, mi!, s!);
  const back = new Date(wall);
  if (back.getUTCMonth() !== mo! - 1 || back.getUTCDate() !== d! || h! > 23 || mi! > 59 || s! > 59)
    return undefined;
  const offset = m[7];
  if (offset === undefined) return fromWallClock(wall, zone);
  if (offset === 'Z') return wall;
  const sign = offset.startsWith('-') ? -1 : 1;
  const digits = offset.slice(1).replace(':', '');
  return wall - sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60_000;
}

/** The wall clock of `zone` at `instant`, as epoch ms of the same reading in UTC. */
export function wallClock(instant: number, zone: string): number {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    })
      .formatToParts(instant)
      .map((p) => [p.type, Number(p.value)]),
  ) as Record<string, number>;
  const ms = ((instant % 1000) + 1000) % 1000;
  return Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!, parts.second!) + ms;
}

/**
 * The instant `zone` reads `wall` (epoch ms of that reading in UTC). A reading that does not exist (the
 * hour skipped in spring) is moved on by the gap, as Temporal's "compatible" reading does; one that exists
 * twice (autumn), the first.
 */
export function fromWallClock(wall: number, zone: string): number {
  const offsetAt = (t: number) => wallClock(t, zone) - t;
  const early = wall - offsetAt(wall - 86_400_000);
  const late = wall - offsetAt(wall + 86_400_000);
  const candidates = [early, late].filter((t) => wallClock(t, zone) === wall).sort((a, b) => a - b);
  if (candidates[0] !== undefined) return candidates[0];
  return Math.max(early, late);
}

/** Is `instant` inside the window? Weekly windows compare the zone's wall clock, wrapping past Saturday. */
export function inWindow(w: FreezeWindow, instant: number): boolean {
  if (w.kind === 'once') return w.from <= instant && instant < w.until;
  const t = minuteOfWeek(wallClock(instant, w.timezone));
  return w.start < w.end ? w.start <= t && t < w.end : t >= w.start || t < w.end;
}

function minuteOfWeek(wall: number): number {
  const d = new Date(wall);
  return d.getUTCDay() * 1440 + d.getUTCHours() * 60 + d.getUTCMinutes();
}

/** The end of the window's occurrence that holds `instant` (call only when inWindow). */
export function windowEnd(w: FreezeWindow, instant: number): number {
  if (w.kind === 'once') return w.until;
  const wall = wallClock(instant, w.timezone);
  const wallMinute = Math.floor(wall / 60_000) * 60_000;
  const ahead = (((w.end - minuteOfWeek(wall)) % MINUTES_A_WEEK) + MINUTES_A_WEEK) % MINUTES_A_WEEK;
  return fromWallClock(wallMinute + ahead * 60_000, w.timezone);
}

/**
 * The freeze on `environment` at `now`, if any: the window it is in and when the freeze ends. Windows that
 * follow on one another (a weekly window into a one-off one) count as one freeze, ending with the last.
 */
export function activeFreeze(
  windows: readonly FreezeWindow[],
  environment: string,
  now: number,
): ActiveFreeze | undefined {
  const mine = windows.filter((w) => w.environments.includes(environment));
  const first = mine.find((w) => inWindow(w, now));
  if (!first) return undefined;
  let until = windowEnd(first, now);
  for (let guard = 0; guard < 16; guard++) {
    const next = mine.filter((w) => inWindow(w, until)).map((w) => windowEnd(w, until));
    const later = Math.max(until, ...next);
    if (later === until) break;
    until = later;
  }
  return { window: first, until };
}

/** "freeze[1] (weekly fri 16:00 - mon 08:00 Europe/Stockholm) until 2026-12-07 08:00 Europe/Stockholm (…Z)". */
export function describeFreeze(f: ActiveFreeze): string {
  const zone = f.window.kind === 'weekly' ? f.window.timezone : 'UTC';
  const utc = new Date(f.until).toISOString().replace('.000Z', 'Z');
  const local = new Date(wallClock(f.until, zone)).toISOString().slice(0, 16).replace('T', ' ');
  return `${f.window.label}, until ${zone === 'UTC' ? utc : `${local} ${zone} (${utc})`}`;
}

/** The message of a refusal: the environment, the window and when it ends. */
export function frozenMessage(environment: string, f: ActiveFreeze): string {
  return `${environment} is frozen by ${describeFreeze(f)}: nothing is promoted into it until then`;
}
