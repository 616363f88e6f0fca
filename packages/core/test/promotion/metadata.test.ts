import { describe, expect, it } from 'vitest';
import {
  metadataBlock,
  nameProblem,
  type PromotionMetadata,
  PromotionMetadataError,
  type PullRequest,
  parseConfig,
  promotionBranch,
  promotionTitle,
  readPromotion,
} from '../../src/index';

const config = parseConfig(
  'prflow: per-app\nenvironments:\n  - {name: dev, auto: true}\n  - {name: qa, auto: true}\n  - {name: prod}\n',
  'gitops-promotion.yaml',
  'gitops-promotion',
);

const meta: PromotionMetadata = {
  group: 'apps',
  app: 'podinfo',
  tag: 'a8b91c33',
  env: 'qa',
  sha: 'a'.repeat(40),
  type: 'promote',
};

function pr(body: string, head = 'promote/apps-podinfo'): PullRequest {
  return {
    number: 7,
    url: 'https://example/pull/7',
    head,
    headSha: 'b'.repeat(40),
    base: 'main',
    title: promotionTitle(meta),
    body,
    state: 'open',
    autoMerge: false,
  };
}

describe('promotion metadata', () => {
  it('round-trips through a hidden HTML comment, wherever it is in the description', () => {
    const block = metadataBlock(meta);
    expect(block).toBe(
      `<!-- gitops-promote:promotion {"version":1,"group":"apps","app":"podinfo","tag":"a8b91c33","env":"qa","sha":"${'a'.repeat(40)}","type":"promote"} -->`,
    );
    expect(readPromotion(pr(`Promotes podinfo.\n\n${block}\n`), config)).toEqual(meta);
    expect(readPromotion(pr(block, 'promote/qa/apps-podinfo'), config)).toEqual(meta);
  });

  it('carries a digest when the promotion pins one, and refuses one that is no digest', () => {
    const pinned = { ...meta, digest: `sha256:${'c'.repeat(64)}` };
    expect(readPromotion(pr(metadataBlock(pinned)), config)).toEqual(pinned);
    const edited = metadataBlock(pinned).replace(/sha256:c+/, 'sha256:nope');
    expect(() => readPromotion(pr(edited), config)).toThrow(
      'its gitops-promote:promotion block has digest "sha256:nope", which is no image digest',
    );
  });

  it('a pull request without a block and outside promote/ is no promotion', () => {
    expect(readPromotion(pr('Fixes a typo.', 'feature/typo'), config)).toBeUndefined();
  });

  const cases: [string, string, string?][] = [
    [
      'Bumps podinfo.',
      'comes from a promotion branch but its description has no gitops-promote:promotion block',
    ],
    [
      metadataBlock(meta).replace('"tag":"a8b91c33",', '"tag":"a8b91c33"'),
      'its gitops-promote:promotion block is not valid JSON',
    ],
    [
      metadataBlock(meta).replace('"env":"qa"', '"env":"staging"'),
      'has env "staging", which is not an environment in gitops-promotion.yaml (dev, qa, prod)',
    ],
    [metadataBlock(meta).replace('"sha":"a', '"sha":"z'), 'has sha "zaaa'],
    [
      metadataBlock(meta).replace('"type":"promote"', '"type":"deploy"'),
      'has type "deploy" (new or promote)',
    ],
    [
      metadataBlock(meta).replace('"version":1', '"version":2'),
      'has version 2 (this version of gitops-promote reads version 1)',
    ],
    [metadataBlock(meta).replace('"app":"podinfo",', ''), 'has app missing'],
    [metadataBlock(meta).replace('"tag":"a8b91c33"', '"tag":"a b"'), 'has tag "a b", which is no image tag'],
    [`${metadataBlock(meta)}\n${metadataBlock(meta)}`, 'has 2 gitops-promote:promotion blocks'],
    [
      metadataBlock(meta),
      'promotes apps/podinfo to qa, which comes from promote/apps-podinfo or promote/qa/apps-podinfo, not promote/apps-worker',
      'promote/apps-worker',
    ],
  ];
  it.each(cases)('an edited block fails naming the pull request: %s', (body, message, head) => {
    const read = () => readPromotion(pr(body, head), config);
    expect(read).toThrow(PromotionMetadataError);
    expect(read).toThrow(`pull request #7 (${head ?? 'promote/apps-podinfo'} → main)`);
    expect(read).toThrow(message);
  });

  it('names branches and titles as XKS does', () => {
    expect(promotionBranch('per-app', 'apps', 'podinfo', 'dev')).toBe('promote/apps-podinfo');
    expect(promotionBranch('per-env', 'apps', 'podinfo', 'dev')).toBe('promote/dev/apps-podinfo');
    expect(promotionTitle({ ...meta, env: 'dev' })).toBe(
      'Promote apps/podinfo version a8b91c33 to environment dev',
    );
    expect(nameProblem('apps')).toBeUndefined();
    expect(nameProblem('flux-system')).toBeUndefined();
    expect(nameProblem('Apps')).toContain('Kubernetes name');
    expect(nameProblem('a/b')).toContain('Kubernetes name');
  });
});
