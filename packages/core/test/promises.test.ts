import { describe, expect, it } from 'vitest';
import { allSettled, startedEarly } from '../src/promises';

describe('allSettled', () => {
  it('gives every result in order', async () => {
    expect(await allSettled([Promise.resolve(1), Promise.resolve('a')])).toEqual([1, 'a']);
  });

  it('fails with the first failure in the given order, only once every piece of work has settled', async () => {
    let slowDone = false;
    const slow = new Promise<void>((resolve) =>
      setTimeout(() => {
        slowDone = true;
        resolve();
      }, 20),
    );
    const later = Promise.reject(new Error('second'));
    const first = new Promise((_, reject) => setTimeout(() => reject(new Error('first')), 5));
    await expect(allSettled([first, slow, later])).rejects.toThrow('first');
    expect(slowDone).toBe(true);
  });
});

describe('startedEarly', () => {
  it('keeps a failure for whoever awaits it, with no unhandled rejection meanwhile', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (e: unknown) => unhandled.push(e);
    process.on('unhandledRejection', onUnhandled);
    try {
      const read = startedEarly(Promise.reject(new Error('no answer')));
      await new Promise((resolve) => setTimeout(resolve, 10));
      expect(unhandled).toEqual([]);
      await expect(read).rejects.toThrow('no answer');
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});
