import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GitopsError } from '../errors';
import { exec } from '../exec';
import { commitIdentityEnv, gitEnv, writeBlobs } from '../git-plumbing';
import type { FileChange } from '../provider';
import { maskCredentials } from './git-url';
import type { ManifestStore } from './store';

export { maskCredentials } from './git-url';

export interface GitRemoteStoreOptions {
  /** A path (absolute) or URL of the manifest repository, as `git clone` takes it. */
  url: string;
  /** How messages name it (credentials masked). */
  display?: string;
  /** An `http.extraHeader` value for http(s) remotes, e.g. `AUTHORIZATION: bearer <token>`. */
  authHeader?: string;
  /** A token was given but not sent: the remote is not on the hosting service the token belongs to. */
  tokenWithheld?: boolean;
}

/**
 * Another Git repository, reached with the `git` binary: fetched shallowly into a private temporary
 * repository (the checkout is never touched), committed there, pushed without force. A credential goes in
 * through the environment (`GIT_CONFIG_*`), never on a command line or into a file.
 */
export class GitRemoteStore implements ManifestStore {
  readonly canCreateBranch = true;
  readonly display: string;
  private readonly url: string;
  private readonly authHeader?: string;
  private readonly tokenWithheld: boolean;
  private dir?: Promise<string>;
  private identity?: Promise<Record<string, string>>;

  constructor(o: GitRemoteStoreOptions) {
    if (o.url.startsWith('-')) throw new GitopsError(`${JSON.stringify(o.url)} is not a Git remote`);
    this.url = o.url;
    this.display = maskCredentials(o.display ?? o.url);
    this.authHeader = o.authHeader;
    this.tokenWithheld = o.tokenWithheld ?? false;
  }

