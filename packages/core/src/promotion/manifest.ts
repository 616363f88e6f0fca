import {
  type Document,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  type Pair,
  type ParsedNode,
  parseAllDocuments,
  parseDocument,
  type Scalar,
  visit,
  type YAMLMap,
} from 'yaml';
import { GitopsError } from '../errors';

/**
 * Format-preserving image-tag edits of Kubernetes manifests.
 *
 * The YAML is parsed only to find where the values are; the new value is spliced into the original text
 * at exactly that scalar's position, so comments, key order, quoting, indentation, blank lines, line
 * endings and every other byte of the file stay as they were.
 *
 * What is edited, for `<group>:<app>`:
 * - values with a Flux image-automation setter comment on their line:
 *   `# {"$imagepolicy": "<group>:<app>"}` (the whole image: the registry path is kept, the tag replaced,
 *   a digest dropped), `"<group>:<app>:tag"` (the tag alone) and `"<group>:<app>:name"` (recognised,
 *   left alone: a promotion changes tags, not names);
 * - in a kustomization, an `images:` entry without a setter comment whose `name` is the app (its last path
 *   segment): `newTag` is set (added under `name` when missing).
 * Tags are always written as strings: a tag YAML would read as a number, boolean or null (`1.10`, `0123`,
 * `1e3`, `true`, …, in YAML 1.1 or 1.2) is quoted.
 */

export interface ImageTarget {
  /** The Flux ImagePolicy namespace (XKS: the group). */
  group: string;
  /** The ImagePolicy name (XKS: the app). */
  app: string;
  /** The image tag to write. */
  tag: string;
}

export interface ValueChange {
  /** 1-based line of the value. */
  line: number;
  /** How the value was found: the setter comment's field, or a kustomization images entry. */
  via: 'image' | 'tag' | 'name' | 'kustomization';
  before: string;
  after: string;
}

export interface ManifestEdit {
  /** The new text (the same string when nothing changed). */
  text: string;
  /** Values that belong to the app (marked, or a matching kustomization entry), changed or not. */
  found: number;
  /** The values that changed. */
  changes: ValueChange[];
}

/** The manifest cannot be edited safely; names the file and line. */
export class ManifestError extends GitopsError {
  override name = 'ManifestError';
}

const IMAGE_TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

/** Why `tag` is not a valid image tag (Docker/OCI rules), or undefined. */
export function imageTagProblem(tag: string): string | undefined {
  if (tag === '') return 'it is empty';
  if (IMAGE_TAG.test(tag)) return undefined;
  if (tag.length > 128) return 'an image tag has at most 128 characters';
  return 'an image tag is letters, digits, "_", "." and "-" (at most 128), and does not start with "." or "-"';
}

/** Does the text mention anything `setImageTag` could edit for the app? (A cheap filter before parsing.) */
export function mayConcern(text: string, target: Pick<ImageTarget, 'app'>, file: string): boolean {
  return text.includes('$imagepolicy') || (isKustomizationFile(file) && text.includes(target.app));
}

export function isKustomizationFile(file: string): boolean {
  const base = file.replace(/^.*[\\/]/, '');
  return base === 'kustomization.yaml' || base === 'kustomization.yml' || base === 'Kustomization';
}

/** One file being edited: where values are, and the edits found so far. */
interface Edits {
  text: string;
  target: ImageTarget;
  policy: string;
  lineOf(offset: number): number;
  where(offset: number): string;
  list: { start: number; end: number; text: string; change: ValueChange }[];
}

/** Writes `target.tag` everywhere the file marks the app's image; see the module comment. */
export function setImageTag(text: string, file: string, target: ImageTarget): ManifestEdit {
  const lines = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter: lines, keepSourceTokens: false, uniqueKeys: false });
  const list = Array.isArray(docs) ? docs : [];
  const lineOf = (offset: number) => lines.linePos(offset).line;
  const edits: Edits = {
    text,
    target,
    policy: `${target.group}:${target.app}`,
    lineOf,
    where: (offset) => `${file}:${lineOf(offset)}`,
    list: [],
  };
  let found = 0;
  for (const doc of list) {
    if (doc.errors.length) {
      // A file we cannot parse is only an error when it names this app; anything else is not ours to judge.
      if (!text.includes(edits.policy) && !(isKustomizationFile(file) && text.includes(target.app))) continue;
      const e = doc.errors[0]!;
      throw new ManifestError(
        `${file}:${lineOf(e.pos[0])}: the YAML does not parse (${e.message.split('\n')[0]}); nothing was changed`,
      );
    }
    const marked = new Set<Scalar>();
    found += setterEdits(edits, doc, marked);
    if (isKustomization(doc, file)) found += kustomizationEdits(edits, doc, marked);
  }
  const sorted = [...edits.list].sort((a, b) => b.start - a.start);
  let out = text;
  for (const e of sorted) out = out.slice(0, e.start) + e.text + out.slice(e.end);
  return { text: out, found, changes: sorted.map((e) => e.change).reverse() };
}

