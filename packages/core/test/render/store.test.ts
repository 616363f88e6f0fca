import { describe, expect, it } from 'vitest';
import type { FileChange, GitProvider } from '../../src/provider';
import { ProviderStore } from '../../src/render/store';

/** The three calls of the provider port a ProviderStore makes, recorded; files read from a map. */
class RecordingProvider {
  readonly kind = 'git' as const;
  reads: string[] = [];
  inFlight = 0;
  mostInFlight = 0;
  commits: { branch: string; base: string; message: string; files: FileChange[]; force?: boolean }[] = [];

  constructor(private readonly files: Record<string, string>) {}

  async branchSha(branch: string): Promise<string | undefined> {
    return branch === 'main' ? 'a'.repeat(40) : undefined;
  }
  async readFile(path: string, ref: string): Promise<string | undefined> {
    this.reads.push(`${ref}:${path}`);
    this.mostInFlight = Math.max(this.mostInFlight, ++this.inFlight);
    await new Promise((done) => setImmediate(done));
    this.inFlight--;
    return this.files[path];
  }
  async commitFiles(change: RecordingProvider['commits'][number]): Promise<string | undefined> {
    this.commits.push(change);
    return 'b'.repeat(40);
  }
}

const storeOn = (files: Record<string, string> = {}) => {
  const provider = new RecordingProvider(files);
  return { provider, store: new ProviderStore(provider as unknown as GitProvider, 'octo/app') };
};

describe('ProviderStore', () => {
  it('cannot create a branch, and names the repository it writes to', async () => {
    const { store } = storeOn();
    expect(store.canCreateBranch).toBe(false);
    expect(store.display).toBe('octo/app');
    expect(await store.branchSha('main')).toBe('a'.repeat(40));
    expect(await store.branchSha('missing')).toBeUndefined();
  });

  it('reads every path at the commit, leaves out absent files, with a few reads at a time', async () => {
    const files = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`dev/${i}.yaml`, `n: ${i}\n`]));
    const { provider, store } = storeOn({ ...files, 'dev/empty.yaml': '' });
    const paths = [...Array.from({ length: 20 }, (_, i) => `dev/${i}.yaml`), 'dev/empty.yaml'];
    const read = await store.readFiles(paths, 'c1');
    expect(provider.reads.sort()).toEqual(paths.map((p) => `c1:${p}`).sort());
    expect(Object.fromEntries(read)).toEqual({ ...files, 'dev/empty.yaml': '' });
    expect(provider.mostInFlight).toBeGreaterThan(1);
    expect(provider.mostInFlight).toBeLessThanOrEqual(8);
    expect((await store.readFiles([], 'c1')).size).toBe(0);
  });

  it('commits on its base without force, and refuses a first commit (no base) without calling the provider', async () => {
    const { provider, store } = storeOn();
    const files = [{ path: 'dev/a.yaml', content: 'a\n' }];
    expect(await store.commitFiles({ branch: 'main', base: 'c1', message: 'm', files })).toBe('b'.repeat(40));
    expect(provider.commits).toEqual([{ branch: 'main', base: 'c1', message: 'm', files, force: false }]);
    await expect(store.commitFiles({ branch: 'main', base: undefined, message: 'm', files })).rejects.toThrow(
      'needs a base commit',
    );
    expect(provider.commits).toHaveLength(1);
  });
});
