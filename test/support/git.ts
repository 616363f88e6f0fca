import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const GIT_ENV = {
  ...process.env,
  GIT_AUTHOR_NAME: 'Test',
  GIT_AUTHOR_EMAIL: 'test@example.com',
  GIT_COMMITTER_NAME: 'Test',
  GIT_COMMITTER_EMAIL: 'test@example.com',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_TERMINAL_PROMPT: '0',
};

export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, {
    cwd,
    env: GIT_ENV,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  }).trim();
}

export function tempDir(prefix = 'gp-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** A bare repository (the remote) and a clone of it with one commit on `main`. */
export interface GitFixture {
  remote: string;
  work: string;
  /** Writes files, commits them on the current branch and returns the new sha. */
  commit(files: Record<string, string>, message?: string): string;
  git(...args: string[]): string;
}

export function gitFixture(files: Record<string, string> = { 'README.md': '# test\n' }): GitFixture {
  const root = tempDir();
  const remote = join(root, 'remote.git');
  const work = join(root, 'work');
  execFileSync('git', ['init', '-q', '--bare', '-b', 'main', remote], { env: GIT_ENV });
  execFileSync('git', ['init', '-q', '-b', 'main', work], { env: GIT_ENV });
  git(work, 'remote', 'add', 'origin', remote);
  const fixture: GitFixture = {
    remote,
    work,
    git: (...args) => git(work, ...args),
    commit(f, message = 'change') {
      for (const [path, content] of Object.entries(f)) {
        const file = join(work, path);
        mkdirSync(dirname(file), { recursive: true });
        writeFileSync(file, content);
      }
      git(work, 'add', '-A');
      git(work, 'commit', '-q', '--allow-empty', '-m', message);
      return git(work, 'rev-parse', 'HEAD');
    },
  };
  fixture.commit(files, 'initial');
  git(work, 'push', '-q', 'origin', 'main');
  return fixture;
}