/** Values marked with the app's Flux setter comment; returns how many were found (changed or not). */
function setterEdits(edits: Edits, doc: Document.Parsed, marked: Set<Scalar>): number {
  const { text, target, policy, where } = edits;
  let found = 0;
  visit(doc, {
    Scalar(key, node) {
      if (key === 'key' || !node.range) return;
      const marker = markerAfter(text, node.range[1], node.value == null);
      if (!marker) return;
      marked.add(node);
      const parts = marker.split(':');
      if (parts.length < 2 || `${parts[0]}:${parts[1]}` !== policy) return;
      const field = parts.length === 2 ? 'image' : parts[2];
      if (parts.length > 3 || (field !== 'image' && field !== 'tag' && field !== 'name')) {
        throw new ManifestError(
          `${where(node.range[0])}: unknown setter ${JSON.stringify(marker)}; Flux knows "${policy}", "${policy}:tag" and "${policy}:name"`,
        );
      }
      found++;
      if (node.type === 'BLOCK_FOLDED' || node.type === 'BLOCK_LITERAL')
        throw new ManifestError(
          `${where(node.range[0])}: the ${policy} setter marks a block scalar; put the image on one line`,
        );
      if (field === 'name') return;
      const before = rawValue(text, node);
      let after: string;
      if (field === 'tag') after = target.tag;
      else {
        if (before === '')
          throw new ManifestError(
            `${where(node.range[0])}: the ${policy} setter marks an empty value; write the image (registry/name:tag) there`,
          );
        after = withTag(before, target.tag);
      }
      if (node.value === after) return;
      edits.list.push({
        ...replace(text, node, after),
        change: { line: edits.lineOf(node.range[0]), via: field, before, after },
      });
    },
  });
  return found;
}

/** A kustomization's `images:` entries for the app: newTag set, or added; returns how many were found. */
function kustomizationEdits(edits: Edits, doc: Document.Parsed, marked: Set<Scalar>): number {
  const { text, target, policy, where, lineOf } = edits;
  let found = 0;
  for (const e of kustomizationEntries(doc, target.app, marked)) {
    found++;
    const { entry, name } = e;
    if (entry.get('digest') != null)
      throw new ManifestError(
        `${where(name.range![0])}: the images entry for ${target.app} pins a digest; remove digest (or mark newTag with # {"$imagepolicy": "${policy}:tag"}) to promote by tag`,
      );
    const newTag = entry.items.find(
      (p): p is Pair<Scalar, Scalar> => isScalar(p.key) && p.key.value === 'newTag',
    );
    if (newTag) {
      const node = newTag.value;
      if (!isScalar(node) || !node.range)
        throw new ManifestError(`${where(name.range![0])}: newTag of ${target.app} is not a plain value`);
      if (node.value === target.tag) continue;
      edits.list.push({
        ...replace(text, node, target.tag),
        change: {
          line: lineOf(node.range[0]),
          via: 'kustomization',
          before: rawValue(text, node),
          after: target.tag,
        },
      });
      continue;
    }
    if (entry.flow)
      throw new ManifestError(
        `${where(name.range![0])}: the images entry for ${target.app} has no newTag; add one (newTag: "<tag>")`,
      );
    const key = entry.items.find((p) => isScalar(p.key) && p.key.value === 'name')!.key as Scalar;
    const lineStart = text.lastIndexOf('\n', key.range![0] - 1) + 1;
    const column = key.range![0] - lineStart;
    const eol = lineEnd(text, name.range![1]);
    const newline = text[eol - 1] === '\r' ? '\r\n' : '\n';
    const at = text[eol - 1] === '\r' ? eol - 1 : eol;
    edits.list.push({
      start: at,
      end: at,
      text: `${newline}${' '.repeat(column)}newTag: ${scalarText(target.tag, 'PLAIN')}`,
      change: { line: lineOf(name.range![0]) + 1, via: 'kustomization', before: '', after: target.tag },
    });
  }
  return found;
}

/** The Flux setter on the rest of the line after a value: the policy reference, or undefined. */
function markerAfter(text: string, valueEnd: number, empty: boolean): string | undefined {
  const rest = text.slice(valueEnd, lineEnd(text, valueEnd));
  // An empty value's position is the comment itself; any other value is separated from it by blanks.
  const m = (empty ? /^[ \t]*#[ \t]*(\{.*\})[ \t]*\r?$/ : /^[ \t]+#[ \t]*(\{.*\})[ \t]*\r?$/).exec(rest);
  if (!m) return undefined;
  try {
    const json = JSON.parse(m[1]!) as Record<string, unknown>;
    const ref = json?.$imagepolicy;
    return typeof ref === 'string' ? ref.trim() : undefined;
  } catch {
    return /"\$imagepolicy"\s*:\s*"([^"]*)"/.exec(m[1]!)?.[1]?.trim();
  }
}

