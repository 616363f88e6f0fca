import type { Board, BoardState } from './model';
import { REASON_LABEL, runs, STATE_LABEL, waitingName } from './present';

/** Box colours per state (fill, stroke, text); the HTML page uses the same. */
export const STATE_COLOURS: Record<BoardState, [string, string, string]> = {
  success: ['#dcfce7', '#15803d', '#14532d'],
  failure: ['#fee2e2', '#b91c1c', '#7f1d1d'],
  pending: ['#fef9c3', '#a16207', '#713f12'],
  missing: ['#f1f5f9', '#64748b', '#1e293b'],
  never: ['#ffffff', '#94a3b8', '#475569'],
};

/**
 * Text safe inside a quoted Mermaid label: every character but letters, digits and a few marks becomes
 * an entity code (`#35;`), so quotes, brackets, `<`, `|` and newlines in refs or descriptions stay text.
 */
export function mermaidText(text: string): string {
  return [...text.replace(/\s+/g, ' ')]
    .map((c) => (/[A-Za-z0-9 .,:/_@-]/.test(c) ? c : `#${c.codePointAt(0)};`))
    .join('');
}

/** A flowchart: environments in order, boxes coloured by state, arrows labelled with what waits. */
export function mermaid(board: Board): string {
  const lines = ['flowchart LR'];
  board.environments.forEach((e, i) => {
    const label = [e.environment, STATE_LABEL[e.state], runs(e)].map(mermaidText).join('<br/>');
    lines.push(`  e${i}["${label}"]:::${e.state}`);
  });
  board.environments.forEach((e, i) => {
    if (i === 0) return;
    const w = e.waiting;
    const label = w.length
      ? `${w.length} waiting: ${[...new Set(w.map((x) => REASON_LABEL[x.reason]))].join(', ')} (${w.map(waitingName).join(', ')})`
      : 'up to date';
    lines.push(`  e${i - 1} -->|"${mermaidText(label)}"| e${i}`);
  });
  for (const [state, [fill, stroke, color]] of Object.entries(STATE_COLOURS))
    lines.push(`  classDef ${state} fill:${fill},stroke:${stroke},color:${color},stroke-width:2px`);
  return lines.join('\n');
}