  /** Fetches the branch (depth 1) and returns its head, or undefined when the remote has no such branch. */
  async branchSha(branch: string): Promise<string | undefined> {
    const local = `refs/gitops-promote/target/${branch}`;
    const fetch = [
      'fetch',
      '--no-tags',
      '--no-write-fetch-head',
      '--depth=1',
      this.url,
      `+refs/heads/${branch}:${local}`,
    ];
    const r = await this.run(fetch);
    if (r.code !== 0) {
      if (/couldn't find remote ref|no such remote ref/i.test(r.stderr)) return undefined;
      throw this.failure(`git fetch ${this.display} ${branch}`, r.stderr);
    }
    return (await this.git(['rev-parse', '--verify', `${local}^{commit}`])).trim();
  }

  async readFiles(paths: string[], sha: string): Promise<Map<string, string>> {
    const found = new Map<string, string>();
    if (paths.length === 0) return found;
    const r = await this.run(['cat-file', '--batch'], {
      input: paths.map((p) => `${sha}:${p}\n`).join(''),
      binary: true,
    });
    if (r.code !== 0) throw this.failure('git cat-file --batch', r.stderr);
    const out = r.raw!;
    let at = 0;
    for (const path of paths) {
      const eol = out.indexOf(10, at);
      const line = out.subarray(at, eol).toString('utf8');
      at = eol + 1;
      // `<request> missing` (the request may hold spaces), else `<oid> <type> <size>` and the content.
      if (/ (missing|ambiguous)$/.test(line)) continue;
      const [, type, size] = line.split(' ');
      const length = Number(size);
      if (type === 'blob') found.set(path, out.subarray(at, at + length).toString('utf8'));
      at += length + 1;
    }
    return found;
  }

  async commitFiles(change: {
    branch: string;
    base: string | undefined;
    message: string;
    files: FileChange[];
  }): Promise<string | undefined> {
    const work = await mkdtemp(join(tmpdir(), 'gitops-promote-index-'));
    try {
      const env = { GIT_INDEX_FILE: join(work, 'index') };
      await this.git(change.base ? ['read-tree', change.base] : ['read-tree', '--empty'], { env });
      const writes = change.files.filter((f): f is { path: string; content: string } => f.content !== null);
      const blobs = await writeBlobs(
        (args, input) => this.git(args, { input }),
        work,
        writes.map((w) => w.content),
      );
      let written = 0;
      const zero = '0'.repeat(40);
      const records = change.files.map((f) =>
        f.content === null ? `0 ${zero}\t${f.path}\0` : `100644 ${blobs[written++]}\t${f.path}\0`,
      );
      await this.git(['update-index', '-z', '--index-info'], { input: records.join(''), env });
      const tree = (await this.git(['write-tree'], { env })).trim();
      if (change.base && tree === (await this.git(['rev-parse', `${change.base}^{tree}`])).trim())
        return undefined;
      const commit = (
        await this.git(
          ['commit-tree', '--no-gpg-sign', tree, ...(change.base ? ['-p', change.base] : []), '-F', '-'],
          { input: change.message, env: await this.commitIdentity() },
        )
      ).trim();
      const pushed = await this.run([
        'push',
        '--porcelain',
        this.url,
        `${commit}:refs/heads/${change.branch}`,
      ]);
      if (pushed.code !== 0)
        throw this.failure(`git push ${this.display} ${change.branch}`, `${pushed.stdout}\n${pushed.stderr}`);
      return commit;
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  }

  async dispose(): Promise<void> {
    if (!this.dir) return;
    const dir = await this.dir.catch(() => undefined);
    this.dir = undefined;
    if (dir) await rm(dir, { recursive: true, force: true });
  }

  private repository(): Promise<string> {
    this.dir ??= (async () => {
      const dir = await mkdtemp(join(tmpdir(), 'gitops-promote-manifests-'));
      const r = await exec('git', ['init', '--quiet', '--bare', dir], { cwd: tmpdir(), env: gitEnv() });
      if (r.code !== 0) throw this.failure('git init', r.stderr);
      return dir;
    })();
    return this.dir;
  }

  /** Author and committer: the user's Git identity when there is one, else gitops-promote. */
  private commitIdentity(): Promise<Record<string, string>> {
    this.identity ??= commitIdentityEnv((args) => this.run(args));
    return this.identity;
  }

  private async git(
    args: string[],
    o: { input?: string; env?: Record<string, string> } = {},
  ): Promise<string> {
    const r = await this.run(args, o);
    if (r.code !== 0) throw this.failure(`git ${args[0]}`, r.stderr);
    return r.stdout;
  }

  private async run(
    args: string[],
    o: { input?: string; env?: Record<string, string>; binary?: boolean } = {},
  ): Promise<{ code: number; stdout: string; stderr: string; raw?: Buffer }> {
    const dir = await this.repository();
    const env = gitEnv(o.env);
    if (this.authHeader && /^https?:\/\//i.test(this.url)) {
      env.GIT_CONFIG_COUNT = '1';
      env.GIT_CONFIG_KEY_0 = 'http.extraHeader';
      env.GIT_CONFIG_VALUE_0 = this.authHeader;
    }
    const r = await exec('git', args, {
      cwd: dir,
      env,
      ...(o.input !== undefined ? { input: o.input } : {}),
      ...(o.binary ? { raw: true } : {}),
    });
    if (r.code === undefined)
      throw new GitopsError(
        r.startError === 'ENOENT'
          ? 'git is not installed or not on PATH'
          : `git could not start: ${r.startError}`,
      );
    return { code: r.code, stdout: r.stdout, stderr: r.stderr, ...(r.raw ? { raw: r.raw } : {}) };
  }

  private failure(call: string, stderr: string): GitopsError {
    const lines = stderr
      .split('\n')
      .map((l) => l.replace(/\s+/g, ' ').trim())
      .filter(Boolean);
    const line =
      lines.find((l) => /^(fatal|error):|\[(remote )?rejected\]|^!/.test(l)) ?? lines[0] ?? 'it failed';
    const refused =
      /could not read (Username|Password)|Authentication failed|terminal prompts disabled|HTTP 40[13]|Permission denied \(publickey/i.test(
        stderr,
      );
    const hint = !refused
      ? ''
      : this.authHeader
        ? `; ${this.display} refused the token: it must be allowed to read and push there (GitHub: the workflow's GITHUB_TOKEN reaches only its own repository, give a GitHub App token or a fine-grained PAT with contents:write; Azure DevOps: the build service identity needs Contribute on that repository)`
        : this.tokenWithheld
          ? `; ${this.display} wants credentials, and the token input is sent only to the hosting service this run belongs to (its server URL or collection), never to another host: set up git credentials for it`
          : `; ${this.display} wants credentials: give token (on GitHub or Azure DevOps) or set up git credentials for it`;
    return new GitopsError(`${call} failed: ${maskCredentials(line)}${hint}`);
  }
}
