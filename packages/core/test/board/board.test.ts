import { describe, expect, it } from 'vitest';
import type { Board, BoardEnvironment } from '../../src/board/model';
import { type Position, waitingFor } from '../../src/board/read';
import { boardHtml } from '../../src/board/render-html';
import { summaryMarkdown, textTable } from '../../src/board/render-markdown';
import { mermaid, mermaidText } from '../../src/board/render-mermaid';
import { type BoardSignals, SIGNALS } from '../../src/board/signals';
import { loadConfig } from '../../src/config/load';
import type { GitProvider } from '../../src/provider';

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);
const HOSTILE = 'feat/"quoted" [x] <img src=x onerror=alert(1)> | `tick` #1';

const env = (over: Partial<BoardEnvironment>): BoardEnvironment => ({
  environment: 'ops',
  sha: A,
  ref: 'main',
  state: 'success',
  since: '2026-11-30T10:00:00Z',
  description: '',
  parity: 'unknown',
  drift: 'unknown',
  freeze: 'unknown',
  waiting: [],
  ...over,
});

const board = (environments: BoardEnvironment[]): Board => ({
  generatedAt: '2026-11-30T12:00:00.000Z',
  mainBranch: 'main',
  environments,
  apps: [],
  notes: [],
});

describe('the board as text, Mermaid and HTML: user data stays data', () => {
  const b = board([
    env({ ref: HOSTILE, description: HOSTILE }),
    env({
      environment: 'apps',
      state: 'failure',
      waiting: [{ sha: B, ref: HOSTILE, reason: 'no-tag', detail: HOSTILE }],
    }),
  ]);

  it('Mermaid labels carry no quote, bracket, pipe or angle bracket of their own', () => {
    expect(mermaidText('a"b[c]<d>|e`f#g')).toBe('a#34;b#91;c#93;#60;d#62;#124;e#96;f#35;g');
    const chart = mermaid(b);
    const labels = [...chart.matchAll(/\["(.*)"\]|\|"(.*)"\|/g)].map((m) => (m[1] ?? m[2])!);
    expect(labels).toHaveLength(3);
    for (const label of labels) expect(label.replaceAll('<br/>', '')).not.toMatch(/["[\]<>|`]/);
    expect(chart).toContain('e0 -->|"1 waiting: not promoted yet #40;bbbbbbb#41;"| e1');
    expect(chart).toContain('e1["apps<br/>failed<br/>');
    expect(chart).toMatch(/classDef failure fill:#[0-9a-f]{6}/);
  });

  it('the HTML page escapes every value and loads nothing', () => {
    const page = boardHtml(b, 'org/"repo"');
    expect(page).not.toContain('<img');
    expect(page).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(page).toContain('org/&quot;repo&quot;');
    expect(page).not.toMatch(/<script|<link|@import|url\(|https?:/i);
  });

  it('the Markdown table escapes cells; Azure DevOps gets no Mermaid block', () => {
    const summary = summaryMarkdown(b, true);
    expect(summary).not.toMatch(/(?<!\\)<img/);
    expect(summary).toContain('\\<img src=x onerror=alert\\(1\\)\\>');
    expect(summaryMarkdown(b, false)).not.toContain('mermaid');
  });

  it('the terminal table is plain text, one line per environment', () => {
    const lines = textTable(
      board([env({}), env({ environment: 'apps', state: 'never', sha: '', ref: '', since: '' })]),
    ).split('\n');
    expect(lines[0]).toMatch(/^environment +state +runs +since +waiting +drift +parity$/);
    expect(lines[1]).toMatch(
      /^ops +success +main @ aaaaaaa +2026-11-30 10:00 UTC \(2h ago\) +— +unknown +unknown$/,
    );
    expect(lines[2]).toMatch(/^apps +never deployed +— +— +— +unknown +unknown$/);
  });
});

describe('what waits, and the plug points for freeze, soak and parity', () => {
  const config = loadConfig('/nonexistent-workspace-for-defaults');
  const [ops, apps] = config.environments;
  const noCalls = new Proxy({} as GitProvider, {
    get: (_, name) => () => {
      throw new Error(`no provider call expected (${String(name)})`);
    },
  });
  const position = (over: Partial<Position>): Position => ({
    env: ops!,
    sha: A,
    ref: 'main',
    state: 'success',
    applied: true,
    statuses: [],
    deciding: [
      { context: 'gitops-promote/ops', state: 'success', description: '', createdAt: '2026-11-30T11:00:00Z' },
    ],
    tagStates: new Map(),
    description: '',
    ...over,
  });
  const here = position({
    env: apps!,
    sha: B,
    ref: 'apps-deploy-1',
    tags: [{ name: 'apps-deploy-1', sha: B }],
  });
  const now = new Date('2026-11-30T12:00:00Z');
  const wait = (signals: Partial<BoardSignals>, h = here) =>
    waitingFor(noCalls, config, h, position({}), { ...SIGNALS, ...signals }, now);

  it('a commit the previous environment applied, with no deploy tag here: not promoted yet', async () => {
    expect(await wait({})).toEqual([
      { sha: A, ref: 'main', reason: 'no-tag', detail: `no apps-deploy-* tag on ${A.slice(0, 12)} yet` },
    ]);
  });

  it('a deploy tag on it whose result is pending or failed says so', async () => {
    const tagged = (state: 'pending' | 'failure') =>
      position({
        ...here,
        tags: [{ name: 'apps-deploy-2', sha: A }],
        tagStates: new Map([['apps-deploy-2', state]]),
      });
    expect((await wait({}, tagged('pending')))[0]!.reason).toBe('pending');
    expect((await wait({}, tagged('failure')))[0]!.reason).toBe('failed');
  });

  it('nothing waits when the environment runs the same commit or the previous one applied nothing', async () => {
    expect(await wait({}, position({ ...here, sha: A }))).toEqual([]);
    expect(await waitingFor(noCalls, config, here, position({ applied: false }), SIGNALS, now)).toEqual([]);
  });

  it('freeze, then soak, then parity: each plugs in with one function and names why', async () => {
    const frozen = () => 'frozen until 2027-01-04T00:00:00Z (window 1)';
    const soaking = (_: unknown, since: string) => `ops succeeded at ${since}; 20m of soak left`;
    expect(await wait({ freeze: frozen, soak: soaking })).toMatchObject([
      { reason: 'frozen', detail: frozen() },
    ]);
    expect(await wait({ soak: soaking })).toMatchObject([
      { reason: 'soaking', detail: 'ops succeeded at 2026-11-30T11:00:00Z; 20m of soak left' },
    ]);
    expect(await wait({ parity: () => 'differs' })).toMatchObject([{ reason: 'parity-differs' }]);
    expect(await wait({ freeze: () => '', soak: () => '', parity: () => 'same' })).toMatchObject([
      { reason: 'no-tag' },
    ]);
  });
});
