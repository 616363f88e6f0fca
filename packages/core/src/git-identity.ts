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
