import { lstatSync, readlinkSync, realpathSync } from 'node:fs';
import { dirname, isAbsolute, join, parse, relative, resolve, sep } from 'node:path';
import { InputError } from './errors';

export interface PathRules {
  /** The checked-out repository: every path must stay inside it. */
  root: string;
  /** Where a relative path starts (default: root), e.g. the working directory for var-files. */
  base?: string;
  /** Also admit the platform's job temp folder (RUNNER_TEMP, Agent.TempDirectory), where pipelines write secrets. */
  allowTemp?: boolean;
  /** The job temp folder; without one, allowTemp admits nothing more. */
  tempDir?: string;
}

/**
 * Where `value` leads as the operating system would follow it: each existing component's symbolic links
 * resolved in turn, `..` taken from the real parent, and a not-yet-existing tail appended as written.
 */
export function realTarget(value: string, base: string, hops = 0): string {
  const absolute = isAbsolute(value);
  let at = realOrSelf(absolute ? parse(resolve(value)).root : resolve(base));
  let exists = true;
  for (const part of value.split(sep === '\\' ? /[\\/]+/ : /\/+/)) {
    if (part === '' || part === '.' || (absolute && isAbsolute(`${part}${sep}`))) continue;
    if (part === '..') {
      at = dirname(at);
      continue;
    }
    const next = join(at, part);
    exists = exists && present(next);
    if (!exists) at = next;
    else at = realOrLink(next, hops);
  }
  return at;
}

/** The real path of an existing entry; a dangling symbolic link is followed to where it points (loops stop). */
function realOrLink(path: string, hops: number): string {
  try {
    return realpathSync.native(path);
  } catch {
    try {
      if (hops < 40 && lstatSync(path).isSymbolicLink())
        return realTarget(readlinkSync(path), dirname(path), hops + 1);
    } catch {
      // unreadable: keep the path as written
    }
    return path;
  }
}

/** Is `path` (a real path) `dir` itself or below it? */
export function isWithin(path: string, dir: string): boolean {
  const rel = relative(realOrSelf(dir), path);
  return rel === '' || (!isAbsolute(rel) && rel !== '..' && !rel.startsWith(`..${sep}`));
}

/**
 * Why `value` may not be used (it leads outside the repository, and outside the job temp folder where
 * that is allowed), or undefined. Works for paths that do not exist yet: the longest existing prefix
 * is resolved.
 */
export function outsideProblem(value: string, rules: PathRules): string | undefined {
  if (value.includes('\0')) return 'a path cannot contain a NUL character';
  const real = realTarget(value, rules.base ?? rules.root);
  if (isWithin(real, rules.root)) return undefined;
  if (rules.allowTemp && rules.tempDir && isWithin(real, rules.tempDir)) return undefined;
  const temp = rules.allowTemp && rules.tempDir ? ` or the job temp folder ${rules.tempDir}` : '';
  return `it leads to ${real}, outside the repository ${rules.root}${temp}`;
}

/**
 * The absolute path of `value` (relative to `rules.base`, else the repository root), when it stays
 * inside the repository (or the job temp folder, with allowTemp) after `..` and symbolic links;
 * else an InputError naming the input, the value as the user wrote it (`shown`, e.g. a template),
 * and what is valid.
 */
export function insideRepository(
  input: string,
  value: string,
  rules: PathRules & { shown?: string; valid?: string },
): string {
  const problem = outsideProblem(value, rules);
  if (problem) {
    const temp = rules.allowTemp && rules.tempDir ? ' or the job temp folder' : '';
    const valid = rules.valid ?? `give a path inside the repository${temp}`;
    throw new InputError(input, rules.shown ?? value, `${problem}; ${valid}`);
  }
  // Where it really leads, spelt from the root as the caller knows it (a `link/..` is not undone lexically).
  const real = realTarget(value, rules.base ?? rules.root);
  const home = isWithin(real, rules.root) ? rules.root : (rules.tempDir as string);
  return join(resolve(home), relative(realOrSelf(home), real));
}

function present(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

function realOrSelf(path: string): string {
  try {
    return realpathSync.native(path);
  } catch {
    return path;
  }
}
