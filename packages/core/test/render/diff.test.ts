import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../../../test/support/git';
import { fileDiff } from '../../src/render/diff';

/** A tiny deterministic PRNG, so the property test below is repeatable. */
function prng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('fileDiff', () => {
  it('writes what git apply reads: 60 random edits, with and without final newlines', () => {
    const dir = tempDir('gp-diff-');
    execFileSync('git', ['init', '-q', dir]);
    const rand = prng(42);
    const words = ['a', 'b', 'c', 'replicas: 2', 'image: x', ''];
    for (let round = 0; round < 60; round++) {
      const before = Array.from({ length: Math.floor(rand() * 40) }, () => words[Math.floor(rand() * 6)]!);
      const after = before.flatMap((l) => {
        const r = rand();
        if (r < 0.1) return [];
        if (r < 0.2) return [l, words[Math.floor(rand() * 6)]!];
        if (r < 0.3) return [`${l}!`];
        return [l];
      });
      const eol = (lines: string[], on: boolean) =>
        lines.length ? `${lines.join('\n')}${on ? '\n' : ''}` : '';
      const a = eol(before, rand() < 0.8);
      const b = eol(after, rand() < 0.8);
      const kind = a === '' && rand() < 0.5 ? 'new' : b === '' && rand() < 0.5 ? 'deleted' : 'edit';
      const file = `f${round}.txt`;
      const patch = fileDiff(file, kind === 'new' ? undefined : a, kind === 'deleted' ? undefined : b);
      if (kind !== 'new') writeFileSync(join(dir, file), a);
      if (patch === '') {
        expect(a).toBe(b);
        continue;
      }
      writeFileSync(join(dir, 'p.diff'), patch);
      execFileSync('git', ['apply', 'p.diff'], { cwd: dir });
      if (kind === 'deleted') expect(() => readFileSync(join(dir, file))).toThrow();
      else expect(readFileSync(join(dir, file), 'utf8')).toBe(b);
    }
  });

  it('shows a change with three lines of context, like git', () => {
    const before = 'a\nb\nc\nd\ne\nf\ng\nh\n';
    const after = 'a\nb\nc\nd\nE\nf\ng\nh\n';
    expect(fileDiff('x.yaml', before, after)).toBe(
      'diff --git a/x.yaml b/x.yaml\n--- a/x.yaml\n+++ b/x.yaml\n@@ -2,7 +2,7 @@\n b\n c\n d\n-e\n+E\n f\n g\n h\n',
    );
  });

  // A quadratic diff would not finish within the test's timeout; no wall-clock bound of our own.
  it('a very large rewrite is diffed whole', () => {
    const before = Array.from({ length: 20_000 }, (_, i) => `line ${i}`).join('\n');
    const after = Array.from({ length: 20_000 }, (_, i) => `LINE ${i}`).join('\n');
    const d = fileDiff('big', `${before}\n`, `${after}\n`);
    expect(d.split('\n').filter((l) => l.startsWith('-line')).length).toBe(20_000);
    expect(d.split('\n').filter((l) => l.startsWith('+LINE')).length).toBe(20_000);
  });
});
