import type { Board, BoardEnvironment, BoardState, Waiting } from './model';

/** Words shared by every rendering of the board (table, diagram, page, terminal). */
export const STATE_LABEL: Record<BoardState, string> = {
  success: 'success',
  failure: 'failed',
  pending: 'pending',
  missing: 'no result',
  never: 'never deployed',
};

export const REASON_LABEL: Record<Waiting['reason'], string> = {
  'no-tag': 'not promoted yet',
  pending: 'gate pending',
  failed: 'failed here',
  'pull-request': 'pull request open',
  frozen: 'frozen',
  soaking: 'soaking',
  'parity-differs': 'parity differs',
};

export const short = (sha: string) => sha.slice(0, 7);

/** What waits, in a few characters: the short commit, or (image promotion) `group/app:tag`. */
export const waitingName = (w: Waiting) => (w.sha ? short(w.sha) : w.ref);

/** `apps-deploy-20261130 @ 1a2b3c4`, or `—`. */
export function runs(e: Pick<BoardEnvironment, 'sha' | 'ref'>): string {
  if (!e.sha) return '—';
  return e.ref ? `${e.ref} @ ${short(e.sha)}` : short(e.sha);
}

/** `2026-11-30 04:12 UTC`, or '' when unknown. */
export function when(iso: string): string {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return '';
  return `${new Date(t).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** How long ago, for people: `3h`, `2d`; '' when unknown. */
export function age(iso: string, now: string): string {
  const ms = Date.parse(now) - Date.parse(iso);
  if (Number.isNaN(ms) || ms < 0) return '';
  const m = Math.floor(ms / 60_000);
  if (m < 1) return 'just now';
  if (m < 60) return `${m}m`;
  if (m < 48 * 60) return `${Math.floor(m / 60)}h`;
  return `${Math.floor(m / 1440)}d`;
}

/** One line for an arrow or a cell: `1a2b3c4 (main): not promoted yet`. */
export function waitingLine(w: Waiting): string {
  const what = w.sha ? `${short(w.sha)}${w.ref ? ` (${w.ref})` : ''}` : w.ref;
  return `${what}: ${REASON_LABEL[w.reason]}`;
}

export function sinceText(e: BoardEnvironment, board: Board): string {
  const at = when(e.since);
  const ago = age(e.since, board.generatedAt);
  const rel = ago === 'just now' ? ago : ago && `${ago} ago`;
  return at ? `${at}${rel ? ` (${rel})` : ''}` : '—';
}

/** Attempt of a newer commit that is not what the environment runs. */
export function attemptText(e: BoardEnvironment): string {
  return e.attempt
    ? `newest: ${e.attempt.ref} @ ${short(e.attempt.sha)} ${STATE_LABEL[e.attempt.state]}`
    : '';
}
