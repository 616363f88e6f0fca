/** The retry arithmetic both HTTP clients share; each keeps its own jitter and wording. */

/** The timing every client defaults to, in milliseconds. */
export interface RetryTiming {
  baseDelayMs: number;
  maxDelayMs: number;
  retryAfterUnitMs: number;
  timeoutMs: number;
  totalMs: number;
}

export function retryTiming(given: Partial<RetryTiming>): RetryTiming {
  return {
    baseDelayMs: given.baseDelayMs ?? 1000,
    maxDelayMs: given.maxDelayMs ?? 30_000,
    retryAfterUnitMs: given.retryAfterUnitMs ?? 1000,
    timeoutMs: given.timeoutMs ?? 30_000,
    totalMs: given.totalMs ?? 120_000,
  };
}

/** Exponential backoff before jitter: attempt n waits `base × 2^(n-1)`, at most `max`. */
export function backoffMs(attempt: number, timing: Pick<RetryTiming, 'baseDelayMs' | 'maxDelayMs'>): number {
  return Math.min(timing.maxDelayMs, timing.baseDelayMs * 2 ** (attempt - 1));
}

/** A `retry-after` header in seconds (a number of seconds or an HTTP date), or undefined. */
export function retryAfterSeconds(value: unknown): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const secs = Number(value);
  if (Number.isFinite(secs)) return Math.max(0, secs);
  const date = Date.parse(String(value));
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now()) / 1000;
}

/** Hides each secret (those under 4 characters would hide ordinary text) in a message or log line. */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) if (s.length >= 4) out = out.split(s).join('***');
  return out;
}
