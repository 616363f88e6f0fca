import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FileChange, Runtime } from '@gitops-promote/core';
import { fileDiff } from '@gitops-promote/core/src/render/diff';
import { GitRemoteStore } from '@gitops-promote/core/src/render/git-store';
import {
  type EnvironmentRender,
  INDEX_FILE,
  indexContent,
  PUBLISH_ATTEMPTS,
  parseIndex,
  planChanges,
  publish,
} from '@gitops-promote/core/src/render/publish';
import { SecretRedactor } from '@gitops-promote/core/src/render/redact';
import { reason } from '@gitops-promote/core/src/render/renderer';
import { fencedDiff, renderComment, renderSummary } from '@gitops-promote/core/src/render/report';
import { ManifestError, splitManifests } from '@gitops-promote/core/src/render/split';
import type { ManifestStore } from '@gitops-promote/core/src/render/store';
import { resolveTarget } from '@gitops-promote/core/src/render/target';
import { hostingOf } from '@gitops-promote/platform/runtimes/hosting';
import { describe, expect, it } from 'vitest';
import { git, tempDir } from './support/git';

const KUSTOMIZE_OUTPUT = `apiVersion: v1
data:
  mode: "0755"
kind: ConfigMap
metadata:
  name: web-config
  namespace: dev
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: dev
spec:
  replicas: 2
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: system:web-reader
rules: []
`;

describe('splitManifests', () => {
  it('one file per object, named <kind>-<namespace>-<name>.yaml, sorted, with the renderer’s own bytes', () => {
    const files = splitManifests(KUSTOMIZE_OUTPUT);
    expect(files.map((f) => f.name)).toEqual([
      'clusterrole-system-web-reader.yaml',
      'configmap-dev-web-config.yaml',
      'deployment-dev-web.yaml',
    ]);
    expect(files[1]!.content).toBe(
      'apiVersion: v1\ndata:\n  mode: "0755"\nkind: ConfigMap\nmetadata:\n  name: web-config\n  namespace: dev\n',
    );
    expect(files[0]).toMatchObject({ kind: 'ClusterRole', namespace: '', objectName: 'system:web-reader' });
  });

  it('is deterministic: CRLF, trailing blank lines and document markers do not change the bytes', () => {
    const messy = `---\n\n${KUSTOMIZE_OUTPUT.replace(/\n/g, '\r\n').replace(/---/g, '---\r\n\r\n')}\n\n---\n...\n`;
    expect(splitManifests(messy)).toEqual(splitManifests(KUSTOMIZE_OUTPUT));
    expect(splitManifests(KUSTOMIZE_OUTPUT)).toEqual(splitManifests(KUSTOMIZE_OUTPUT));
  });

  it('keeps Helm’s source comments and YAML 1.1 values as written, skips empty documents', () => {
    const helm = `---
# Source: app/templates/empty.yaml
---
# Source: app/templates/cm.yaml
apiVersion: v1
kind: ConfigMap
metadata:
  name: app
data:
  enabled: yes
  mode: 0755
---
~
`;
    const [file, ...rest] = splitManifests(helm);
    expect(rest).toEqual([]);
    expect(file!.content).toBe(
      '# Source: app/templates/cm.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\ndata:\n  enabled: yes\n  mode: 0755\n',
    );
  });

  it('unpacks List objects into their items', () => {
    const list = `apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Service
  metadata: {name: web, namespace: dev}
- apiVersion: v1
  kind: Namespace
  metadata:
    name: dev
`;
    const files = splitManifests(list);
    expect(files.map((f) => f.name)).toEqual(['namespace-dev.yaml', 'service-dev-web.yaml']);
    expect(files[0]!.content).toBe('apiVersion: v1\nkind: Namespace\nmetadata:\n  name: dev\n');
  });

  it('a document starting on the marker line is read', () => {
    expect(splitManifests('--- {apiVersion: v1, kind: Namespace, metadata: {name: a}}\n')[0]!.name).toBe(
      'namespace-a.yaml',
    );
  });

  it('two different objects whose names clash get a hash of their identity', () => {
    const text = `apiVersion: cert-manager.io/v1
kind: Certificate
metadata: {name: web, namespace: dev}
---
apiVersion: networking.gke.io/v1
kind: Certificate
metadata: {name: web, namespace: dev}
`;
    const names = splitManifests(text).map((f) => f.name);
    expect(names).toHaveLength(2);
    for (const n of names) expect(n).toMatch(/^certificate-dev-web-[0-9a-f]{8}\.yaml$/);
    expect(new Set(names).size).toBe(2);
  });

  it.each([
    ['a: [1, 2\n', /document 1 of the rendered output \(line \d+\) is not valid YAML/],
    [
      'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\n- 1\n- 2\n',
      /document 2 .* is not a Kubernetes object/,
    ],
    ['apiVersion: v1\nkind: ConfigMap\nmetadata: {}\n', /a ConfigMap without metadata.name/],
    ['kind: ConfigMap\nmetadata: {name: x}\n', /without apiVersion/],
    [
      'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n',
      /holds ConfigMap a twice/,
    ],
  ])('refuses %j', (text, message) => {
    expect(() => splitManifests(text)).toThrow(ManifestError);
    expect(() => splitManifests(text)).toThrow(message);
  });
});

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

