import { execFile, execFileSync } from 'node:child_process';
import { copyFileSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Board } from '@gitops-promote/core';
import { GitRemoteProvider } from '@gitops-promote/platform/providers/git';
import { describe, expect, it } from 'vitest';
import { ROOT, runTerminal } from './support/bundle';
import { gitFixture, tempDir } from './support/git';
import { decodePng } from './support/png';

/**
 * The board's HTML page in a real browser (Debian's chromium, headless) with the network off: every
 * environment is rendered, and its screenshot is a picture, not a blank page. `.ci/run` installs chromium
 * when it is missing; without it this test fails and says so. GITOPS_PROMOTE_BOARD_PNG=docs/board.png
 * keeps the screenshot (the one the README shows).
 */

const CHROMIUM = ['chromium', 'chromium-browser'].find((b) => {
  try {
    execFileSync('which', [b], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
});

/** Headless, no sandbox (containers), and no network: every host resolves to nothing, every proxy is closed. */
function chromium(args: string[], cwd: string): Promise<string> {
  const flags = [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--no-first-run',
    '--hide-scrollbars',
    '--proxy-server=127.0.0.1:9',
    '--host-resolver-rules=MAP * ~NOTFOUND',
    `--user-data-dir=${join(cwd, 'profile')}`,
    '--window-size=1200,900',
  ];
  return new Promise((resolve, reject) =>
    execFile(CHROMIUM!, [...flags, ...args], { cwd, timeout: 120_000, maxBuffer: 16 << 20 }, (err, stdout) =>
      err ? reject(err) : resolve(stdout),
    ),
  );
}

async function kubestackPage(): Promise<{ page: string; board: Board }> {
  const fx = gitFixture({
    'gitops-promote.yaml': 'environments:\n  - name: ops\n  - name: apps\n  - name: apps-prod\n',
  });
  const c = [1, 2, 3].map((i) => fx.commit({ 'main.tf': `# ${i}\n` }, `change ${i}`));
  fx.git('push', '-q', 'origin', 'main');
  fx.git('tag', 'apps-deploy-20261101000000', c[0]!);
  fx.git('tag', 'apps-deploy-20261102000000', c[1]!);
  fx.git('push', '-q', 'origin', '--tags');
  const statuses = new GitRemoteProvider({ cwd: fx.work });
  for (const sha of c)
    await statuses.setStatus(sha, {
      context: 'gitops-promote/ops',
      state: 'success',
      description: 'applied +1 ~0 -0',
    });
  await statuses.setStatus(c[2]!, {
    context: 'gitops-promote/ops/drift',
    state: 'success',
    description: 'no drift',
  });
  await statuses.setStatus(c[0]!, {
    context: 'gitops-promote/apps',
    state: 'success',
    description: 'applied +3 ~1 -0',
  });
  await statuses.setStatus(c[1]!, {
    context: 'gitops-promote/apps',
    state: 'failure',
    description: 'Error: quota "exceeded" for <vm>',
  });
  const r = await runTerminal('promotion-board', {
    cwd: fx.work,
    inputs: { 'html-file': 'board/index.html' },
  });
  expect(r.failure).toBeUndefined();
  expect(r.outputs['html-file']).toBe(join(fx.work, 'board', 'index.html'));
  return { page: r.outputs['html-file']!, board: JSON.parse(r.outputs.board!) as Board };
}

describe('the promotion board page in a headless browser', () => {
  it('renders every environment and is no blank page, with the network off', {
    timeout: 180_000,
  }, async () => {
    expect(CHROMIUM, 'chromium is not installed: apt-get install -y chromium (.ci/run does)').toBeDefined();
    const { page, board } = await kubestackPage();
    const dir = tempDir('gp-browser-');
    const url = pathToFileURL(page).href;

    const dom = await chromium(['--dump-dom', url], dir);
    for (const e of board.environments) expect(dom).toContain(`<h3>${e.environment}</h3>`);
    expect(dom).toContain('quota "exceeded" for &lt;vm&gt;'); // text, not markup
    expect(dom).toMatch(/<table>.*<caption>Environments<\/caption>/s);

    const shot = join(dir, 'board.png');
    await chromium([`--screenshot=${shot}`, url], dir);
    const bytes = statSync(shot).size;
    expect(bytes).toBeGreaterThan(20_000);
    const png = decodePng(readFileSync(shot));
    expect([png.width, png.height]).toEqual([1200, 900]);
    const colours = new Set<string>();
    let inked = 0;
    const background = png.pixel(5, 5).join();
    for (let y = 0; y < png.height; y += 4)
      for (let x = 0; x < png.width; x += 4) {
        const p = png.pixel(x, y).join();
        colours.add(p);
        if (p !== background) inked++;
      }
    // Text and coloured boxes: many colours, and a good part of the page is not background.
    expect(colours.size).toBeGreaterThan(50);
    expect(inked / ((png.width / 4) * (png.height / 4))).toBeGreaterThan(0.05);
    const keep = process.env.GITOPS_PROMOTE_BOARD_PNG;
    if (keep) copyFileSync(shot, join(ROOT, keep));
  });
});
