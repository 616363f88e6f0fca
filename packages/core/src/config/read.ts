import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ConfigError, InputError } from '../errors';
import { insideRepository } from '../paths';
import { CONFIG_FILES, XKS_CONFIG_FILES } from './model';

/** A configuration file found and read: its bytes, its name as messages show it, and its format. */
export interface ConfigFile {
  content: Uint8Array;
  file: string;
  format: 'gitops-promote' | 'gitops-promotion';
}

/**
 * Locates and reads the configuration: `configPath` when given, else `gitops-promote.yaml` at the
 * repository root, else XKS's `gitops-promotion.yaml`; `undefined` when there is none (the defaults apply).
 */
export function readConfigFile(root: string, configPath?: string): ConfigFile | undefined {
  if (configPath) {
    const file = insideConfig(root, configPath);
    if (!existsSync(file))
      throw new InputError(
        'config',
        configPath,
        `no such file under ${root}; give the path of a gitops-promote.yaml`,
      );
    const base = configPath.replace(/^.*[\\/]/, '');
    const xks = XKS_CONFIG_FILES.includes(base);
    return {
      content: readFileSync(file),
      file: display(root, file),
      format: xks ? 'gitops-promotion' : 'gitops-promote',
    };
  }
  // The default files too: a checked-in symbolic link may not lead the configuration out of the repository.
  for (const name of CONFIG_FILES) {
    const file = join(root, name);
    if (existsSync(file))
      return { content: readFileSync(insideConfig(root, name)), file: name, format: 'gitops-promote' };
  }
  for (const name of XKS_CONFIG_FILES) {
    const file = join(root, name);
    if (existsSync(file))
      return { content: readFileSync(insideConfig(root, name)), file: name, format: 'gitops-promotion' };
  }
  return undefined;
}

function insideConfig(root: string, path: string): string {
  return insideRepository('config', path, {
    root,
    valid: 'give the path of a gitops-promote.yaml inside the repository',
  });
}

function display(root: string, file: string): string {
  const rel = relative(root, file);
  return rel.startsWith('..') ? file : rel;
}

/** The text of a UTF-8 file; anything else is refused, naming the line of the first bad byte. */
export function decodeUtf8(bytes: Uint8Array, file: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    const bad = firstInvalidUtf8(bytes);
    const before = bytes.subarray(0, bad);
    const lineStart = before.lastIndexOf(0x0a) + 1;
    const line = before.filter((b) => b === 0x0a).length + 1;
    const column = new TextDecoder().decode(bytes.subarray(lineStart, bad)).length + 1;
    const byte = `0x${(bytes[bad] ?? 0).toString(16).padStart(2, '0')}`;
    throw new ConfigError([
      {
        file,
        line,
        column,
        key: '',
        message: `the file is not valid UTF-8 (byte ${byte} on line ${line}); save it as UTF-8`,
      },
    ]);
  }
}

/** Offset of the first byte that does not start or continue a valid UTF-8 sequence. */
function firstInvalidUtf8(b: Uint8Array): number {
  let i = 0;
  while (i < b.length) {
    const c = b[i]!;
    const n =
      c < 0x80
        ? 0
        : c >= 0xc2 && c <= 0xdf
          ? 1
          : c >= 0xe0 && c <= 0xef
            ? 2
            : c >= 0xf0 && c <= 0xf4
              ? 3
              : -1;
    if (n < 0) return i;
    for (let k = 1; k <= n; k++) {
      const d = b[i + k];
      if (d === undefined || (d & 0xc0) !== 0x80) return i;
    }
    // Overlong forms, UTF-16 surrogates and code points past U+10FFFF.
    const d1 = b[i + 1] ?? 0;
    if (
      (c === 0xe0 && d1 < 0xa0) ||
      (c === 0xed && d1 > 0x9f) ||
      (c === 0xf0 && d1 < 0x90) ||
      (c === 0xf4 && d1 > 0x8f)
    )
      return i;
    i += n + 1;
  }
  return b.length;
}
