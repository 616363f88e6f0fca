// Requests counted on the GitHub API double, through the built bundles: test/api-economy.test.ts run with
// GP_API_COUNTS, which writes what it counted (and the pull-request run's time) as JSON. Also the sizes:
// dist/ in all, and the .vsix that scripts/package-azure.mjs makes from it.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

export function apiBench({ root, dist, work, log }) {
  const file = join(work, 'api-counts.json');
  log('  test/api-economy.test.ts on the GitHub API double…');
  execFileSync(
    process.execPath,
    [join(root, 'node_modules', 'vitest', 'vitest.mjs'), 'run', 'test/api-economy.test.ts'],
    {
      cwd: root,
      env: { ...process.env, GITOPS_PROMOTE_DIST: dist, GP_API_COUNTS: file },
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  return JSON.parse(readFileSync(file, 'utf8'));
}

function bytesUnder(dir) {
  let total = 0;
  for (const name of readdirSync(dir, { recursive: true })) {
    const s = statSync(join(dir, name));
    if (s.isFile()) total += s.size;
  }
  return total;
}

export function sizeBench({ root, dist, work, log }) {
  log('  packaging the .vsix from the bundles…');
  const out = execFileSync(
    process.execPath,
    [join(root, 'scripts', 'package-azure.mjs'), '--dist', dist, '--out', join(work, 'vsix')],
    { cwd: root, encoding: 'utf8' },
  );
  const azure = join(dist, 'azure');
  let azureBytes = 0;
  try {
    azureBytes = bytesUnder(azure);
  } catch {
    // an older layout without dist/azure/
  }
  return {
    dist: bytesUnder(dist),
    distAzure: azureBytes,
    vsix: Number(/\((\d+) bytes/.exec(out)?.[1] ?? statSync(join(work, 'vsix', 'gitops-promote.vsix')).size),
  };
}
