// Files: a commit built in a temporary index (the clone's stays as it is) and pushed; reading a file at a ref.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  allSettled,
  type FileChange,
  GitopsError,
  type GitProvider,
  startedEarly,
  writeBlobs,
} from '@gitops-promote/core';
import type { GitCli } from './cli';
import { checkRefName } from './refs';
import { commitOf, ensureCommit, lsRemote } from './revisions';

/** What `GitProvider.commitFiles` is given. */
type FilesChange = Parameters<GitProvider['commitFiles']>[0];

export async function commitFiles(cli: GitCli, change: FilesChange): Promise<string | undefined> {
  checkRefName('branch', change.branch);
  const ref = `refs/heads/${change.branch}`;
  const base = await commitOf(cli, change.base);
  // Reads that do not depend on each other run together: each is a git process (ls-remote, a round trip).
  const remoteHead = startedEarly(lsRemote(cli, [ref]).then((refs) => refs.get(ref)));
  const [tree, baseTree] = await allSettled([
    treeWithFiles(cli, base, change.files),
    cli.git(['rev-parse', `${base}^{tree}`]),
  ]);
  if (tree === baseTree) return undefined;

  const head = await remoteHead;
  if (head) {
    await ensureCommit(cli, head, ref);
    if (tree === (await cli.git(['rev-parse', `${head}^{tree}`]))) return undefined;
  }
  const commit = await cli.git(['commit-tree', '--no-gpg-sign', tree, '-p', base, '-F', '-'], {
    input: change.message,
    env: await cli.commitIdentity(),
  });
  const push = ['push', ...(change.force ? ['--force'] : []), cli.remote, `${commit}:${ref}`];
  const pushed = await cli.run(push);
  if (pushed.code !== 0) {
    const diverged = /non-fast-forward|fetch first/.test(pushed.stderr);
    throw cli.failure(
      push,
      pushed,
      diverged
        ? `; ${change.branch} has commits that are not on ${base.slice(0, 12)} (force replaces them)`
        : '',
    );
  }
  return commit;
}

export async function readFile(cli: GitCli, path: string, ref: string): Promise<string | undefined> {
  const commit = await commitOf(cli, ref);
  const request = `${commit}:${repositoryPath(path)}\n`;
  const result = await cli.run(['cat-file', '--batch'], { input: request });
  if (result.code !== 0) throw cli.failure(['cat-file', '--batch'], result);
  // `<oid> <type> <size>\n<content>\n`, or `<request> missing` for a path that is not there.
  const headerEnd = result.stdout.indexOf(10);
  const [, type, size] = result.stdout.subarray(0, headerEnd).toString('utf8').split(' ');
  if (type !== 'blob' || size === undefined) return undefined;
  return result.stdout.subarray(headerEnd + 1, headerEnd + 1 + Number(size)).toString('utf8');
}

/** The tree of `base` with `files` written or deleted, built in a temporary index (the clone's stays as it is). */
async function treeWithFiles(cli: GitCli, base: string, files: FileChange[]): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'gitops-promote-'));
  try {
    const env = { GIT_INDEX_FILE: join(dir, 'index') };
    const changes = files.map((file) => ({ path: repositoryPath(file.path), content: file.content }));
    const writes = changes.filter((c): c is { path: string; content: string } => c.content !== null);
    // Independent git processes, run together: the index, the blobs, the modes of the files in base.
    const [, blobs, executable] = await allSettled([
      cli.git(['read-tree', base], { env }),
      writeBlobs(
        (args, input) => cli.git(args, { input }),
        dir,
        writes.map((w) => w.content),
      ),
      executablePaths(
        cli,
        base,
        writes.map((w) => w.path),
      ),
    ]);
    const deleted = '0'.repeat(base.length);
    let written = 0;
    const records = changes.map(({ path, content }) => {
      if (content === null) return `0 ${deleted}\t${path}\0`;
      return `${executable.has(path) ? '100755' : '100644'} ${blobs[written++]}\t${path}\0`;
    });
    await cli.git(['update-index', '-z', '--index-info'], { input: records.join(''), env });
    return await cli.git(['write-tree'], { env });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Which of `paths` are executable files in `base` (their mode is kept when the content changes). */
async function executablePaths(cli: GitCli, base: string, paths: string[]): Promise<Set<string>> {
  if (paths.length === 0) return new Set();
  const listing = await cli.run(['--literal-pathspecs', 'ls-tree', '-r', '-z', base, '--', ...paths]);
  const executable = new Set<string>();
  for (const entry of listing.stdout.toString('utf8').split('\0')) {
    const tab = entry.indexOf('\t');
    if (tab > 0 && entry.startsWith('100755 ')) executable.add(entry.slice(tab + 1));
  }
  return executable;
}

/** A path inside the repository, `/`-separated, relative to its root. */
function repositoryPath(path: string): string {
  const parts = path.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.length === 0 || parts.some((p) => p === '..' || p === '.git') || /[\0\n]/.test(path)) {
    throw new GitopsError(`${JSON.stringify(path)} is not a file path inside the repository`);
  }
  return parts.join('/');
}
