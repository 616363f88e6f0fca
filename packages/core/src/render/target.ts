import { existsSync, statSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { InputError } from '../errors';
import type { Platform } from '../runtime';
import { maskCredentials } from './git-store';

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
  platform: Platform;
  /** This repository: `owner/name` (GitHub), its name (Azure DevOps); unknown from a terminal. */
  repository?: string;
  workspace: string;
  env: NodeJS.ProcessEnv;
}

const URL_LIKE = /^[a-z][a-z0-9+.-]*:\/\//i;
const SCP_LIKE = /^[^/\s:@]+@[^/\s:]+:/;

/**
 * Reads `target-repository`:
 * - empty, or this repository's own name: this repository, through the provider;
 * - a URL (`https://…`, `ssh://…`, `file://…`, `git@host:path`) or a path of a Git repository: that remote,
 *   through git (fetched into a temporary repository);
 * - on GitHub, another `owner/name`: `<GITHUB_SERVER_URL>/owner/name.git` through git, authenticated
 *   with the token input;
 * - on Azure DevOps, another repository's name (`name` or `project/name`): its clone URL in this
 *   collection, through git, authenticated with the token input.
 */
export function resolveTarget(value: string, c: TargetContext): TargetRepository {
  const self = c.repository || 'this repository';
  if (value === '') return { kind: 'same', display: self };
  const invalid = (why: string) => new InputError('target-repository', value, why);
  if (value.startsWith('-') || /[\0\n\r]/.test(value))
    throw invalid('give a path or URL of a Git repository');
  if (URL_LIKE.test(value) || SCP_LIKE.test(value)) {
    const origin = serviceOrigin(c);
    const sameService = origin !== undefined && originOf(value) === origin;
    return {
      kind: 'remote',
      url: value,
      display: maskCredentials(value),
      ...(sameService ? { tokenOrigin: origin } : {}),
    };
  }

  if (
    c.platform === 'github' &&
    /^[A-Za-z0-9-]+\/[A-Za-z0-9._-]+$/.test(value) &&
    !isDirectory(c.workspace, value)
  ) {
    const name = value.replace(/\.git$/, '');
    if (c.repository && name.toLowerCase() === c.repository.toLowerCase())
      return { kind: 'same', display: self };
    const server = (c.env.GITHUB_SERVER_URL || 'https://github.com').replace(/\/+$/, '');
    const url = `${server}/${name}.git`;
    return { kind: 'remote', url, display: name, tokenOrigin: originOf(url) };
  }
  if (c.platform === 'azure' && /^[^/\\]+(\/[^/\\]+)?$/.test(value) && !isDirectory(c.workspace, value)) {
    const [project, name] = value.includes('/')
      ? (value.split('/') as [string, string])
      : [c.env.SYSTEM_TEAMPROJECT || '', value];
    if (
      c.repository &&
      name.toLowerCase() === c.repository.toLowerCase() &&
      (!value.includes('/') || project.toLowerCase() === (c.env.SYSTEM_TEAMPROJECT ?? '').toLowerCase())
    )
      return { kind: 'same', display: self };
    const collection = c.env.SYSTEM_COLLECTIONURI || c.env.SYSTEM_TEAMFOUNDATIONCOLLECTIONURI || '';
    if (!collection || !project)
      throw invalid(
        'another Azure DevOps repository by name needs SYSTEM_COLLECTIONURI and SYSTEM_TEAMPROJECT (set on Azure Pipelines agents); or give its clone URL',
      );
    const url = `${collection.replace(/\/*$/, '/')}${encodeURIComponent(project)}/_git/${encodeURIComponent(name)}`;
    return { kind: 'remote', url, display: value, tokenOrigin: originOf(url) };
  }

  const path = isAbsolute(value) ? value : resolve(c.workspace, value);
  if (isDirectory(c.workspace, value)) return { kind: 'remote', url: path, display: value };
  const forms =
    c.platform === 'github'
      ? 'give owner/name of a GitHub repository, a Git URL, or the path of a Git repository'
      : c.platform === 'azure'
        ? 'give the name of a repository in this project (or project/name), a Git URL, or the path of a Git repository'
        : 'give the path or URL of a Git repository (empty: this repository)';
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

/**
 * Where the run's token belongs: the GitHub server, or the Azure DevOps collection. A Git URL elsewhere
 * never gets it, so a typo or a hostile value in target-repository cannot send the token to another host.
 */
function serviceOrigin(c: TargetContext): string | undefined {
  if (c.platform === 'github') return originOf(c.env.GITHUB_SERVER_URL || 'https://github.com');
  if (c.platform === 'azure')
    return originOf(c.env.SYSTEM_COLLECTIONURI || c.env.SYSTEM_TEAMFOUNDATIONCOLLECTIONURI || '');
  return undefined;
}

/** `https://host[:port]` of an http(s) URL; undefined for other forms (ssh, file, paths). */
function originOf(url: string): string | undefined {
  try {
    const u = new URL(url);
    return u.protocol === 'https:' || u.protocol === 'http:' ? u.origin : undefined;
  } catch {
    return undefined;
  }
}
