import { describe, expect, it } from 'vitest';
import { maskCredentials, originOf } from '../../src/render/git-url';

describe('maskCredentials', () => {
  it('hides the user-info of every URL in a text, whatever the scheme', () => {
    expect(maskCredentials('https://x:t0k3n@example.com/m.git')).toBe('https://***@example.com/m.git');
    expect(
      maskCredentials("fatal: unable to access 'https://user:pw@host/x.git' and ssh://git@h/y.git\n"),
    ).toBe("fatal: unable to access 'https://***@host/x.git' and ssh://***@h/y.git\n");
  });

  it('leaves URLs without user-info, an @ in the path and scp-like remotes as they are', () => {
    for (const text of ['https://example.com/a@b/m.git', 'git@github.com:octo/m.git', '/tmp/m.git', ''])
      expect(maskCredentials(text)).toBe(text);
  });
});

describe('originOf', () => {
  it.each([
    ['https://ghe.example.com:8443/octo/m.git', 'https://ghe.example.com:8443'],
    ['HTTPS://Example.COM/x', 'https://example.com'],
    ['https://example.com:443/x', 'https://example.com'],
    ['http://localhost:8080/x', 'http://localhost:8080'],
    ['https://user:token@dev.azure.com/fabrikam/_git/m', 'https://dev.azure.com'],
  ])('%s is on %s', (url, origin) => {
    expect(originOf(url)).toBe(origin);
  });

  it.each([
    'ssh://git@example.com/m.git',
    'git@example.com:octo/m.git',
    'file:///srv/m.git',
    '/srv/m.git',
    'm.git',
    '',
  ])('%j has no http(s) origin', (url) => {
    expect(originOf(url)).toBeUndefined();
  });
});