/** The value as written: a plain scalar's source text (`1.10`, not 1.1), a quoted scalar's string, '' for null. */
function rawValue(text: string, node: Scalar): string {
  if (node.value == null) return '';
  if (node.type === 'PLAIN') return text.slice(node.range![0], node.range![1]);
  return String(node.value);
}

/** The splice that writes `value` over the scalar, in its style (an empty value gets a space after its colon). */
function replace(text: string, node: Scalar, value: string): { start: number; end: number; text: string } {
  const [start, end] = node.range!;
  const empty = node.value == null && start === end;
  const style = empty ? 'PLAIN' : node.type;
  const before = empty && text[start - 1] === ':' ? ' ' : '';
  const after = empty && text[end] === '#' ? ' ' : '';
  return { start, end, text: before + scalarText(value, style) + after };
}

function lineEnd(text: string, from: number): number {
  const i = text.indexOf('\n', from);
  return i < 0 ? text.length : i;
}

/** `registry:5000/team/app:1.0@sha256:…` with `tag` → `registry:5000/team/app:<tag>` (a digest would pin the old image). */
export function withTag(image: string, tag: string): string {
  const at = image.indexOf('@');
  const ref = at >= 0 ? image.slice(0, at) : image;
  const slash = ref.lastIndexOf('/');
  const colon = ref.indexOf(':', slash + 1);
  const name = colon >= 0 ? ref.slice(0, colon) : ref;
  return `${name}:${tag}`;
}

/** The tag part of an image reference, '' when it has none. */
export function tagOf(image: string): string {
  const at = image.indexOf('@');
  const ref = at >= 0 ? image.slice(0, at) : image;
  const slash = ref.lastIndexOf('/');
  const colon = ref.indexOf(':', slash + 1);
  return colon >= 0 ? ref.slice(colon + 1) : '';
}

/** The scalar as YAML text in the original style; a plain value YAML would not read as this string is quoted. */
export function scalarText(value: string, style: Scalar.Type | undefined): string {
  if (style === 'QUOTE_SINGLE') return `'${value.replaceAll("'", "''")}'`;
  if (style === 'QUOTE_DOUBLE' || !plainIsString(value)) return JSON.stringify(value);
  return value;
}

/** Would `value`, written plain, read back as exactly this string in YAML 1.2 and in YAML 1.1 (Flux, kustomize, Helm)? */
export function plainIsString(value: string): boolean {
  if (value === '' || /[\r\n\t]|^\s|\s$| #|: /.test(value)) return false;
  for (const version of ['1.2', '1.1'] as const) {
    const doc = parseDocument(value, { version });
    if (doc.errors.length || doc.warnings.length) return false;
    const node = doc.contents;
    if (!isScalar(node) || node.type !== 'PLAIN' || node.value !== value) return false;
  }
  return true;
}

function isKustomization(doc: Document.Parsed<ParsedNode>, file: string): boolean {
  const root = doc.contents;
  if (!isMap(root) || !isSeq(root.get('images'))) return false;
  const kind: unknown = root.get('kind');
  const api: unknown = root.get('apiVersion');
  return (
    isKustomizationFile(file) ||
    kind === 'Kustomization' ||
    (typeof api === 'string' && api.startsWith('kustomize.config.k8s.io/'))
  );
}

/** Unmarked `images:` entries of a kustomization whose name is the app's. */
function kustomizationEntries(
  doc: Document.Parsed<ParsedNode>,
  app: string,
  marked: Set<Scalar>,
): { entry: YAMLMap; name: Scalar }[] {
  const root = doc.contents as YAMLMap;
  const images = root.get('images');
  const out: { entry: YAMLMap; name: Scalar }[] = [];
  if (!isSeq(images)) return out;
  for (const item of images.items) {
    if (!isMap(item)) continue;
    const namePair = item.items.find((p) => isPair(p) && isScalar(p.key) && p.key.value === 'name');
    const name = namePair?.value;
    if (!isScalar(name) || typeof name.value !== 'string' || !name.range) continue;
    if (imageName(name.value) !== app) continue;
    // An entry with a setter comment is the setter's: it was handled (or belongs to another policy).
    if (item.items.some((p) => isScalar(p.value) && marked.has(p.value))) continue;
    out.push({ entry: item, name });
  }
  return out;
}

/** The last path segment of an image name, without tag or digest: `ghcr.io/org/podinfo:1` → `podinfo`. */
function imageName(ref: string): string {
  const at = ref.indexOf('@');
  const noDigest = at >= 0 ? ref.slice(0, at) : ref;
  const last = noDigest.slice(noDigest.lastIndexOf('/') + 1);
  const colon = last.indexOf(':');
  return colon >= 0 ? last.slice(0, colon) : last;
}
