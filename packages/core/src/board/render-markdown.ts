import { md, table } from '../markdown';
import type { Board } from './model';
import { attemptText, runs, STATE_LABEL, sinceText, waitingLine } from './present';
import { mermaid } from './render-mermaid';

/** Rows of the environment table, as plain text cells (each renderer escapes them its own way). */
export function environmentCells(board: Board): string[][] {
  return board.environments.map((e) => [
    e.environment,
    [STATE_LABEL[e.state], attemptText(e)].filter(Boolean).join('; '),
    runs(e),
    sinceText(e, board),
    e.waiting.map(waitingLine).join('; ') || '—',
    e.drift,
    e.parity,
  ]);
}

export const ENVIRONMENT_HEADER = ['environment', 'state', 'runs', 'since', 'waiting', 'drift', 'parity'];

/** Per app: its tag in each environment, and an open promotion pull request into it. */
export function appCells(board: Board): { header: string[]; rows: string[][] } {
  const envs = board.environments.map((e) => e.environment);
  const rows = board.apps.map((a) => [
    `${a.group}/${a.app}`,
    ...envs.map((name) => {
      const at = a.environments.find((x) => x.environment === name);
      if (!at) return '—';
      const pr = at.pullRequest ? ` (PR #${at.pullRequest.number} → ${at.pullRequest.tag})` : '';
      return `${at.tag || '—'}${pr}`;
    }),
  ]);
  return { header: ['app', ...envs], rows };
}

/**
 * The job summary: the environment table, then (with `diagram`) a Mermaid flowchart, which GitHub renders
 * and Azure DevOps shows as code, so Azure DevOps gets the table and the attached page instead.
 */
export function summaryMarkdown(board: Board, diagram: boolean): string {
  const parts = [
    '### gitops-promote: promotion board',
    table(
      ENVIRONMENT_HEADER,
      environmentCells(board).map((r) => r.map((c) => md(c))),
    ),
  ];
  if (diagram) parts.push(`\`\`\`mermaid\n${mermaid(board)}\n\`\`\``);
  if (board.apps.length) {
    const { header, rows } = appCells(board);
    parts.push(
      '#### Images',
      table(
        header.map(md),
        rows.map((r) => r.map((c) => md(c))),
      ),
    );
  }
  if (board.notes.length) parts.push(board.notes.map((n) => `> ${md(n)}`).join('\n>\n'));
  parts.push(`<sub>read ${md(board.generatedAt)}</sub>`);
  return `${parts.join('\n\n')}\n`;
}

/** The terminal's table: columns padded with spaces, no markup. */
export function textTable(board: Board): string {
  const rows = [ENVIRONMENT_HEADER, ...environmentCells(board)];
  const lines = [render(rows)];
  if (board.apps.length) {
    const { header, rows: apps } = appCells(board);
    lines.push('', render([header, ...apps]));
  }
  for (const n of board.notes) lines.push(`note: ${n}`);
  return lines.join('\n');
}

function render(rows: string[][]): string {
  const clean = rows.map((r) => r.map((c) => c.replace(/[\r\n\t]+/g, ' ')));
  const widths = clean[0]!.map((_, i) => Math.max(...clean.map((r) => (r[i] ?? '').length)));
  return clean
    .map((r) =>
      r
        .map((c, i) => c.padEnd(widths[i]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
