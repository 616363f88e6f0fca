import { md, table } from '../markdown';
import { type ParityReport, renderParity } from './parity';
import { countsText, outputsForDisplay, type PlanSummary, type TerraformOutput } from './plan-summary';
import { formatCommandDuration } from './runner';

/** Everything one terraform-run did, for the job summary and the pull request comment. */
export interface RunReport {
  tool: string;
  environment: string;
  workspace: string;
  operation: 'plan' | 'apply';
  commands: readonly { display: string; exitCode: number | undefined; durationMs: number }[];
  summary?: PlanSummary;
  /** Outputs to show: applied ones after an apply, else the plan's. */
  outputs?: readonly TerraformOutput[];
  applied?: boolean;
  /** Why the run failed, as the step reports it. */
  failure?: string;
  /** Sentences worth a reviewer's eye (the reviewed-plan check, skipped statuses). */
  notes?: readonly string[];
  /** How the fresh plan differs from the reviewed one (explainPlanDifference). */
  difference?: readonly string[];
  /** How this plan compares with the previous environment's record (environment parity). */
  parity?: ParityReport;
}

export interface RenderOptions {
  /** Put first, hidden: lets the next run find and update the same comment. */
  marker?: string;
  /** Hard limit on the length; resource rows are dropped (and counted) to stay under it. */
  maxLength?: number;
  /** Collapse the resource table when it has more rows than this. */
  collapseAbove?: number;
}

/** GitHub refuses comments over 65,536 characters; keep room for what a provider adds. */
export const COMMENT_LIMIT = 60_000;
/** GitHub keeps at most 1 MiB of step summary per step. */
export const SUMMARY_LIMIT = 900_000;

const ACTION_ORDER = ['replace', 'delete', 'update', 'create', 'read', 'move', 'import', 'forget'];
const ACTION_SYMBOL: Record<string, string> = {
  create: '+',
  update: '~',
  delete: '-',
  replace: '±',
  read: '<=',
  move: '→',
  import: '⇐',
  forget: '∅',
};

export function commentMarker(environment: string): string {
  return `<!-- gitops-promote:terraform-run:${environment} -->`;
}

/** Markdown for the job summary or the pull request comment; stays under `maxLength` by dropping table rows. */
export function renderReport(r: RunReport, o: RenderOptions = {}): string {
  const maxLength = o.maxLength ?? SUMMARY_LIMIT;
  const head = headPart(r, o.marker);
  const tail = tailPart(r, maxLength);
  const rows = resourceRows(r.summary);
  const fixed = head.length + tail.length + 400;
  let budget = maxLength - fixed;
  let shown = 0;
  for (const row of rows) {
    if (row.length + 1 > budget) break;
    budget -= row.length + 1;
    shown++;
  }
  const parts = [head];
  if (r.summary) parts.push(resourceSection(rows, shown, o.collapseAbove ?? 20, r.summary.hasChanges));
  parts.push(tail);
  let text = parts.filter(Boolean).join('\n\n');
  if (text.length > maxLength)
    text = `${text.slice(0, maxLength - 40).replace(/[^\n]*$/, '')}\n\n_(truncated)_\n`;
  return `${text}\n`;
}

function headPart(r: RunReport, marker?: string): string {
  const lines: string[] = [];
  if (marker) lines.push(marker);
  const verb = r.operation === 'apply' ? (r.applied ? 'applied' : 'apply') : 'plan';
  lines.push(`### gitops-promote: ${md(r.tool)} ${verb} for ${md(r.environment)}`);
  const facts: string[] = [`workspace \`${code(r.workspace)}\``];
  if (r.summary) facts.push(`fingerprint \`${r.summary.fingerprint.slice(0, 16)}\``);
  if (r.summary) {
    const c = r.summary.counts;
    lines.push(
      '',
      `**${c.add} to add, ${c.change} to change, ${c.destroy} to destroy, ${c.replace} to replace** (\`${countsText(c)}\`) · ${facts.join(' · ')}`,
    );
  } else {
    lines.push('', facts.join(' · '));
  }
  if (r.failure) lines.push('', `> **Failed:** ${md(r.failure)}`);
  for (const note of r.notes ?? []) lines.push('', `> ${md(note)}`);
  if (r.difference?.length)
    lines.push('', '**Difference from the reviewed plan:**', '', fenced(r.difference.join('\n'), 'text'));
  if (r.parity) lines.push('', renderParity(r.parity));
  return lines.join('\n');
}

