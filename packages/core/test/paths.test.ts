import { mkdirSync, mkdtempSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../src/errors';
import { insideRepository, outsideProblem, realTarget } from '../src/paths';

/** A repository with a directory, a file, links pointing in and out, and a folder beside it. */
const top = realpathSync(mkdtempSync(join(tmpdir(), 'gp-paths-')));
const root = join(top, 'repo');
const temp = join(top, 'temp');
const outside = join(top, 'outside');
beforeAll(() => {
  for (const d of [join(root, 'infra', 'deep'), temp, outside]) mkdirSync(d, { recursive: true });
  writeFileSync(join(root, 'infra', 'main.tf'), '');
  writeFileSync(join(outside, 'secret.tfvars'), 'x = 1\n');
  writeFileSync(join(temp, 'backend.hcl'), 'key = "x"\n');
  symlinkSync(outside, join(root, 'out-link'));
  symlinkSync(join(root, 'infra', 'deep'), join(root, 'in-link'));
  symlinkSync(join(outside, 'not-yet'), join(root, 'dangling-out'));
});

describe('paths stay inside the repository after .. and symbolic links', () => {
  const rules = () => ({ root });
  it.each([
    ['.', 'the root itself'],
    ['infra', 'a directory'],
    ['infra/main.tf', 'a file'],
    ['infra/../infra/deep', '.. that stays inside'],
    ['in-link', 'a link to a directory inside'],
    // the OS takes .. from where the link leads (infra/deep), not lexically
    ['in-link/../../infra', 'a link followed by .. the way the OS follows it'],
    ['infra/not-yet/file.tfvars', 'a path that does not exist yet'],
  ])('%s is inside (%s)', (value) => {
    expect(outsideProblem(value, rules())).toBeUndefined();
  });

  it.each([
    ['../outside', join(top, 'outside')],
    ['a/../../outside', join(top, 'outside')],
    ['out-link', join(top, 'outside')],
    ['out-link/secret.tfvars', join(top, 'outside', 'secret.tfvars')],
    ['out-link/new/file', join(top, 'outside', 'new', 'file')],
    ['dangling-out', join(top, 'outside', 'not-yet')],
    ['in-link/../../..', top],
  ])('%s leads outside, to %s', (value, target) => {
    expect(outsideProblem(value, rules())).toBe(`it leads to ${target}, outside the repository ${root}`);
  });

  it('an absolute path is judged by where it leads', () => {
    expect(outsideProblem(join(root, 'infra'), rules())).toBeUndefined();
    expect(outsideProblem(join(outside, 'secret.tfvars'), rules())).toMatch(/^it leads to .*outside/);
    expect(outsideProblem('/etc/passwd', rules())).toMatch(/^it leads to .*passwd, outside the repository/);
  });

  it('relative paths start at base, and still must not leave the root', () => {
    const base = join(root, 'infra');
    expect(outsideProblem('deep', { root, base })).toBeUndefined();
    expect(outsideProblem('../../outside/secret.tfvars', { root, base })).toMatch(/^it leads to /);
  });

  it('the job temp folder is admitted only with allowTemp and a temp folder', () => {
    const file = join(temp, 'backend.hcl');
    expect(outsideProblem(file, { root, tempDir: temp })).toMatch(/outside the repository/);
    expect(outsideProblem(file, { root, allowTemp: true })).toMatch(/outside the repository/);
    expect(outsideProblem(file, { root, tempDir: temp, allowTemp: true })).toBeUndefined();
    expect(outsideProblem(join(outside, 'secret.tfvars'), { root, tempDir: temp, allowTemp: true })).toBe(
      `it leads to ${join(outside, 'secret.tfvars')}, outside the repository ${root} or the job temp folder ${temp}`,
    );
  });

  it('a NUL character is refused', () => {
    expect(outsideProblem('infra\0x', rules())).toBe('a path cannot contain a NUL character');
  });

  it('realTarget resolves the longest existing prefix and appends the rest', () => {
    expect(realTarget('out-link/a/b', root)).toBe(join(outside, 'a', 'b'));
    expect(realTarget('in-link/x', root)).toBe(join(root, 'infra', 'deep', 'x'));
  });
});

describe('insideRepository: the path to use, or an InputError naming the input, the value and what is valid', () => {
  it('returns where the path really leads, spelt from the root', () => {
    expect(insideRepository('working-directory', 'infra/./deep', { root })).toBe(join(root, 'infra', 'deep'));
    expect(insideRepository('working-directory', 'in-link/..', { root })).toBe(join(root, 'infra'));
  });

  it('refuses with the value as the user wrote it (a template) and what is valid', () => {
    let error: unknown;
    try {
      insideRepository('source', '../outside', { root, shown: '../{env}', valid: 'give a directory inside' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).message).toBe(
      `input source: "../{env}" is not valid; it leads to ${outside}, outside the repository ${root}; give a directory inside`,
    );
  });

  it('the default advice names the temp folder only where it is allowed', () => {
    expect(() => insideRepository('var-files', '../outside', { root })).toThrow(
      /; give a path inside the repository$/,
    );
    expect(() =>
      insideRepository('var-files', '../outside', { root, allowTemp: true, tempDir: temp }),
    ).toThrow(/; give a path inside the repository or the job temp folder$/);
    // No temp folder on this platform (a terminal): nothing more is admitted, and the advice says so.
    expect(() => insideRepository('var-files', '../outside', { root, allowTemp: true })).toThrow(
      /outside the repository [^ ]+; give a path inside the repository$/,
    );
    expect(
      insideRepository('var-files', join(temp, 'backend.hcl'), { root, allowTemp: true, tempDir: temp }),
    ).toBe(join(temp, 'backend.hcl'));
  });
});
