import { existsSync, statSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { InputError } from '../errors';
import type { HostingService } from '../runtime';
import { maskCredentials, originOf } from './git-url';

/** Where the manifests go: this repository (through the provider), or another Git remote (through git). */
export type TargetRepository =
  | { kind: 'same'; display: string }
  | {
      kind: 'remote';
      url: string;
      display: string;
      /** The hosting service's own origin, when the remote is on it: only then does the token go along. */
      tokenOrigin?: string;
    };

export interface TargetContext {
  /** The hosting service the run belongs to; none from a terminal. */
  hosting?: HostingService;
  /** This repository: `owner/name` (GitHub), its name (Azure DevOps); unknown from a terminal. */
  repository?: string;
  workspace: string;
}

const URL_LIKE = /^[a-z][a-z0-9+.-]*:\/\//i;
const SCP_LIKE = /^[^/\s:@]+@[^/\s:]+:/;

/**
 * Reads `target-repository`:
 * - empty, or this repository's own name: this repository, through the provider;
 * - a URL (`https://…`, `ssh://…`, `file://…`, `git@host:path`) or a path of a Git repository: that remote,
 *   through git (fetched into a temporary repository);
 * - another repository named the hosting service's way (`owner/name` on GitHub; `name` or `project/name`
 *   on Azure DevOps): its clone URL on that service, through git, authenticated with the token input.
 * The token goes only to the hosting service's own origin, so a typo or a hostile value cannot send it
 * to another host.
 */
export function resolveTarget(value: string, c: TargetContext): TargetRepository {
  const self = c.repository || 'this repository';
  if (value === '') return { kind: 'same', display: self };
  const invalid = (why: string) => new InputError('target-repository', value, why);
  if (value.startsWith('-') || /[\0\n\r]/.test(value))
    throw invalid('give a path or URL of a Git repository');
  if (URL_LIKE.test(value) || SCP_LIKE.test(value)) {
    const origin = c.hosting?.origin;
    const sameService = origin !== undefined && originOf(value) === origin;
    return {
      kind: 'remote',
      url: value,
      display: maskCredentials(value),
      ...(sameService ? { tokenOrigin: origin } : {}),
    };
  }

  const named = c.hosting?.repositoryNamed(value, c.repository);
  if (named && !isDirectory(c.workspace, value)) {
    if ('same' in named) return { kind: 'same', display: self };
    if ('problem' in named) throw invalid(named.problem);
    return { kind: 'remote', url: named.url, display: named.display, tokenOrigin: originOf(named.url) };
  }

  const path = isAbsolute(value) ? value : resolve(c.workspace, value);
  if (isDirectory(c.workspace, value)) return { kind: 'remote', url: path, display: value };
  const forms =
    c.hosting?.repositoryForms ?? 'give the path or URL of a Git repository (empty: this repository)';
  throw invalid(`no such directory ${path}; ${forms}`);
}

function isDirectory(workspace: string, value: string): boolean {
  const path = isAbsolute(value) ? value : resolve(workspace, value);
  try {
    return existsSync(path) && statSync(path).isDirectory();
  } catch {
    return false;
  }
}
