import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../../../test/support/git';
import { readRenderSettings } from '../../src/render/settings';
import type { RunContext } from '../../src/runtime';

/** A repository with two environments, a kustomization per environment and a Helm chart. */
const workspace = tempDir('gp-render-settings-');
writeFileSync(join(workspace, 'gitops-promote.yaml'), 'environments:\n  - name: dev\n  - name: prod\n');
for (const env of ['dev', 'prod']) {
  mkdirSync(join(workspace, 'overlays', env), { recursive: true });
  writeFileSync(join(workspace, 'overlays', env, 'kustomization.yaml'), 'resources: []\n');
}
mkdirSync(join(workspace, 'charts', 'app'), { recursive: true });
mkdirSync(join(workspace, 'plain'));

const mainPush: RunContext = { ref: 'refs/heads/main', event: 'push', workspace };
const settings = (given: Record<string, string>, context: RunContext = mainPush) =>
  readRenderSettings({ input: (name) => given[name] ?? '', context });
const both = { environment: 'dev\nprod' };

describe('readRenderSettings', () => {
  it('kustomize by default: one job per environment, {env} filled in, the folder named after it', () => {
    const s = settings({ ...both, source: 'overlays/{env}' });
    expect([s.renderer, s.mode, s.target.kind]).toEqual(['kustomize', 'publish', 'same']);
    expect(s.jobs.map((j) => [j.environment.name, j.source, j.cwd, j.path, j.command])).toEqual([
      ['dev', 'overlays/dev', workspace, 'dev', []],
      ['prod', 'overlays/prod', workspace, 'prod', []],
    ]);
    const branches = settings({ ...both, source: 'overlays/{env}', 'target-branch': 'rendered/{env}' });
    expect(branches.jobs.map((j) => j.branch)).toEqual(['rendered/dev', 'rendered/prod']);
    expect(
      settings({ ...both, source: 'overlays/{env}', 'target-path': './clusters//{env}/' }).jobs[0]!.path,
    ).toBe('clusters/dev');
  });

  it('a pull request verifies unless told otherwise', () => {
    const pr: RunContext = { ref: 'refs/pull/7/merge', event: 'pull_request', workspace };
    expect(settings({ ...both, source: 'overlays/{env}' }, pr).mode).toBe('verify');
    expect(settings({ ...both, source: 'overlays/{env}', mode: 'publish' }, pr).mode).toBe('publish');
  });

  it('renderer: command splits the command line and fills {env} into each argument', () => {
    const s = settings({
      ...both,
      renderer: 'command',
      command: "render --env {env} 'a b'",
      source: 'plain',
    });
    expect(s.jobs.map((j) => [j.command, j.cwd])).toEqual([
      [['render', '--env', 'dev', 'a b'], join(workspace, 'plain')],
      [['render', '--env', 'prod', 'a b'], join(workspace, 'plain')],
    ]);
  });

  it.each([
    [{ source: 'overlays/{name}' }, 'input source: "overlays/{name}" is not valid; {name} is no placeholder'],
    [{ source: '' }, 'input source: "" is not valid; renderer: kustomize needs the kustomization directory'],
    [{ source: 'plain' }, 'has no kustomization.yaml: give the kustomization directory of dev'],
    [{ source: 'missing/{env}' }, 'missing/dev is not a directory under'],
    [{ source: '../{env}' }, 'input source: "../{env}" is not valid'],
    [{ renderer: 'helm', source: 'charts/app' }, 'has no Chart.yaml: give the directory of a Helm chart'],
    [{ renderer: 'command' }, 'input command: "" is not valid; renderer: command needs the command line'],
    [{ source: 'overlays/{env}', command: 'x' }, 'command is for renderer: command'],
    [{ renderer: 'jsonnet', source: 'overlays/{env}' }, 'input renderer: "jsonnet" is not valid'],
    [
      { source: 'overlays/{env}', 'target-branch': 'a..{env}' },
      'input target-branch: "a..{env}" is not valid',
    ],
    [{ source: 'overlays/{env}', 'target-path': '../{env}' }, 'give a folder inside the repository'],
    [{ source: 'overlays/{env}', 'target-path': '{env}/.git' }, 'give a folder inside the repository'],
    [{ source: 'overlays/{env}', 'target-path': 'shared' }, 'dev and prod would both be written to'],
  ])('refuses %j', (given, message) => {
    expect(() => settings({ ...both, ...given })).toThrow(message);
  });
});
