import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { hostingOf } from '@gitops-promote/platform/runtimes/hosting';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../../../test/support/git';
import { resolveTarget } from '../../src/render/target';

describe('resolveTarget', () => {
  const workspace = tempDir('gp-target-');
  mkdirSync(join(workspace, 'manifests.git'));
  const env = {
    GITHUB_SERVER_URL: 'https://ghe.example.com',
    SYSTEM_COLLECTIONURI: 'https://dev.azure.com/fabrikam/',
    SYSTEM_TEAMPROJECT: 'Fabrikam Fiber',
  };
  it.each([
    ['github', '', { kind: 'same', display: 'octo/app' }],
    ['github', 'Octo/App', { kind: 'same', display: 'octo/app' }],
    ['github', 'octo/manifests', { kind: 'remote', url: 'https://ghe.example.com/octo/manifests.git' }],
    [
      'github',
      'https://x:t0k3n@example.com/m.git',
      { kind: 'remote', display: 'https://***@example.com/m.git' },
    ],
    ['azure', 'app', { kind: 'same' }],
    [
      'azure',
      'manifests',
      { kind: 'remote', url: 'https://dev.azure.com/fabrikam/Fabrikam%20Fiber/_git/manifests' },
    ],
    ['azure', 'Ops/manifests', { kind: 'remote', url: 'https://dev.azure.com/fabrikam/Ops/_git/manifests' }],
    ['terminal', 'manifests.git', { kind: 'remote', url: join(workspace, 'manifests.git') }],
    ['terminal', 'git@github.com:octo/m.git', { kind: 'remote', url: 'git@github.com:octo/m.git' }],
  ] as const)('%s %j', (platform, value, expected) => {
    const repository = platform === 'github' ? 'octo/app' : platform === 'azure' ? 'app' : undefined;
    expect(resolveTarget(value, { hosting: hostingOf(platform, env), repository, workspace })).toMatchObject(
      expected,
    );
  });

  it.each([
    ['terminal', 'octo/manifests', /no such directory .*; give the path or URL of a Git repository/],
    ['terminal', '--upload-pack=evil', /give a path or URL/],
  ] as const)('refuses %s %j', (platform, value, message) => {
    expect(() => resolveTarget(value, { hosting: hostingOf(platform, env), workspace })).toThrow(message);
  });
});
