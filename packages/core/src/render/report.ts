import { md, table } from '../markdown';
import { counts, type FileDelta } from './publish';

/** GitHub keeps 65,536 characters of a comment; Azure DevOps more. Room is left for the marker. */
export const COMMENT_LIMIT = 60_000;
/** GitHub keeps at most 1 MiB of step summary per step. */
export const SUMMARY_LIMIT = 900_000;

/** One environment's outcome, for the job summary and the pull request comment. */
export interface EnvironmentReport {
  environment: string;
  /** The renderer's command line. */
  display: string;
  /** The manifest repository, as messages name it. */
  repository: string;
  branch: string;
  /** Folder in the repository ('' is the root). */
  path: string;
  /** How many objects the render produced. */
  objects: number;
  deltas: FileDelta[];
  /** Unified diff of the deltas (Secret values redacted). */
  diff: string;
  commit?: string;
  /** The branch does not exist yet. */
  newBranch?: boolean;
}

export function commentMarker(environment: string): string {
  return `<!-- gitops-promote:render-manifests:${environment} -->`;
}

export function folderText(path: string): string {
  return path ? `${path}/` : '(repository root)';
}

function changeText(deltas: FileDelta[]): string {
  if (deltas.length === 0) return 'no change';
  const c = counts(deltas);
  const parts = [
    c.add && `${c.add} added`,
    c.change && `${c.change} changed`,
    c.delete && `${c.delete} deleted`,
  ].filter(Boolean);
  return `${deltas.length} file${deltas.length === 1 ? '' : 's'}: ${parts.join(', ')}`;
}

/**
 * A diff in a code fence longer than any backtick run inside it, cut at a line end to fit `budget`
 * characters, with a note saying how much was left out.
 */
export function fencedDiff(diff: string, budget: number, whereWhole: string): string {
  let longest = 2;
  for (const m of diff.matchAll(/`+/g)) longest = Math.max(longest, m[0].length);
  const fence = '`'.repeat(longest + 1);
  let body = diff.endsWith('\n') ? diff : `${diff}\n`;
  let note = '';
  const room = budget - 2 * fence.length - 200;
  if (body.length > room) {
    const cut = Math.max(0, body.lastIndexOf('\n', Math.max(0, room)) + 1);
    const left = body.slice(cut).split('\n').length - 1;
    body = body.slice(0, cut);
    note = `\n… ${left} more line${left === 1 ? '' : 's'} not shown here; ${whereWhole}.\n`;
  }
  return `${fence}diff\n${body}${fence}\n${note}`;
}

export function renderSummary(
  mode: 'publish' | 'verify',
  reports: EnvironmentReport[],
  sourceSha: string,
  maxLength = SUMMARY_LIMIT,
): string {
  const title = `### gitops-promote: render-manifests (${mode})\n\n`;
  if (reports.length === 0) return `${title}Nothing was rendered.\n`;
  const rows = reports.map((r) => [
    md(r.environment),
    `\`${md(r.display)}\``,
    `${md(r.repository)} \`${md(r.branch)}\` \`${md(folderText(r.path))}\``,
    String(r.objects),
    changeText(r.deltas),
    r.commit ? `\`${r.commit.slice(0, 12)}\`` : mode === 'verify' ? '(verify: nothing pushed)' : '—',
  ]);
  let out = `${title}${table(['environment', 'renderer', 'target', 'objects', 'changes', 'commit'], rows)}\n`;
  if (sourceSha) out += `\nRendered from commit \`${sourceSha.slice(0, 12)}\`.\n`;
  const withDiff = reports.filter((r) => r.diff);
  const budget = Math.floor((maxLength - out.length) / Math.max(1, withDiff.length)) - 200;
  for (const r of withDiff) {
    out += `\n<details><summary>${md(r.environment)}: ${changeText(r.deltas)}</summary>\n\n${fencedDiff(r.diff, budget, 'the diff-file output has the whole diff')}\n</details>\n`;
  }
  return out;
}

/** The sticky pull request comment of one environment (verify mode). */
export function renderComment(r: EnvironmentReport, sourceSha: string, maxLength = COMMENT_LIMIT): string {
  const head = `${commentMarker(r.environment)}\n### render-manifests: ${md(r.environment)}\n\n`;
  const where = `\`${md(folderText(r.path))}\` on \`${md(r.branch)}\` of ${md(r.repository)}`;
  const what =
    r.deltas.length === 0
      ? `No change: \`${md(r.display)}\` renders exactly what ${where} holds (${r.objects} objects).`
      : `\`${md(r.display)}\` changes ${where}: **${changeText(r.deltas)}**${r.newBranch ? ` (the branch does not exist yet)` : ''}.`;
  const foot = `\n\n_Rendered from commit \`${sourceSha.slice(0, 12) || 'unknown'}\`; a pull request pushes nothing. Values of Secrets are not shown._\n`;
  if (!r.diff) return `${head}${what}${foot}`;
  const budget = maxLength - head.length - what.length - foot.length - 100;
  return `${head}${what}\n\n<details open><summary>Diff</summary>\n\n${fencedDiff(r.diff, budget, 'the diff-file output of the step has the whole diff')}\n</details>${foot}`;
}
