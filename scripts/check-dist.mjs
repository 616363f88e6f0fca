// Fails when the committed dist/ differs from a fresh build of the sources (GitHub runs what is committed).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const fresh = mkdtempSync(join(tmpdir(), 'gp-dist-'));

function files(dir) {
  const out = new Map();
  const walk = (d) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.set(relative(dir, p), readFileSync(p));
    }
  };
  walk(dir);
  return out;
}

try {
  execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs'), fresh], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const want = files(fresh);
  const have = files(join(root, 'dist'));
  const problems = [];
  for (const [file, content] of want) {
    if (!have.has(file)) problems.push(`missing: dist/${file}`);
    else if (!have.get(file).equals(content)) problems.push(`differs: dist/${file}`);
  }
  for (const file of have.keys())
    if (!want.has(file)) problems.push(`stale: dist/${file} (no source builds it)`);
  if (problems.length) {
    console.error(
      `dist/ does not match the sources:\n  ${problems.join('\n  ')}\nRun npm run build and commit dist/ with the source change.`,
    );
    process.exit(1);
  }
  console.log(`dist/ matches a fresh build (${want.size} files)`);
} finally {
  rmSync(fresh, { recursive: true, force: true });
}
