import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { git, tempDir } from '../../../../test/support/git';
import { GitRemoteStore } from '../../src/render/git-store';

describe('GitRemoteStore', () => {
  it('creates a missing branch, reads files (odd names too), refuses a stale base, commits nothing twice', async () => {
    const root = tempDir('gp-store-');
    const remote = join(root, 'm.git');
    git(root, 'init', '-q', '--bare', '-b', 'main', remote);
    const store = new GitRemoteStore({ url: remote, display: 'm.git' });
    try {
      expect(await store.branchSha('main')).toBeUndefined();
      const first = await store.commitFiles({
        branch: 'main',
        base: undefined,
        message: 'first',
        files: [
          { path: 'dev/a b.yaml', content: 'a\n' },
          { path: 'dev/empty.yaml', content: '' },
        ],
      });
      expect(first).toBe(git(remote, 'rev-parse', 'main'));
      const head = (await store.branchSha('main'))!;
      expect(head).toBe(first);
      const read = await store.readFiles(['dev/a b.yaml', 'dev/missing.yaml', 'dev/empty.yaml', 'dev'], head);
      expect([...read]).toEqual([
        ['dev/a b.yaml', 'a\n'],
        ['dev/empty.yaml', ''],
      ]);
      expect(
        await store.commitFiles({
          branch: 'main',
          base: head,
          message: 'same',
          files: [{ path: 'dev/empty.yaml', content: '' }],
        }),
      ).toBeUndefined();
      const second = await store.commitFiles({
        branch: 'main',
        base: head,
        message: 'second',
        files: [{ path: 'dev/a b.yaml', content: null }],
      });
      expect(git(remote, 'ls-tree', '-r', '--name-only', 'main')).toBe('dev/empty.yaml');
      await expect(
        store.commitFiles({
          branch: 'main',
          base: head,
          message: 'stale',
          files: [{ path: 'x', content: 'x' }],
        }),
      ).rejects.toThrow(/^git push m\.git main failed: /);
      expect(git(remote, 'rev-parse', 'main')).toBe(second);
    } finally {
      await store.dispose();
    }
  });
});
