import { isMap, isScalar, LineCounter, type Node, parseDocument } from 'yaml';
import { ConfigError, type ConfigIssue } from '../errors';
import { build } from './defaults';
import type { Config } from './model';
import { readNative } from './native';
import { decodeUtf8, readConfigFile } from './read';
import { keyPathAt, Validator } from './validate';
import { ignoredKeysWarning, readXks } from './xks';

/**
 * Finds and reads the configuration: `configPath` (the `config` input) when given, else
 * `gitops-promote.yaml` at the repository root, else XKS's `gitops-promotion.yaml`, else the defaults.
 * Its warnings (XKS keys this project does not act on) go to the step's log through `onConfigWarning`.
 */
export function loadConfig(root: string, configPath?: string): Config {
  const found = readConfigFile(root, configPath);
  const config = found ? parseConfig(found.content, found.file, found.format, { root }) : defaultConfig();
  for (const w of config.warnings) warn?.(w);
  return config;
}

let warn: ((message: string) => void) | undefined;

/** Sends the warnings of every configuration loaded from now on to `sink` (a step's log); returns the undo. */
export function onConfigWarning(sink: ((message: string) => void) | undefined): () => void {
  const before = warn;
  warn = sink;
  return () => {
    warn = before;
  };
}

export function defaultConfig(): Config {
  return parseConfig('', 'default', 'gitops-promote');
}

/**
 * Parses and validates a configuration (text, or the file's bytes, which must be UTF-8); throws one
 * ConfigError listing every problem found. With `root`, paths in it must stay inside that repository.
 */
export function parseConfig(
  content: string | Uint8Array,
  file: string,
  format: 'gitops-promote' | 'gitops-promotion',
  options: { root?: string } = {},
): Config {
  const text = typeof content === 'string' ? content : decodeUtf8(content, file);
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const issues: ConfigIssue[] = [];
  const at = (node: Node | null | undefined, key: string, message: string, offset?: number) => {
    const pos = lines.linePos(offset ?? node?.range?.[0] ?? 0);
    issues.push({ file, line: pos.line, column: pos.col, key, message });
  };
  for (const e of doc.errors) {
    const pos = lines.linePos(e.pos[0]);
    const first = e.message.split('\n')[0] ?? e.message;
    const key = e.code === 'DUPLICATE_KEY' ? keyPathAt(doc.contents, e.pos[0]) : undefined;
    const message =
      e.code === 'DUPLICATE_KEY'
        ? `duplicate key ${JSON.stringify(key?.name ?? '')}: it appears twice in one mapping; keep one`
        : `YAML syntax error: ${first}`;
    issues.push({ file, line: pos.line, column: pos.col, key: key?.path ?? '', message });
  }
  if (issues.length) throw new ConfigError(issues);

  const v = new Validator(at, options.root);
  const root = doc.contents;
  let config: Config;
  if (root == null || (isScalar(root) && (root.value == null || root.value === ''))) {
    config = build(file === 'default' ? 'default' : format, file, {}, v);
  } else if (!isMap(root)) {
    at(root, '', 'the file must be a mapping of keys (main-branch, environments, …)');
    throw new ConfigError(issues);
  } else {
    config = build(format, file, format === 'gitops-promotion' ? readXks(root, v) : readNative(root, v), v);
  }
  if (issues.length) throw new ConfigError(issues);
  const ignored = ignoredKeysWarning(file, v.ignored);
  if (ignored) config.warnings.push(ignored);
  return config;
}
