import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from '../src/duration';

describe('formatDuration: the one way messages write a duration', () => {
  it.each([
    [500, '500ms'],
    [45_000, '45s'],
    [900_000, '15m'],
    [880_000, '14m 40s'],
    [5_400_000, '1h 30m'],
    [3_605_000, '1h 5s'],
  ])('%i ms → %s, read back by parseDuration', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
    expect(parseDuration(text)).toBe(ms);
  });

  it('never says more than 59 of a unit below the next one', () => {
    for (const ms of [61_000, 599_000, 880_000, 3_599_000])
      expect(formatDuration(ms)).not.toMatch(/\b([6-9]\d|\d{3,})s\b/);
  });
});
