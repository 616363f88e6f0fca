/** Line diffs in the unified format `git apply` and reviewers read. */

const CONTEXT = 3;
/** Beyond this many edits between two versions, the changed middle is shown as removed, then added. */
const MAX_EDITS = 2000;

type Op = { kind: ' ' | '-' | '+'; line: string };

/**
 * A `diff --git` section for one file: `before` undefined is a new file, `after` undefined a deleted one.
 * Empty when both are the same.
 */
export function fileDiff(path: string, before: string | undefined, after: string | undefined): string {
  if (before === after) return '';
  const header =
    before === undefined
      ? `diff --git a/${path} b/${path}\nnew file mode 100644\n--- /dev/null\n+++ b/${path}\n`
      : after === undefined
        ? `diff --git a/${path} b/${path}\ndeleted file mode 100644\n--- a/${path}\n+++ /dev/null\n`
        : `diff --git a/${path} b/${path}\n--- a/${path}\n+++ b/${path}\n`;
  return header + hunks(lines(before ?? ''), lines(after ?? ''));
}

interface Lines {
  lines: string[];
  /** The text does not end with a newline (and is not empty). */
  noEol: boolean;
}

function lines(text: string): Lines {
  if (text === '') return { lines: [], noEol: false };
  const noEol = !text.endsWith('\n');
  const all = (noEol ? text : text.slice(0, -1)).split('\n');
  return { lines: all, noEol };
}

function hunks(a: Lines, b: Lines): string {
  const ops = diffLines(a.lines, b.lines);
  // The last line of a side without a final newline differs from the same text with one.
  if (a.noEol !== b.noEol) markLastLines(ops);
  let out = '';
  let i = 0;
  while (i < ops.length) {
    if (ops[i]!.kind === ' ') {
      i++;
      continue;
    }
    // A hunk: from CONTEXT lines before the first change to CONTEXT lines after the last change that is
    // closer than 2×CONTEXT to the next one.
    let start = Math.max(0, i - CONTEXT);
    while (start < i && ops[start]!.kind !== ' ') start++;
    let end = i;
    for (;;) {
      while (end < ops.length && ops[end]!.kind !== ' ') end++;
      let next = end;
      while (next < ops.length && ops[next]!.kind === ' ') next++;
      if (next < ops.length && next - end <= 2 * CONTEXT) {
        end = next;
        continue;
      }
      end = Math.min(ops.length, end + CONTEXT);
      break;
    }
    out += hunk(ops, start, end, a, b);
    i = end;
  }
  return out;
}

/** Positions (1-based) of each op's line in a and b, counted up to `index`. */
function position(ops: Op[], index: number): { a: number; b: number } {
  let a = 0;
  let b = 0;
  for (let k = 0; k < index; k++) {
    const kind = ops[k]!.kind;
    if (kind !== '+') a++;
    if (kind !== '-') b++;
  }
  return { a, b };
}

function hunk(ops: Op[], start: number, end: number, a: Lines, b: Lines): string {
  const at = position(ops, start);
  let aCount = 0;
  let bCount = 0;
  let body = '';
  for (let k = start; k < end; k++) {
    const op = ops[k]!;
    if (op.kind !== '+') aCount++;
    if (op.kind !== '-') bCount++;
    body += `${op.kind}${op.line}\n`;
    const aLine = at.a + aCount;
    const bLine = at.b + bCount;
    const lastOfA = op.kind !== '+' && aLine === a.lines.length && a.noEol;
    const lastOfB = op.kind !== '-' && bLine === b.lines.length && b.noEol;
    if (lastOfA || lastOfB) body += '\\ No newline at end of file\n';
  }
  const range = (from: number, count: number) =>
    count === 0 ? `${from},0` : count === 1 ? `${from + 1}` : `${from + 1},${count}`;
  return `@@ -${range(at.a, aCount)} +${range(at.b, bCount)} @@\n${body}`;
}

/** When only the final newline differs, the last common line is really a change. */
function markLastLines(ops: Op[]): void {
  const last = ops.length - 1;
  if (last >= 0 && ops[last]!.kind === ' ') {
    const line = ops[last]!.line;
    ops.splice(last, 1, { kind: '-', line }, { kind: '+', line });
  }
}

/** Myers' O((N+M)·D) diff, after trimming the common head and tail. */
export function diffLines(a: string[], b: string[]): Op[] {
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (
    tail < a.length - head &&
    tail < b.length - head &&
    a[a.length - 1 - tail] === b[b.length - 1 - tail]
  )
    tail++;
  const am = a.slice(head, a.length - tail);
  const bm = b.slice(head, b.length - tail);
  const middle = myers(am, bm) ?? [
    ...am.map((line): Op => ({ kind: '-', line })),
    ...bm.map((line): Op => ({ kind: '+', line })),
  ];
  return [
    ...a.slice(0, head).map((line): Op => ({ kind: ' ', line })),
    ...middle,
    ...a.slice(a.length - tail).map((line): Op => ({ kind: ' ', line })),
  ];
}

function myers(a: string[], b: string[]): Op[] | undefined {
  const n = a.length;
  const m = b.length;
  if (n === 0) return b.map((line) => ({ kind: '+', line }));
  if (m === 0) return a.map((line) => ({ kind: '-', line }));
  const max = Math.min(n + m, MAX_EDITS);
  const offset = max + 1;
  const v = new Int32Array(2 * max + 3);
  const trace: Int32Array[] = [];
  for (let d = 0; d <= max; d++) {
    trace.push(v.slice());
    for (let k = -d; k <= d; k += 2) {
      let x =
        k === -d || (k !== d && v[offset + k - 1]! < v[offset + k + 1]!)
          ? v[offset + k + 1]!
          : v[offset + k - 1]! + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x++;
        y++;
      }
      v[offset + k] = x;
      if (x >= n && y >= m) return backtrack(trace, a, b, offset, d);
    }
  }
  return undefined;
}

function backtrack(trace: Int32Array[], a: string[], b: string[], offset: number, dEnd: number): Op[] {
  const ops: Op[] = [];
  let x = a.length;
  let y = b.length;
  for (let d = dEnd; d > 0; d--) {
    const v = trace[d]!;
    const k = x - y;
    const down = k === -d || (k !== d && v[offset + k - 1]! < v[offset + k + 1]!);
    const prevK = down ? k + 1 : k - 1;
    const prevX = v[offset + prevK]!;
    const prevY = prevX - prevK;
    while (x > prevX && y > prevY) {
      ops.push({ kind: ' ', line: a[--x]! });
      y--;
    }
    if (down) ops.push({ kind: '+', line: b[--y]! });
    else ops.push({ kind: '-', line: a[--x]! });
  }
  while (x > 0 && y > 0) {
    ops.push({ kind: ' ', line: a[--x]! });
    y--;
  }
  return ops.reverse();
}
