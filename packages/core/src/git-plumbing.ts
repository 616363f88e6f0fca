import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { childProcessEnv } from './child-env';

/**
 * Author and committer for commits, notes and tags git makes for us: the user's identity when git has
 * one, else gitops-promote — so a fresh CI clone without `user.name`/`user.email` still works.
 */
export async function commitIdentityEnv(
  run: (args: string[]) => Promise<{ code: number | null }>,
): Promise<Record<string, string>> {
  const env: Record<string, string> = {};
  for (const who of ['AUTHOR', 'COMMITTER']) {
    if ((await run(['var', `GIT_${who}_IDENT`])).code !== 0) {
      env[`GIT_${who}_NAME`] = 'gitops-promote';
      env[`GIT_${who}_EMAIL`] = 'gitops-promote@localhost';
    }
  }
  return env;
}

/**
 * Stores `contents` as blobs with one `hash-object` call and returns their ids, in order. The contents go
 * through files in `dir` with `--no-filters`, so the bytes are stored exactly as given.
 */
export async function writeBlobs(
  git: (args: string[], input: string) => Promise<string>,
  dir: string,
  contents: string[],
): Promise<string[]> {
  if (contents.length === 0) return [];
  const files = contents.map((_, i) => join(dir, `blob-${i}`));
  await Promise.all(contents.map((content, i) => writeFile(files[i]!, content)));
  const out = await git(['hash-object', '-w', '--no-filters', '--stdin-paths'], `${files.join('\n')}\n`);
  return out.split('\n').filter(Boolean);
}

/**
 * git's environment: a child's (none of the step's inputs), never prompts, English messages, nothing
 * inherited that points it at another repository, index or configuration (a calling hook's GIT_DIR, a
 * runner's GIT_CONFIG_*); `extra` last.
 */
export function gitEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env = childProcessEnv(process.env, {
    GIT_TERMINAL_PROMPT: '0',
    GCM_INTERACTIVE: 'never',
    LC_ALL: 'C',
  });
  for (const name of ['GIT_DIR', 'GIT_WORK_TREE', 'GIT_INDEX_FILE', 'GIT_CONFIG_COUNT']) delete env[name];
  return { ...env, ...extra };
}
