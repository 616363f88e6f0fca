import { md, table } from '../markdown';
import { attributeDiffText, type ResourceAttributes } from './attribute-diff';
import { type ParityReport, renderParity } from './parity';
import { countsText, outputsForDisplay, type PlanSummary, type TerraformOutput } from './plan-summary';
import { formatCommandDuration } from './runner';

/** Everything one terraform-run did, for the job summary and the pull request comment. */
export interface RunReport {
  tool: string;
  environment: string;
  workspace: string;
  operation: 'plan' | 'apply' | 'drift';
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
  /** The commit planned or applied, and the run's page: a reviewer must know which run said this. */
  sha?: string;
  runUrl?: string;
  /** What changes attribute by attribute (attributeChanges). */
  attributes?: readonly ResourceAttributes[];
  /** Folders shown by a short name in the commands table: temp paths mean nothing to a reader. */
  shortPaths?: readonly { path: string; as: string }[];
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
  const resources = resourceRows(r.summary);
  const { rows } = resources;
  const fixed = head.length + tail.length + 400;
  let budget = maxLength - fixed;
  let shown = 0;
  for (const row of rows) {
    if (row.length + 1 > budget) break;
    budget -= row.length + 1;
    shown++;
  }
  const parts = [head];
  if (r.summary) parts.push(resourceSection(resources, shown, o.collapseAbove ?? 20, r.summary.hasChanges));
  if (shown === rows.length) parts.push(attributeSection(r.attributes ?? [], budget));
  parts.push(tail);
  let text = parts.filter(Boolean).join('\n\n');
  if (text.length > maxLength)
    text = `${text.slice(0, maxLength - 40).replace(/[^\n]*$/, '')}\n\n_(truncated)_\n`;
  return `${text}\n`;
}

function headPart(r: RunReport, marker?: string): string {
  const lines: string[] = [];
  if (marker) lines.push(marker);
  const verb =
    r.operation === 'apply'
      ? r.applied
        ? 'applied'
        : 'apply'
      : r.operation === 'drift'
        ? 'drift plan'
        : 'plan';
  lines.push(`### gitops-promote: ${md(r.tool)} ${verb} for ${md(r.environment)}`);
  const facts: string[] = [`workspace \`${code(r.workspace)}\``];
  if (r.sha) facts.push(`commit \`${code(r.sha.slice(0, 12))}\``);
  if (r.runUrl) facts.push(`[run log](${r.runUrl.replace(/[()\s]/g, encodeURIComponent)})`);
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
  if (r.failure) lines.push('', ...failureLines(r.failure, Boolean(r.difference?.length)));
  for (const note of r.notes ?? []) lines.push('', `> ${md(note)}`);
  if (r.difference?.length) lines.push('', differenceSection(r.difference));
  if (r.parity) lines.push('', renderParity(r.parity));
  return lines.join('\n');
}

/** The headline quoted; further lines (Terraform's detail, next steps) as a list, never one run-on line. */
function failureLines(failure: string, hasDifference: boolean): string[] {
  const [first = '', ...rest] = failure.split(/\r?\n/).filter((l) => l.trim());
  const lines = [`> **Failed:** ${md(first)}`];
  // The plan comparison in the message is laid out below, from the structured difference.
  const further = hasDifference
    ? rest.filter((l) => /^(Nothing was applied|Plan this commit)/.test(l))
    : rest;
  if (further.length) lines.push('', ...further.map((l) => `- ${md(l.trim())}`));
  return lines;
}

/** Reviewed and fresh plan side by side, then what differs (or what the fresh plan would do), as lists. */
function differenceSection(difference: readonly string[]): string {
  const [reviewed = '', fresh = '', ...detail] = difference;
  const side = (line: string) => {
    const m = /^(\w+) plan:\s*(.*?)\s*\(fingerprint (\w+)\)$/.exec(line.trim());
    if (!m) return `- \`${code(line.trim())}\``;
    return `- **${m[1]![0]!.toUpperCase()}${m[1]!.slice(1)} plan:** \`${m[2]}\` · fingerprint \`${m[3]}\``;
  };
  const parts = [side(reviewed), side(fresh)];
  const wouldAt = detail.findIndex((l) => l.trim() === 'the fresh plan would:');
  const heading = wouldAt >= 0 ? '**The fresh plan would:**' : '**What differs:**';
  const items = detail.filter((_, i) => i !== wouldAt).map((l) => `- \`${code(l.trim())}\``);
  if (items.length) parts.push('', heading, '', ...items);
  return parts.join('\n');
}

interface ResourceTable {
  columns: string[];
  rows: string[];
}

function resourceRows(summary?: PlanSummary): ResourceTable {
  if (!summary) return { columns: [], rows: [] };
  const rank = (a: string) => {
    const i = ACTION_ORDER.indexOf(a);
    return i < 0 ? ACTION_ORDER.length : i;
  };
  // Resources arrive sorted by address; a stable sort by action keeps that order within an action.
  const ordered = summary.resources
    .map((r) => ({ r, k: rank(r.action) }))
    .sort((a, b) => a.k - b.k)
    .map((x) => x.r);
  // The note column only when some resource has one (a move, a deposed object, a reason).
  const noted = ordered.some((r) => r.previousAddress || r.deposed || r.reason);
  const rows = ordered.map((r) => {
    const cells = [`${ACTION_SYMBOL[r.action] ?? ''} ${md(r.action)}`, `\`${code(r.address)}\``];
    if (noted) {
      const notes: string[] = [];
      if (r.previousAddress) notes.push(`moved from \`${code(r.previousAddress)}\``);
      if (r.deposed) notes.push(`deposed object ${md(r.deposed)}`);
      if (r.reason) notes.push(md(r.reason.replace(/_/g, ' ')));
      cells.push(notes.join('; '));
    }
    return `| ${cells.join(' | ')} |`;
  });
  return { columns: noted ? ['action', 'resource', 'note'] : ['action', 'resource'], rows };
}

function resourceSection(
  { columns, rows }: ResourceTable,
  shown: number,
  collapseAbove: number,
  hasChanges: boolean,
): string {
  if (rows.length === 0)
    return hasChanges
      ? '_No resource changes; only outputs change._'
      : '_No changes: the infrastructure matches the configuration._';
  const header = table(columns, []);
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
      `\`${code(shortenPaths(c.display, r.shortPaths ?? []))}\``,
      c.exitCode === undefined ? 'did not start' : String(c.exitCode),
      formatCommandDuration(c.durationMs),
    ]);
    parts.push(table(['command', 'exit code', 'duration'], rows));
  }
  return parts.join('\n\n');
}

function attributeSection(resources: readonly ResourceAttributes[], budget: number): string {
  if (resources.length === 0) return '';
  const blocks: string[] = [];
  let left = budget - 200;
  for (const r of resources) {
    const text = attributeDiffText(r);
    if (text.length + 1 > left) break;
    left -= text.length + 1;
    blocks.push(text);
  }
  if (blocks.length === 0) return '';
  const cut =
    blocks.length < resources.length
      ? `\n\n_${resources.length - blocks.length} more resources change attributes; the job summary shows them._`
      : '';
  return `<details><summary>What changes, attribute by attribute</summary>\n\n${fenced(blocks.join('\n\n'), 'diff')}${cut}\n\n</details>`;
}

function shortenPaths(display: string, paths: readonly { path: string; as: string }[]): string {
  let text = display;
  for (const p of paths)
    if (p.path)
      text = text
        .split(`${p.path}/`)
        .join(p.as ? `${p.as}/` : '')
        .split(p.path)
        .join(p.as || '.');
  return text;
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
