import { describe, expect, it } from 'vitest';
import {
  compileGlob,
  DEPLOY_TAG_CHARACTERS,
  deployTagProblem,
  parseRef,
  refNameProblem,
  sampleOf,
  shortBranch,
} from '../src/refs';

describe('parseRef', () => {
  it.each([
    ['refs/heads/main', { kind: 'branch', name: 'main', ref: 'refs/heads/main' }],
    ['refs/heads/feature/x', { kind: 'branch', name: 'feature/x', ref: 'refs/heads/feature/x' }],
    ['refs/tags/apps-deploy-1', { kind: 'tag', name: 'apps-deploy-1', ref: 'refs/tags/apps-deploy-1' }],
    ['refs/pull/42/merge', { kind: 'pull', number: 42, ref: 'refs/pull/42/merge' }],
    ['refs/pull/7/head', { kind: 'pull', number: 7, ref: 'refs/pull/7/head' }],
  ])('splits %s', (ref, parsed) => {
    expect(parseRef(ref)).toEqual(parsed);
  });

  it.each([
    'main',
    'refs/heads/',
    'refs/tags/',
    'refs/pull/x/merge',
    'refs/pull/3/other',
    'refs/remotes/origin/main',
    '',
  ])('refuses %j', (ref) => {
    expect(parseRef(ref)).toBeUndefined();
  });
});

describe('shortBranch', () => {
  it('drops refs/heads/ and leaves a short name as it is', () => {
    expect(shortBranch('refs/heads/release/1')).toBe('release/1');
    expect(shortBranch('main')).toBe('main');
    expect(shortBranch('refs/tags/v1')).toBe('refs/tags/v1');
  });
});

describe('refNameProblem', () => {
  it.each(['main', 'release/1.2', 'apps-deploy-20240101', 'a_b', 'x@y'])('accepts %j', (name) => {
    expect(refNameProblem(name)).toBeUndefined();
  });

  it.each([
    ['', 'it is empty'],
    ['refs/heads/main', 'give the short name, without refs/heads/ or refs/tags/'],
    ['a b', 'it contains " ", which Git does not allow in a ref name'],
    ['a~1', 'it contains "~", which Git does not allow in a ref name'],
    ['a^', 'it contains "^", which Git does not allow in a ref name'],
    ['a:b', 'it contains ":", which Git does not allow in a ref name'],
    ['a\\b', 'it contains "\\\\", which Git does not allow in a ref name'],
    ['a*', 'it contains "*", which Git does not allow in a ref name'],
    ['a?', 'it contains "?", which Git does not allow in a ref name'],
    ['a[1]', 'it contains "[", which Git does not allow in a ref name'],
    ['a\tb', 'it contains "\\t", which Git does not allow in a ref name'],
    ['a..b', 'it contains "..", which Git does not allow in a ref name'],
    ['a@{1}', 'it contains "@{", which Git does not allow in a ref name'],
    ['/a', 'it has an empty path component (a leading, trailing or double "/")'],
    ['a/', 'it has an empty path component (a leading, trailing or double "/")'],
    ['a//b', 'it has an empty path component (a leading, trailing or double "/")'],
    ['a.', 'a component starts with "." or the name ends with "." or ".lock"'],
    ['a.lock', 'a component starts with "." or the name ends with "." or ".lock"'],
    ['.a', 'a component starts with "." or the name ends with "." or ".lock"'],
    ['a/.b', 'a component starts with "." or the name ends with "." or ".lock"'],
  ])('refuses %j: %s', (name, problem) => {
    expect(refNameProblem(name)).toBe(problem);
  });

  it('allows the wildcards * ? [ ] only for a glob', () => {
    expect(refNameProblem('apps-deploy-*', true)).toBeUndefined();
    expect(refNameProblem('v?-[0-9]', true)).toBeUndefined();
    expect(refNameProblem('apps deploy-*', true)).toBe(
      'it contains " ", which Git does not allow in a ref name',
    );
    expect(refNameProblem('a..*', true)).toBe('it contains "..", which Git does not allow in a ref name');
  });
});

describe('compileGlob', () => {
  it('matches names as a shell glob does', () => {
    const m = compileGlob('apps-deploy-*');
    expect(m('apps-deploy-1')).toBe(true);
    expect(m('apps-deploy-')).toBe(true);
    expect(m('ops-deploy-1')).toBe(false);
    expect(m('xapps-deploy-1')).toBe(false);
  });

  it('supports ? and bracket classes', () => {
    const m = compileGlob('v?-[0-9]');
    expect(m('v1-5')).toBe(true);
    expect(m('v1-a')).toBe(false);
    expect(m('v12-5')).toBe(false);
  });

  // As the config and sampleOf read it: `[!…]` is a negated class, never "! or …".
  it('negates a bracket class with !', () => {
    const n = compileGlob('rc-[!0-9]');
    expect(n('rc-a')).toBe(true);
    expect(n('rc-1')).toBe(false);
    expect(n('rc-!')).toBe(true);
  });

  it('treats braces and extglobs literally', () => {
    const m = compileGlob('a-{b,c}');
    expect(m('a-b')).toBe(false);
    expect(m('a-{b,c}')).toBe(true);
  });

  it.each([
    ['apps-[0-9', 'its [ ] brackets do not pair up'],
    ['apps-]0-9[', 'its [ ] brackets do not pair up'],
    ['apps-[[0-9]]', 'its [ ] brackets do not pair up'],
    ['apps deploy', 'it contains " ", which Git does not allow in a ref name'],
    ['refs/tags/x-*', 'give the short name, without refs/heads/ or refs/tags/'],
  ])('refuses %j: %s', (glob, reason) => {
    expect(() => compileGlob(glob)).toThrow(reason);
  });
});

describe('sampleOf', () => {
  it.each([
    ['apps-deploy-*', 'apps-deploy-x'],
    ['v?-[0-9]', 'vx-0'],
    ['a**b', 'axb'],
    ['rc-[!0-9]', 'rc-\u0001'],
    ['plain', 'plain'],
  ])('%j → %j', (glob, sample) => {
    expect(sampleOf(glob)).toBe(sample);
  });

  it('gives a name its own glob matches (unless the class is negated)', () => {
    for (const glob of ['apps-deploy-*', 'v?-[0-9]', 'x/*/y', 'release-[abc]?'])
      expect(compileGlob(glob)(sampleOf(glob))).toBe(true);
  });
});

describe('deployTagProblem', () => {
  it.each(['apps-deploy-1', 'group/app/v1.2.3', 'A_b.c'])('accepts %j', (name) => {
    expect(deployTagProblem(name)).toBeUndefined();
  });

  it.each([
    ['apps-$(id)', `it contains "$"; deploy tag names use only ${DEPLOY_TAG_CHARACTERS}`],
    ['a`b`', `it contains "\`"; deploy tag names use only ${DEPLOY_TAG_CHARACTERS}`],
    ["it's", `it contains "'"; deploy tag names use only ${DEPLOY_TAG_CHARACTERS}`],
    ['a b', `it contains " "; deploy tag names use only ${DEPLOY_TAG_CHARACTERS}`],
    ['a+b', `it contains "+"; deploy tag names use only ${DEPLOY_TAG_CHARACTERS}`],
    ['-rf', 'it starts with "-", which a script would read as an option'],
    ['a..b', 'it contains "..", which Git does not allow in a ref name'],
    ['a.lock', 'a component starts with "." or the name ends with "." or ".lock"'],
    ['', 'it is empty'],
  ])('refuses %j: %s', (name, problem) => {
    expect(deployTagProblem(name)).toBe(problem);
  });
});