describe('fencedDiff', () => {
  it('uses a fence longer than any backtick run, and cuts at a line end with a note', () => {
    const diff = `+a \`\`\`\` b\n${'+x\n'.repeat(1000)}`;
    const out = fencedDiff(diff, 800, 'see the diff file');
    expect(out.startsWith('`````diff\n')).toBe(true);
    expect(out.length).toBeLessThan(800);
    expect(out).toMatch(/\n`````\n\n… \d+ more lines not shown here; see the diff file\.\n$/);
    expect(
      out.split('\n').every((l) => l === '' || l.startsWith('+') || l.startsWith('`') || l.startsWith('…')),
    ).toBe(true);
  });
});

describe('SecretRedactor', () => {
  const secret = (password: string) =>
    `apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\ndata:\n  password: ${password}\n  user: YWRtaW4=\nstringData:\n  token: hunter2\n`;

  it('hides every value of data and stringData; the same value gets the same tag within a run', () => {
    const r = new SecretRedactor();
    const a = r.shown(secret('czNjcjN0'))!;
    const b = r.shown(secret('bjN3LXBhc3M='))!;
    for (const leaked of ['czNjcjN0', 'YWRtaW4=', 'hunter2', 'bjN3LXBhc3M=']) {
      expect(a).not.toContain(leaked);
      expect(b).not.toContain(leaked);
    }
    const tag = (text: string, key: string) => new RegExp(`${key}: <redacted ([0-9a-f]{8})>`).exec(text)![1];
    expect(tag(a, 'user')).toBe(tag(b, 'user'));
    expect(tag(a, 'password')).not.toBe(tag(b, 'password'));
    expect(new SecretRedactor().shown(secret('czNjcjN0'))).not.toBe(a);
  });

  it('leaves other objects alone', () => {
    const cm = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  a: "1"\n';
    expect(new SecretRedactor().shown(cm)).toBe(cm);
  });
});

describe('reason', () => {
  it('reads kubectl’s klog line', () => {
    expect(
      reason(
        'E1122 22:53:35.259506    7042 run.go:72] "command failed" err="accumulating resources: accumulation err=\'accumulating resources from \\"missing.yaml\\"\'"\n',
      ),
    ).toBe('accumulating resources: accumulation err=\'accumulating resources from "missing.yaml"\'');
  });
  it('takes Error: lines, else the last lines', () => {
    expect(reason('walk.go:74: found symbolic link\nError: template: app/templates/x.yaml:3: bad\n')).toBe(
      'Error: template: app/templates/x.yaml:3: bad',
    );
    expect(reason('')).toBe('it printed no error message');
  });
});

