import { describe, expect, it } from 'vitest';
import { fencedDiff, renderComment, renderSummary } from '../../src/render/report';

describe('fencedDiff', () => {
  it('uses a fence longer than any backtick run, and cuts at a line end with a note', () => {
    const diff = `+a \`\`\`\` b\n${'+x\n'.repeat(1000)}`;
    const out = fencedDiff(diff, 800, 'see the diff file');
    expect(out.startsWith('`````diff\n')).toBe(true);
    expect(out.length).toBeLessThan(800);
    expect(out).toMatch(/\n`````\n\n… \d+ more lines not shown here; see the diff file\.\n$/);
    expect(
      out.split('\n').every((l) => l === '' || l.startsWith('+') || l.startsWith('`') || l.startsWith('…')),
    ).toBe(true);
  });
});

describe('summary and comment', () => {
  const big = Array.from({ length: 40_000 }, (_, i) => `+  line-${i}: value`).join('\n');
  const report = (environment: string) => ({
    environment,
    display: `kubectl kustomize overlays/${environment}`,
    repository: 'octo/manifests',
    branch: 'main',
    path: environment,
    objects: 3,
    deltas: [{ path: `${environment}/configmap.yaml`, kind: 'add' as const, after: 'x' }],
    diff: `diff --git a/x b/x\n${big}\n`,
  });

  it('a huge diff is cut to fit: the comment under GitHub’s limit, the summary under its own, fences closed', () => {
    const comment = renderComment(report('dev'), 'a'.repeat(40));
    expect(comment.length).toBeLessThan(60_000);
    expect(comment.startsWith('<!-- gitops-promote:render-manifests:dev -->\n')).toBe(true);
    expect(comment).toMatch(
      /\n```\n\n… \d+ more lines not shown here; the diff-file output of the step has the whole diff\.\n/,
    );
    expect(comment).toContain('</details>');
    const summary = renderSummary('verify', [report('dev'), report('prod')], 'a'.repeat(40), 200_000);
    expect(summary.length).toBeLessThan(200_000);
    expect(summary.match(/<\/details>/g)).toHaveLength(2);
  });

  it('user text cannot become markup', () => {
    const r = { ...report('dev'), display: 'render | <img src=x> `x`', diff: '' };
    expect(renderSummary('publish', [r], '')).toContain('render \\| \\<img src=x\\> \\`x\\`');
  });
});
