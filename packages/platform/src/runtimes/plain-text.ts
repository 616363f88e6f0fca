// A step summary (GitHub-flavoured Markdown) as a terminal shows it: plain text, tables as aligned columns.

const ESCAPED = /\\([\\`*_{}[\]()#+!|<>~.-])/g;
// Escaped characters are parked in the private-use area while markup is removed, so `\*` stays a star.
const park = (text: string) =>
  text.replace(ESCAPED, (_, c: string) => String.fromCharCode(0xe000 + c.charCodeAt(0)));
const unpark = (text: string) =>
  text.replace(/[\ue000-\ue0ff]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xe000));

/** Inline markup removed: emphasis, code spans, HTML tags and comments; a link keeps its address. */
function inline(text: string): string {
  return text
    .replace(/<!--[\s\S]*?-->/g, '')
    .replace(/<br\s*\/?>/gi, ' ')
    .replace(/<\/?[a-z][^>]*>/gi, '')
    .replace(/\*\*([^*]+)\*\*/g, '$1')
    .replace(/(^|[\s(])_([^_]+)_(?=$|[\s).,:;])/g, '$1$2')
    .replace(/`([^`]+)`/g, '$1')
    .replace(/\[([^\]]+)\]\(([^)\s]+)\)/g, (_, label: string, url: string) =>
      label === url ? url : `${label} (${url})`,
    );
}

function cells(row: string): string[] {
  return row
    .trim()
    .replace(/^\||\|$/g, '')
    .split('|')
    .map((c) => unpark(inline(c.trim())));
}

/** A Markdown table as columns padded to the widest cell, a rule under the header. */
function alignedTable(rows: string[]): string[] {
  const table = rows.filter((r) => !/^\s*\|?\s*:?-{3,}/.test(r)).map(cells);
  const widths = table[0]!.map((_, i) => Math.max(...table.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [line(table[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...table.slice(1).map(line)];
}

/** Markdown to plain text; `skip` drops paragraph lines the log already said (the reason line). */
export function plainText(markdown: string, skip: (line: string) => boolean = () => false): string {
  const out: string[] = [];
  const lines = markdown.replace(/<!--[\s\S]*?-->/g, '').split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (/^\s*```/.test(line)) {
      for (i++; i < lines.length && !/^\s*```/.test(lines[i]!); i++) out.push(`  ${lines[i]}`);
      continue;
    }
    if (/^\s*\|/.test(line)) {
      const rows: string[] = [];
      for (; i < lines.length && /^\s*\|/.test(lines[i]!); i++) rows.push(park(lines[i]!));
      i--;
      out.push(...alignedTable(rows));
      continue;
    }
    const text = unpark(inline(park(line).replace(/^\s*#{1,6}\s+/, '')));
    if (text.trim() !== '' && skip(text.trim())) continue;
    if (text.trim() === '' && line.trim() !== '') continue;
    out.push(text.trimEnd());
  }
  return out
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