function resourceRows(summary?: PlanSummary): string[] {
  if (!summary) return [];
  const rank = (a: string) => {
    const i = ACTION_ORDER.indexOf(a);
    return i < 0 ? ACTION_ORDER.length : i;
  };
  // Resources arrive sorted by address; a stable sort by action keeps that order within an action.
  const ordered = summary.resources
    .map((r) => ({ r, k: rank(r.action) }))
    .sort((a, b) => a.k - b.k)
    .map((x) => x.r);
  return ordered.map((r) => {
    const notes: string[] = [];
    if (r.previousAddress) notes.push(`moved from \`${code(r.previousAddress)}\``);
    if (r.deposed) notes.push(`deposed object ${md(r.deposed)}`);
    if (r.reason) notes.push(md(r.reason.replace(/_/g, ' ')));
    return `| ${ACTION_SYMBOL[r.action] ?? ''} ${md(r.action)} | \`${code(r.address)}\` | ${notes.join('; ')} |`;
  });
}

function resourceSection(rows: string[], shown: number, collapseAbove: number, hasChanges: boolean): string {
  if (rows.length === 0)
    return hasChanges
      ? '_No resource changes; only outputs change._'
      : '_No changes: the infrastructure matches the configuration._';
  const header = table(['action', 'resource', 'note'], []);
  const body = rows.slice(0, shown).join('\n');
  const cut =
    shown < rows.length
      ? `\n\n_${rows.length - shown} more resources are not listed here, to stay within the size limit; the job summary lists them._`
      : '';
  const tableText = `${header}\n${body}${cut}`;
  if (rows.length <= collapseAbove) return tableText;
  return `<details><summary>${rows.length} resources by action</summary>\n\n${tableText}\n\n</details>`;
}

function tailPart(r: RunReport, maxLength: number): string {
  const parts: string[] = [];
  const outputs = r.outputs ?? r.summary?.outputs ?? [];
  if (outputs.length) {
    const json = JSON.stringify(outputsForDisplay(outputs), null, 2);
    const title = r.applied ? 'Outputs' : 'Outputs (planned)';
    const body =
      json.length > maxLength / 4
        ? `_${outputs.length} outputs, ${json.length} characters of JSON: too large to show here._`
        : fenced(json, 'json');
    parts.push(`<details><summary>${title}</summary>\n\n${body}\n\n</details>`);
  }
  if (r.commands.length) {
    const rows = r.commands.map((c) => [
      `\`${code(c.display)}\``,
      c.exitCode === undefined ? 'did not start' : String(c.exitCode),
      formatCommandDuration(c.durationMs),
    ]);
    parts.push(table(['command', 'exit code', 'duration'], rows));
  }
  return parts.join('\n\n');
}

/** Text for inside a code span in a table cell: backticks cannot close it, pipes cannot split the cell. */
function code(text: string): string {
  return text.replace(/`/g, "'").replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

/** A code block whose fence no backtick run inside the text can close. */
function fenced(text: string, lang: string): string {
  const fence = '`'.repeat(Math.max(3, longestRun(text, '`') + 1));
  return `${fence}${lang}\n${text}\n${fence}`;
}

function longestRun(text: string, ch: string): number {
  let best = 0;
  let run = 0;
  for (const c of text) {
    run = c === ch ? run + 1 : 0;
    if (run > best) best = run;
  }
  return best;
}
