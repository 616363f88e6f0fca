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
 *   `@<digest>` appended when a digest is given), `"<group>:<app>:tag"` (the tag alone),
 *   `"<group>:<app>:digest"` (the digest alone) and `"<group>:<app>:name"` (recognised, left alone: a
 *   promotion changes tags, not names);
 * - in a kustomization, an `images:` entry without a setter comment whose `name` is the app (its last path
 *   segment): `newTag` is set (added under `name` when missing), and `digest` when a digest is given.
 * A value that pins a digest is never left on the old image: given only a tag, it is an error.
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
  /** The image digest to write (`sha256:<64 hex>`), when given. */
  digest?: string;
}

export interface ValueChange {
  /** 1-based line of the value. */
  line: number;
  /** How the value was found: the setter comment's field, or a kustomization images entry. */
  via: 'image' | 'tag' | 'name' | 'digest' | 'kustomization';
  before: string;
  after: string;
}

export interface ManifestEdit {
  /** The new text (the same string when nothing changed). */
  text: string;
  /** Values that belong to the app (marked, or a matching kustomization entry), changed or not. */
  found: number;
  /** Of those, the values that take the digest (changed or not); 0 when no digest is given. */
  digests: number;
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

const IMAGE_DIGEST = /^sha256:[0-9a-f]{64}$/;

/** Why `digest` is not an image digest as Flux and kustomize write it, or undefined. */
export function imageDigestProblem(digest: string): string | undefined {
  if (IMAGE_DIGEST.test(digest)) return undefined;
  return 'an image digest is sha256: followed by 64 lower-case hexadecimal digits';
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
  /** Values that take the digest (changed or not). */
  digests: number;
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
    digests: 0,
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
    const marked = new Map<Scalar, string>();
    found += setterEdits(edits, doc, marked);
    if (isKustomization(doc, file)) found += kustomizationEdits(edits, doc, marked);
  }
  // Last first, so offsets stay true; two inserts at one place keep their order (newTag, then digest).
  const sorted = edits.list.map((e, i) => ({ ...e, i })).sort((a, b) => b.start - a.start || b.i - a.i);
  let out = text;
  for (const e of sorted) out = out.slice(0, e.start) + e.text + out.slice(e.end);
  return { text: out, found, digests: edits.digests, changes: sorted.map((e) => e.change).reverse() };
}

/** Values marked with the app's Flux setter comment; returns how many were found (changed or not). */
function setterEdits(edits: Edits, doc: Document.Parsed, marked: Map<Scalar, string>): number {
  const { text, target, policy, where } = edits;
  let found = 0;
  visit(doc, {
    Scalar(key, node) {
      if (key === 'key' || !node.range) return;
      const marker = markerAfter(text, node.range[1], node.value == null);
      if (!marker) return;
      marked.set(node, marker);
      const parts = marker.split(':');
      if (parts.length < 2 || `${parts[0]}:${parts[1]}` !== policy) return;
      const field = parts.length === 2 ? 'image' : parts[2];
      if (parts.length > 3 || !isSetterField(field)) {
        throw new ManifestError(
          `${where(node.range[0])}: unknown setter ${JSON.stringify(marker)}; Flux knows "${policy}", "${policy}:tag", "${policy}:name" and "${policy}:digest"`,
        );
      }
      found++;
      if (node.type === 'BLOCK_FOLDED' || node.type === 'BLOCK_LITERAL')
        throw new ManifestError(
          `${where(node.range[0])}: the ${policy} setter marks a block scalar; put the image on one line`,
        );
      if (field === 'name') return;
      const before = rawValue(text, node);
      const after = setterValue(field, before, target, `${where(node.range[0])}: the ${policy}`);
      if (target.digest && field !== 'tag') edits.digests++;
      if (node.value === after) return;
      edits.list.push({
        ...replace(text, node, after),
        change: { line: edits.lineOf(node.range[0]), via: field, before, after },
      });
    },
  });
  return found;
}

type SetterField = 'image' | 'tag' | 'name' | 'digest';
function isSetterField(field: string | undefined): field is SetterField {
  return field === 'image' || field === 'tag' || field === 'name' || field === 'digest';
}

/** The new value of a marked field; `at` names the file, line and setter for errors. */
function setterValue(
  field: Exclude<SetterField, 'name'>,
  before: string,
  target: ImageTarget,
  at: string,
): string {
  if (field === 'tag') return target.tag;
  if (field === 'digest') {
    if (!target.digest)
      throw new ManifestError(
        `${at}:digest setter pins a digest (${before || 'empty'}), and only image-tag ${target.tag} was given, so the image would stay the old one: give image-digest too (nothing was written)`,
      );
    return target.digest;
  }
  if (before === '')
    throw new ManifestError(`${at} setter marks an empty value; write the image (registry/name:tag) there`);
  if (before.includes('@') && !target.digest)
    throw new ManifestError(
      `${at} setter marks an image pinned by digest (${before}), and only image-tag ${target.tag} was given, so the image would stay the old one: give image-digest too (nothing was written)`,
    );
  return withTag(before, target.tag, target.digest);
}

