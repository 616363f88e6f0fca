import { describe, expect, it } from 'vitest';
import { type Look, poll } from '../../src/gate/poll';

/** A clock that moves only when the poll sleeps: no test waits on wall-clock luck. */
function fakeTime() {
  let now = 1_000_000;
  const slept: number[] = [];
  return {
    slept,
    clock: () => now,
    sleep: async (ms: number) => {
      slept.push(ms);
      now += ms;
    },
  };
}

const logger = () => {
  const lines: string[] = [];
  return { lines, info: (m: string) => lines.push(m) };
};

describe('poll: one loop for every gate', () => {
  it('returns the first decisive look without sleeping', async () => {
    const t = fakeTime();
    const rt = logger();
    const value = await poll(rt, { timeoutMs: 60_000, intervalMs: 15_000, ...t }, async () => ({
      done: true as const,
      value: 'success',
    }));
    expect(value).toBe('success');
    expect(t.slept).toEqual([]);
    expect(rt.lines).toEqual([]);
  });

  it('looks again every interval, saying what it saw, until a look is decisive', async () => {
    const t = fakeTime();
    const rt = logger();
    const looks: Look<string>[] = [
      { done: false, value: 'pending', waiting: 'waiting for ops: ops is pending' },
      { done: false, value: 'pending', waiting: 'waiting for ops: ops is pending' },
      { done: true, value: 'failure' },
    ];
    const value = await poll(rt, { timeoutMs: 60_000, intervalMs: 15_000, ...t }, async () => looks.shift()!);
    expect(value).toBe('failure');
    expect(t.slept).toEqual([15_000, 15_000]);
    expect(rt.lines).toEqual([
      'waiting for ops: ops is pending, 1m left; next look in 15s',
      'waiting for ops: ops is pending, 45s left; next look in 15s',
    ]);
  });

  it('gives the last look when the timeout passes, the last pause cut to what is left', async () => {
    const t = fakeTime();
    const rt = logger();
    let n = 0;
    const value = await poll(rt, { timeoutMs: 20_000, intervalMs: 15_000, ...t }, async () => ({
      done: false as const,
      value: `look ${++n}`,
      waiting: 'waiting',
    }));
    expect(value).toBe('look 3');
    expect(t.slept).toEqual([15_000, 5_000]);
  });
});
