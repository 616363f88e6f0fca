import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load';
import { Inputs } from '../../src/inputs';
import type { RunContext } from '../../src/runtime';
import { gateTarget, promotionTarget, renderEnvironments } from '../../src/settings/environment';

const config = parseConfig(
  'environments:\n  - name: ops\n  - name: apps\n  - name: apps-prod\n',
  'gitops-promote.yaml',
  'gitops-promote',
);
const inputs = (given: Record<string, string>) => new Inputs({ input: (name) => given[name] ?? '' });
const push = (ref: string): RunContext => ({ ref, event: 'push', workspace: '/nowhere' });
const mainPush = push('refs/heads/main');

describe('one environment resolver for every step', () => {
  it('promote-tag: the environment named, else the one after from-environment, else after the one this run applied', () => {
    expect(promotionTarget(config, inputs({ environment: 'apps-prod' }), mainPush).name).toBe('apps-prod');
    expect(promotionTarget(config, inputs({ 'from-environment': 'apps' }), mainPush).name).toBe('apps-prod');
    expect(promotionTarget(config, inputs({}), mainPush).name).toBe('apps');
  });

  it('promote-tag: refuses the first environment, the last as a source, and an unknown name', () => {
    expect(() => promotionTarget(config, inputs({ environment: 'ops' }), mainPush)).toThrow(
      'input environment: "ops" is not valid; ops is the first environment; nothing is promoted into it',
    );
    expect(() => promotionTarget(config, inputs({ 'from-environment': 'apps-prod' }), mainPush)).toThrow(
      'apps-prod is the last environment',
    );
    expect(() => promotionTarget(config, inputs({ environment: 'qa' }), mainPush)).toThrow(
      'input environment: "qa" is not valid; use one of the environments in gitops-promote.yaml: ops, apps, apps-prod',
    );
  });

  it('check-previous-env: the target and the environment before it; a tag run goes through a deploy tag', () => {
    const named = gateTarget(config, inputs({ environment: 'apps' }), mainPush);
    expect([named.name, named.previous?.name, named.viaTag]).toEqual(['apps', 'ops', false]);
    const after = gateTarget(config, inputs({ 'previous-environment': 'apps' }), push('refs/tags/x'));
    expect([after.name, after.previous?.name, after.viaTag]).toEqual(['apps-prod', 'apps', true]);
    expect(() =>
      gateTarget(config, inputs({ environment: 'apps', 'previous-environment': 'apps' }), mainPush),
    ).toThrow('apps comes after ops; give environment or previous-environment, not both');
  });

  it('render-manifests: every listed environment once, in order; an unknown one names what the file defines', () => {
    const listed = renderEnvironments(config, inputs({ environment: 'apps\nops\napps' }), mainPush);
    expect(listed.environments.map((e) => e.name)).toEqual(['apps', 'ops']);
    expect(() => renderEnvironments(config, inputs({ environment: 'qa' }), mainPush)).toThrow(
      'input environment: "qa" is not valid; gitops-promote.yaml defines ops, apps, apps-prod',
    );
    expect(renderEnvironments(config, inputs({}), mainPush).environments.map((e) => e.name)).toEqual(['ops']);
  });
});