/** A kustomization's `images:` entries for the app: newTag (and digest) set, or added; returns how many were found. */
function kustomizationEdits(edits: Edits, doc: Document.Parsed, marked: Map<Scalar, string>): number {
  const { target, where, policy } = edits;
  let found = 0;
  for (const { entry, name, setter } of kustomizationEntries(doc, target.app, policy, marked)) {
    if (setter) {
      // Its values are the setters'; an unmarked digest beside them would keep the old image.
      if (entry.get('digest') == null) continue;
      if (!target.digest)
        throw new ManifestError(
          `${where(name.range![0])}: the images entry for ${target.app} pins a digest that no ${policy}:digest setter marks, and only image-tag ${target.tag} was given, so it would stay the old image: give image-digest too, or remove digest (nothing was written)`,
        );
      edits.digests++;
      setEntryField(edits, entry, name, 'digest', target.digest);
      continue;
    }
    found++;
    if (entry.get('digest') != null && !target.digest)
      throw new ManifestError(
        `${where(name.range![0])}: the images entry for ${target.app} pins a digest, and only image-tag ${target.tag} was given, so it would stay the old image: give image-digest too, or remove digest to promote by tag (nothing was written)`,
      );
    setEntryField(edits, entry, name, 'newTag', target.tag);
    if (target.digest) {
      edits.digests++;
      setEntryField(edits, entry, name, 'digest', target.digest);
    }
  }
  return found;
}

/** Sets `key` of an images entry to `value`: in place, or as a new line under `name`. */
function setEntryField(
  edits: Edits,
  entry: YAMLMap,
  name: Scalar,
  key: 'newTag' | 'digest',
  value: string,
): void {
  const { text, target, where, lineOf } = edits;
  const pair = entry.items.find((p): p is Pair<Scalar, Scalar> => isScalar(p.key) && p.key.value === key);
  if (pair) {
    const node = pair.value;
    if (!isScalar(node) || !node.range)
      throw new ManifestError(`${where(name.range![0])}: ${key} of ${target.app} is not a plain value`);
    if (node.value === value) return;
    edits.list.push({
      ...replace(text, node, value),
      change: {
        line: lineOf(node.range[0]),
        via: 'kustomization',
        before: rawValue(text, node),
        after: value,
      },
    });
    return;
  }
  if (entry.flow)
    throw new ManifestError(
      `${where(name.range![0])}: the images entry for ${target.app} has no ${key}; add one (${key}: "<${key === 'newTag' ? 'tag' : 'digest'}>")`,
    );
  const nameKey = entry.items.find((p) => isScalar(p.key) && p.key.value === 'name')!.key as Scalar;
  const lineStart = text.lastIndexOf('\n', nameKey.range![0] - 1) + 1;
  const column = nameKey.range![0] - lineStart;
  const eol = lineEnd(text, name.range![1]);
  const newline = text[eol - 1] === '\r' ? '\r\n' : '\n';
  const at = text[eol - 1] === '\r' ? eol - 1 : eol;
  edits.list.push({
    start: at,
    end: at,
    text: `${newline}${' '.repeat(column)}${key}: ${scalarText(value, 'PLAIN')}`,
    change: { line: lineOf(name.range![0]) + 1, via: 'kustomization', before: '', after: value },
  });
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

/** `registry:5000/team/app:1.0@sha256:…` with `tag` (and `digest`) → `registry:5000/team/app:<tag>[@<digest>]`. */
export function withTag(image: string, tag: string, digest?: string): string {
  const at = image.indexOf('@');
  const ref = at >= 0 ? image.slice(0, at) : image;
  const slash = ref.lastIndexOf('/');
  const colon = ref.indexOf(':', slash + 1);
  const name = colon >= 0 ? ref.slice(0, colon) : ref;
  return `${name}:${tag}${digest ? `@${digest}` : ''}`;
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

/**
 * `images:` entries of a kustomization for the app: unmarked ones whose name is the app's, and (`setter`)
 * those carrying a setter of `policy` whose `digest` is not marked.
 */
function kustomizationEntries(
  doc: Document.Parsed<ParsedNode>,
  app: string,
  policy: string,
  marked: Map<Scalar, string>,
): { entry: YAMLMap; name: Scalar; setter: boolean }[] {
  const root = doc.contents as YAMLMap;
  const images = root.get('images');
  const out: { entry: YAMLMap; name: Scalar; setter: boolean }[] = [];
  if (!isSeq(images)) return out;
  for (const item of images.items) {
    if (!isMap(item)) continue;
    const namePair = item.items.find((p) => isPair(p) && isScalar(p.key) && p.key.value === 'name');
    const name = namePair?.value;
    if (!isScalar(name) || typeof name.value !== 'string' || !name.range) continue;
    const markers = item.items.flatMap((p) => (isScalar(p.value) ? [marked.get(p.value)] : []));
    if (markers.some((m) => m !== undefined)) {
      // An entry with a setter comment is the setter's: handled (or another policy's).
      const ours = markers.some((m) => m === policy || m?.startsWith(`${policy}:`));
      const digest = item.items.find((p) => isScalar(p.key) && p.key.value === 'digest');
      if (ours && digest && !(isScalar(digest.value) && marked.has(digest.value)))
        out.push({ entry: item, name, setter: true });
      continue;
    }
    if (imageName(name.value) !== app) continue;
    out.push({ entry: item, name, setter: false });
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