describe('resolveTarget', () => {
  const workspace = tempDir('gp-target-');
  mkdirSync(join(workspace, 'manifests.git'));
  const env = {
    GITHUB_SERVER_URL: 'https://ghe.example.com',
    SYSTEM_COLLECTIONURI: 'https://dev.azure.com/fabrikam/',
    SYSTEM_TEAMPROJECT: 'Fabrikam Fiber',
  };
  it.each([
    ['github', '', { kind: 'same', display: 'octo/app' }],
    ['github', 'Octo/App', { kind: 'same', display: 'octo/app' }],
    ['github', 'octo/manifests', { kind: 'remote', url: 'https://ghe.example.com/octo/manifests.git' }],
    [
      'github',
      'https://x:t0k3n@example.com/m.git',
      { kind: 'remote', display: 'https://***@example.com/m.git' },
    ],
    ['azure', 'app', { kind: 'same' }],
    [
      'azure',
      'manifests',
      { kind: 'remote', url: 'https://dev.azure.com/fabrikam/Fabrikam%20Fiber/_git/manifests' },
    ],
    ['azure', 'Ops/manifests', { kind: 'remote', url: 'https://dev.azure.com/fabrikam/Ops/_git/manifests' }],
    ['terminal', 'manifests.git', { kind: 'remote', url: join(workspace, 'manifests.git') }],
    ['terminal', 'git@github.com:octo/m.git', { kind: 'remote', url: 'git@github.com:octo/m.git' }],
  ] as const)('%s %j', (platform, value, expected) => {
    const repository = platform === 'github' ? 'octo/app' : platform === 'azure' ? 'app' : undefined;
    expect(resolveTarget(value, { hosting: hostingOf(platform, env), repository, workspace })).toMatchObject(
      expected,
    );
  });

  it.each([
    ['terminal', 'octo/manifests', /no such directory .*; give the path or URL of a Git repository/],
    ['terminal', '--upload-pack=evil', /give a path or URL/],
  ] as const)('refuses %s %j', (platform, value, message) => {
    expect(() => resolveTarget(value, { hosting: hostingOf(platform, env), workspace })).toThrow(message);
  });
});

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

describe('summary and comment', () => {
  const big = Array.from({ length: 40_000 }, (_, i) => `+  line-${i}: value`).join('\n');
  const report = (environment: string) => ({
    environment,
    display: `kubectl kustomize overlays/${environment}`,
    repository: 'octo/manifests',
    branch: 'main',
    path: environment,
    objects: 3,
    deltas: [{ path: `${environment}/configmap.yaml`, kind: 'add' as const, after: 'x' }],
    diff: `diff --git a/x b/x\n${big}\n`,
  });

  it('a huge diff is cut to fit: the comment under GitHub’s limit, the summary under its own, fences closed', () => {
    const comment = renderComment(report('dev'), 'a'.repeat(40));
    expect(comment.length).toBeLessThan(60_000);
    expect(comment.startsWith('<!-- gitops-promote:render-manifests:dev -->\n')).toBe(true);
    expect(comment).toMatch(
      /\n```\n\n… \d+ more lines not shown here; the diff-file output of the step has the whole diff\.\n/,
    );
    expect(comment).toContain('</details>');
    const summary = renderSummary('verify', [report('dev'), report('prod')], 'a'.repeat(40), 200_000);
    expect(summary.length).toBeLessThan(200_000);
    expect(summary.match(/<\/details>/g)).toHaveLength(2);
  });

  it('user text cannot become markup', () => {
    const r = { ...report('dev'), display: 'render | <img src=x> `x`', diff: '' };
    expect(renderSummary('publish', [r], '')).toContain('render \\| \\<img src=x\\> \\`x\\`');
  });
});

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
