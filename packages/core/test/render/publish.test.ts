import { describe, expect, it } from 'vitest';
import type { FileChange } from '../../src/provider';
import {
  type EnvironmentRender,
  INDEX_FILE,
  indexContent,
  PUBLISH_ATTEMPTS,
  parseIndex,
  planChanges,
  publish,
} from '../../src/render/publish';
import type { ManifestStore } from '../../src/render/store';
import type { Runtime } from '../../src/runtime';

/** An in-memory branch, with a hook to move it between a read and a commit (another writer). */
class MemoryStore implements ManifestStore {
  readonly display = 'memory';
  readonly canCreateBranch = true;
  commits: { sha: string; files: Map<string, string> }[] = [];
  beforeCommit?: () => void;
  commitCalls = 0;

  head() {
    return this.commits.at(-1);
  }
  async branchSha(): Promise<string | undefined> {
    return this.head()?.sha;
  }
  async readFiles(paths: string[], sha: string): Promise<Map<string, string>> {
    const files = this.commits.find((c) => c.sha === sha)!.files;
    return new Map(paths.filter((p) => files.has(p)).map((p) => [p, files.get(p)!]));
  }
  write(base: string | undefined, changes: FileChange[]): string {
    const files = new Map(base ? this.commits.find((c) => c.sha === base)!.files : []);
    for (const c of changes) {
      if (c.content === null) files.delete(c.path);
      else files.set(c.path, c.content);
    }
    const sha = `c${this.commits.length}`;
    this.commits.push({ sha, files });
    return sha;
  }
  async commitFiles(change: { base: string | undefined; files: FileChange[] }): Promise<string | undefined> {
    this.commitCalls++;
    this.beforeCommit?.();
    if (change.base !== this.head()?.sha) throw new Error('Update is not a fast forward');
    return this.write(change.base, change.files);
  }
  async dispose(): Promise<void> {}
}

const quietRuntime = { info: () => {} } as unknown as Runtime;
const render = (environment: string, names: string[], content = 'x'): EnvironmentRender => ({
  environment,
  path: environment,
  files: names.map((n) => ({
    name: `${n}.yaml`,
    content: `${content}\n`,
    apiVersion: 'v1',
    kind: 'ConfigMap',
    namespace: '',
    objectName: n,
  })),
});

describe('publish', () => {
  it('writes, then deletes what is no longer rendered, leaves other files, and commits nothing when equal', async () => {
    const store = new MemoryStore();
    store.write(undefined, [
      { path: 'README.md', content: 'hi' },
      { path: 'dev/hand-written.yaml', content: 'mine' },
    ]);
    const first = await publish(quietRuntime, store, 'main', [render('dev', ['a', 'b'])], 'm');
    expect(first.commit).toBe('c1');
    expect([...store.head()!.files.keys()].sort()).toEqual([
      'README.md',
      `dev/${INDEX_FILE}`,
      'dev/a.yaml',
      'dev/b.yaml',
      'dev/hand-written.yaml',
    ]);
    const again = await publish(quietRuntime, store, 'main', [render('dev', ['a', 'b'])], 'm');
    expect(again.commit).toBeUndefined();
    expect(store.commits).toHaveLength(2);
    const third = await publish(quietRuntime, store, 'main', [render('dev', ['a'], 'y')], 'm');
    expect(third.changes[0]!.deltas.map((d) => [d.path, d.kind])).toEqual([
      ['dev/a.yaml', 'change'],
      ['dev/b.yaml', 'delete'],
    ]);
    expect([...store.head()!.files.keys()].sort()).toEqual([
      'README.md',
      `dev/${INDEX_FILE}`,
      'dev/a.yaml',
      'dev/hand-written.yaml',
    ]);
  });

  it('a file edited by hand is restored', async () => {
    const store = new MemoryStore();
    store.write(undefined, [{ path: 'README.md', content: 'hi' }]);
    await publish(quietRuntime, store, 'main', [render('dev', ['a'])], 'm');
    store.write(store.head()!.sha, [{ path: 'dev/a.yaml', content: 'edited\n' }]);
    const r = await publish(quietRuntime, store, 'main', [render('dev', ['a'])], 'm');
    expect(r.changes[0]!.deltas).toEqual([
      { path: 'dev/a.yaml', kind: 'change', before: 'edited\n', after: 'x\n' },
    ]);
  });

  it('when the branch moves under it, computes the changes again on the new head and lands', async () => {
    const store = new MemoryStore();
    store.write(undefined, [{ path: 'README.md', content: 'hi' }]);
    let moved = 0;
    store.beforeCommit = () => {
      if (moved++ < 2) store.write(store.head()!.sha, [{ path: `prod/${moved}.yaml`, content: 'other run' }]);
    };
    const r = await publish(quietRuntime, store, 'main', [render('dev', ['a'])], 'm', { pauseMs: () => 0 });
    expect(r.attempts).toBe(3);
    expect([...store.head()!.files.keys()].sort()).toEqual([
      'README.md',
      `dev/${INDEX_FILE}`,
      'dev/a.yaml',
      'prod/1.yaml',
      'prod/2.yaml',
    ]);
  });

  it('gives up after a bounded number of attempts, and rethrows a failure that is not a race', async () => {
    const store = new MemoryStore();
    store.write(undefined, [{ path: 'README.md', content: 'hi' }]);
    store.beforeCommit = () =>
      store.write(store.head()!.sha, [{ path: 'other', content: String(Math.random()) }]);
    await expect(
      publish(quietRuntime, store, 'main', [render('dev', ['a'])], 'm', { pauseMs: () => 0 }),
    ).rejects.toThrow(
      `main in memory kept moving while committing; gave up after ${PUBLISH_ATTEMPTS} attempts`,
    );
    expect(store.commitCalls).toBe(PUBLISH_ATTEMPTS);

    const broken = new MemoryStore();
    broken.write(undefined, [{ path: 'README.md', content: 'hi' }]);
    broken.commitFiles = async () => {
      throw new Error('HTTP 403: Resource not accessible by integration');
    };
    await expect(publish(quietRuntime, broken, 'main', [render('dev', ['a'])], 'm')).rejects.toThrow(
      'Resource not accessible',
    );
  });

  it('an index line that is not a plain file name never deletes anything', async () => {
    expect(parseIndex(`# c\na.yaml\n../README.md\n/etc/passwd\nsub/x.yaml\n${INDEX_FILE}\n\n`)).toEqual([
      'a.yaml',
    ]);
    const store = new MemoryStore();
    store.write(undefined, [
      { path: 'README.md', content: 'hi' },
      { path: `dev/${INDEX_FILE}`, content: 'a.yaml\n../README.md\n' },
      { path: 'dev/a.yaml', content: 'old' },
    ]);
    const [c] = await planChanges(store, 'c0', [render('dev', ['b'])]);
    expect(c!.writes).toEqual([
      { path: 'dev/a.yaml', content: null },
      { path: 'dev/b.yaml', content: 'x\n' },
      { path: `dev/${INDEX_FILE}`, content: indexContent(render('dev', ['b']).files) },
    ]);
  });
});
