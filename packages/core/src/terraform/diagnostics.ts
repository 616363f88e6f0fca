/** One `Error:`/`Warning:` block of Terraform's human output. */
export interface Diagnostic {
  severity: 'error' | 'warning';
  summary: string;
  /** The explanation under the source snippet, joined into one paragraph per blank-line block. */
  detail: string;
  /** As Terraform names it: relative to the working directory. */
  file?: string;
  line?: number;
}

/** Who holds the state lock, from Terraform's `Lock Info:` block. */
export interface LockInfo {
  id?: string;
  path?: string;
  operation?: string;
  who?: string;
  created?: string;
}

const HEADING = /^(Error|Warning): (.*)$/;
const SOURCE = /^\s+on (.+?) line (\d+)(?:, in .*)?:$/;
const SNIPPET = /^\s*\d+:( |$)/;
// Terraform frames diagnostics with box characters when it writes to a terminal, or before -no-color is read.
const FRAME = /^[│╷╵]\s?/;

/** Reads the diagnostics out of `-no-color` output; lines that belong to no diagnostic are ignored. */
export function parseDiagnostics(output: string): Diagnostic[] {
  const found: Diagnostic[] = [];
  let current: (Diagnostic & { paragraphs: string[][] }) | undefined;
  const close = () => {
    if (!current) return;
    const { paragraphs, ...d } = current;
    d.detail = paragraphs
      .map((p) => p.join(' ').trim())
      .filter(Boolean)
      .join('\n');
    found.push(d);
    current = undefined;
  };
  for (const raw of output.split(/\r?\n/)) {
    const line = raw.replace(FRAME, '').trimEnd();
    const heading = HEADING.exec(line);
    if (heading) {
      close();
      current = {
        severity: heading[1] === 'Error' ? 'error' : 'warning',
        summary: heading[2]!.trim(),
        detail: '',
        paragraphs: [[]],
      };
      continue;
    }
    if (!current) continue;
    const source = current.file === undefined ? SOURCE.exec(line) : null;
    if (source) {
      current.file = source[1]!;
      current.line = Number(source[2]);
      continue;
    }
    if (SNIPPET.test(line) || /^\s+with .*,$/.test(line)) continue;
    if (line.trim() === '') current.paragraphs.push([]);
    else current.paragraphs[current.paragraphs.length - 1]!.push(line.trim());
  }
  close();
  return found;
}

export function isLockError(output: string): boolean {
  return /Error acquiring the state lock/.test(output);
}

export function parseLockInfo(output: string): LockInfo {
  const at = output.indexOf('Lock Info:');
  const info: LockInfo = {};
  if (at < 0) return info;
  const keys: Record<string, keyof LockInfo> = {
    ID: 'id',
    Path: 'path',
    Operation: 'operation',
    Who: 'who',
    Created: 'created',
  };
  for (const line of output.slice(at).split(/\r?\n/).slice(1, 12)) {
    const m = /^\W*\s*(\w+):\s*(.*?)\s*$/.exec(line.replace(FRAME, ''));
    const key = m && keys[m[1]!];
    if (key && m[2]) info[key] = m[2];
  }
  return info;
}
