import { createHash } from 'node:crypto';
import { Document, isMap, isSeq, parseDocument } from 'yaml';
import { GitopsError } from '../errors';

/** One Kubernetes object of a render, as the file it is written to. */
export interface ManifestFile {
  /** File name inside the environment's folder: `<kind>-<namespace>-<name>.yaml`, lower-case. */
  name: string;
  /** The object's YAML, exactly as the renderer wrote it (line ends normalised), ending in one newline. */
  content: string;
  apiVersion: string;
  kind: string;
  namespace: string;
  objectName: string;
}

/** The rendered output cannot be split into Kubernetes objects; says which document and why. */
export class ManifestError extends GitopsError {
  override name = 'ManifestError';
}

const MAX_NAME = 200;

/**
 * Splits a renderer's multi-document YAML into one file per Kubernetes object, sorted by file name.
 *
 * Deterministic: the same output gives the same files, byte for byte. Each file holds the object's own
 * text as the renderer wrote it (comments before it, such as Helm's `# Source:`, included), so no value is
 * re-encoded (`0755`, `yes`, long strings stay as they were). `List` objects are unpacked into their items.
 * Documents that hold nothing (only comments, `---` runs) are skipped.
 */
export function splitManifests(text: string): ManifestFile[] {
  const objects: Omit<ManifestFile, 'name'>[] = [];
  const documents = splitDocuments(text.replace(/\r\n?/g, '\n'));
  documents.forEach((chunk, i) => {
    const where = `document ${i + 1} of the rendered output`;
    const doc = parseDocument(chunk.text, { version: '1.1', uniqueKeys: false });
    if (doc.errors.length) {
      const e = doc.errors[0]!;
      const line = e.linePos?.[0] ? chunk.line + e.linePos[0].line - 1 : undefined;
      throw new ManifestError(
        `${where}${line ? ` (line ${line})` : ''} is not valid YAML: ${e.message.split('\n')[0]}`,
      );
    }
    // Only comments, or an explicit null: nothing to write.
    if (doc.contents === null || isScalarNull(doc.contents)) return;
    if (!isMap(doc.contents))
      throw new ManifestError(`${where} (line ${chunk.line}) is not a Kubernetes object (a YAML mapping)`);
    const kind = text1(doc.get('kind'));
    const items = doc.get('items', true);
    if (/List$/.test(kind) && isSeq(items)) {
      items.items.forEach((item, j) => {
        if (!isMap(item))
          throw new ManifestError(`${where}: item ${j + 1} of the ${kind} is not a Kubernetes object`);
        const one = new Document(undefined, { version: '1.1' });
        one.contents = item;
        objects.push(describe(one.toString({ lineWidth: 0 }), one, `${where}, item ${j + 1} of the ${kind}`));
      });
      return;
    }
    objects.push(describe(chunk.text, doc, where));
  });
  return nameFiles(objects);
}

function isScalarNull(node: unknown): boolean {
  return (
    typeof node === 'object' &&
    node !== null &&
    'value' in node &&
    (node as { value: unknown }).value === null
  );
}

interface Chunk {
  text: string;
  /** 1-based line of the chunk's first line in the whole output. */
  line: number;
}

/**
 * Cuts at `---` and `...` lines. A document marker at the start of a line always ends a document in YAML
 * (block scalars cannot hold one), so this is exact, and each object keeps its own bytes.
 */
function splitDocuments(text: string): Chunk[] {
  const chunks: Chunk[] = [];
  let current: string[] = [];
  let start = 1;
  const lines = text.split('\n');
  const flush = (next: number) => {
    chunks.push({ text: current.join('\n'), line: start });
    current = [];
    start = next;
  };
  lines.forEach((line, i) => {
    const marker = /^(---|\.\.\.)(?=[ \t]|$)(.*)$/.exec(line);
    if (!marker) {
      current.push(line);
      return;
    }
    flush(i + 1);
    // `--- {a: 1}` or `--- !!map`: the rest of the line belongs to the next document.
    const rest = marker[1] === '---' ? (marker[2] ?? '').trim() : '';
    if (rest && !rest.startsWith('#')) current.push(rest);
  });
  flush(lines.length);
  return chunks.filter((c) => c.text.trim() !== '');
}

function text1(value: unknown): string {
  return typeof value === 'string' ? value : value === undefined || value === null ? '' : String(value);
}

function describe(raw: string, doc: Document, where: string): Omit<ManifestFile, 'name'> {
  const apiVersion = text1(doc.get('apiVersion'));
  const kind = text1(doc.get('kind'));
  const objectName = text1(doc.getIn(['metadata', 'name']));
  const namespace = text1(doc.getIn(['metadata', 'namespace']));
  const missing = [!apiVersion && 'apiVersion', !kind && 'kind', !objectName && 'metadata.name'].filter(
    Boolean,
  );
  if (missing.length) {
    const what = kind ? `a ${kind}${objectName ? ` named ${objectName}` : ''}` : 'an object';
    throw new ManifestError(
      `${where} is ${what} without ${missing.join(', ')}: every rendered object needs apiVersion, kind and metadata.name`,
    );
  }
  return { content: normalise(raw), apiVersion, kind, namespace, objectName };
}

/** Trailing spaces of the document and blank lines around it go; the text ends with exactly one newline. */
function normalise(raw: string): string {
  const lines = raw.split('\n');
  while (lines.length && lines[0]!.trim() === '') lines.shift();
  while (lines.length && lines[lines.length - 1]!.trim() === '') lines.pop();
  return `${lines.join('\n')}\n`;
}

/** `<kind>-<namespace>-<name>.yaml` (cluster-scoped: `<kind>-<name>.yaml`); clashes get a hash of the identity. */
function nameFiles(objects: Omit<ManifestFile, 'name'>[]): ManifestFile[] {
  const identity = (o: Omit<ManifestFile, 'name'>) =>
    `${group(o.apiVersion)}/${o.kind}/${o.namespace}/${o.objectName}`;
  const seen = new Map<string, Omit<ManifestFile, 'name'>>();
  for (const o of objects) {
    const id = identity(o);
    if (seen.has(id))
      throw new ManifestError(
        `the rendered output holds ${o.kind} ${o.namespace ? `${o.namespace}/` : ''}${o.objectName} twice; each object may appear once`,
      );
    seen.set(id, o);
  }
  const base = (o: Omit<ManifestFile, 'name'>) => {
    const name = [o.kind, o.namespace, o.objectName].filter(Boolean).map(sanitize).join('-');
    return name.length > MAX_NAME ? `${name.slice(0, MAX_NAME - 9)}-${hash(identity(o))}` : name;
  };
  const count = new Map<string, number>();
  for (const o of objects) count.set(base(o), (count.get(base(o)) ?? 0) + 1);
  const files = objects.map((o) => {
    const b = base(o);
    const name = count.get(b)! > 1 ? `${b}-${hash(identity(o))}` : b;
    return { ...o, name: `${name}.yaml` };
  });
  return files.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** The API group of an apiVersion (`apps/v1` → `apps`, `v1` → ``). */
function group(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

function sanitize(part: string): string {
  const s = part
    .toLowerCase()
    .replace(/[^a-z0-9.-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^[.-]+|[.-]+$/g, '');
  return s || 'x';
}

function hash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 8);
}
