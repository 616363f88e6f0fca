const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;
// Parts may be written apart (`14m 30s`, as messages print them) or together (`14m30s`).
const DURATION = /^(?:(\d+)h\s*)?(?:(\d+)m(?!s)\s*)?(?:(\d+)s\s*)?(?:(\d+)ms)?$/;

export const DURATION_HINT = 'write a number with a unit: 90s, 10m, 1h, 1h30m or 500ms';

/**
 * Parses `90s`, `10m`, `1h`, `1h30m`, `500ms` into milliseconds.
 * A bare number is refused: in Go tools it silently means nanoseconds.
 */
export function parseDuration(text: string): number | undefined {
  const m = DURATION.exec(text.trim());
  if (!m || text.trim() === '') return undefined;
  const [, h, min, s, ms] = m;
  return (
    Number(h ?? 0) * UNIT_MS.h + Number(min ?? 0) * UNIT_MS.m + Number(s ?? 0) * UNIT_MS.s + Number(ms ?? 0)
  );
}

/**
 * The one way messages show a duration: `15m`, `14m 30s`, `1h 30m`, `45s`, `500ms` (parseDuration reads
 * it back). Whole seconds above a second: a wait is not told to the millisecond.
 */
export function formatDuration(ms: number): string {
  if (ms < UNIT_MS.s) return `${Math.max(0, Math.round(ms))}ms`;
  let s = Math.round(ms / UNIT_MS.s);
  const parts: string[] = [];
  for (const [unit, size] of [
    ['h', 3600],
    ['m', 60],
    ['s', 1],
  ] as const) {
    if (s >= size) parts.push(`${Math.floor(s / size)}${unit}`);
    s %= size;
  }
  return parts.join(' ');
}

/** A time left in one unit, rounded up: `2h`, `30m`, `45s` (for logs; never `0s` for time still to go). */
export function roughDuration(ms: number): string {
  for (const [unit, size] of [
    ['h', UNIT_MS.h],
    ['m', UNIT_MS.m],
  ] as const)
    if (ms > size) return `${Math.ceil(ms / size)}${unit}`;
  return `${Math.max(1, Math.ceil(ms / UNIT_MS.s))}s`;
}
