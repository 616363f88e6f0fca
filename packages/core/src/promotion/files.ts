import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config/model';
import type { GitopsError } from '../errors';
import { isWithin } from '../paths';
import type { FileChange, GitProvider } from '../provider';
import { type ImageTarget, ManifestError, mayConcern, setImageTag, type ValueChange } from './manifest';

/** `promotion.path` for one environment: `{group}/{env}` → `apps/dev`. */
export function environmentPath(config: Config, group: string, app: string, env: string): string {
  return config.promotion.path
    .replaceAll('{group}', group)
    .replaceAll('{app}', app)
    .replaceAll('{env}', env)
    .replace(/^\.?\/+/, '')
    .replace(/\/+$/, '');
}

/**
 * The YAML files of an environment (a directory, walked; or one file), repository-relative, sorted.
 *
 * The hosting-service port has no directory listing, so the names come from the checked-out repository;
 * their content is always read through the provider at the commit the promotion is based on. Only files
 * whose checked-out text could concern the app are returned (`mayConcern`), to keep API reads few.
 */
export function manifestCandidates(
  workspace: string,
  path: string,
  target: Pick<ImageTarget, 'app'>,
): string[] {
  const root = join(workspace, path);
  if (!existsSync(root)) return [];
  // A symbolic link in the checkout (a pull request can add one) must not lead the walk out of it.
  const real = realpathSync(root);
  if (!isWithin(real, workspace))
    throw new ManifestError(
      `${path} leads outside the repository (a symbolic link to ${real}); the manifests of an environment must be in the repository (nothing was written)`,
    );
  const out: string[] = [];
  const consider = (rel: string) => {
    if (!/\.ya?ml$/i.test(rel) && !rel.endsWith('/Kustomization') && rel !== 'Kustomization') return;
    let text: string;
    try {
      text = readFileSync(join(workspace, rel), 'utf8');
    } catch {
      return;
    }
    if (mayConcern(text, target, rel)) out.push(rel);
  };
  if (statSync(root).isFile()) {
    consider(path);
    return out;
  }
  const walk = (dir: string) => {
    for (const entry of readdirSync(join(workspace, dir), { withFileTypes: true })) {
      if (entry.name.startsWith('.')) continue;
      const rel = `${dir}/${entry.name}`;
      if (entry.isDirectory()) walk(rel);
      else if (entry.isFile()) consider(rel);
    }
  };
  walk(path);
  return out.sort();
}

export interface EnvironmentEdit {
  /** The files to commit (only those that change). */
  files: FileChange[];
  /** Per file, the values that changed. */
  changes: { path: string; values: ValueChange[] }[];
  /** Values found for the app (changed or not). */
  found: number;
  /** Of those, the values that take the digest (0 when none is given). */
  digests: number;
  /** Files read. */
  read: string[];
}

/**
 * The largest manifest a promotion edits. Kubernetes keeps an object under 1.5 MiB (etcd) and refuses
 * requests over 3 MiB, so a bigger file is no hand-kept manifest; reading it through the hosting API
 * (GitHub serves files over 1 MB only as blobs) would cost memory and minutes for nothing.
 */
export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

function tooLarge(file: string, bytes: number): ManifestError {
  const mib = (bytes / 1024 / 1024).toFixed(1);
  return new ManifestError(
    `${file} is ${mib} MiB (${bytes} bytes); promote-tag edits manifests of at most ${MAX_MANIFEST_BYTES / 1024 / 1024} MiB: move the app's image into a smaller file (nothing was written)`,
  );
}

/** Reads the environment's manifests at `ref` and writes the tag into them (in memory). */
export async function editEnvironment(
  provider: GitProvider,
  workspace: string,
  path: string,
  ref: string,
  target: ImageTarget,
): Promise<EnvironmentEdit> {
  const candidates = manifestCandidates(workspace, path, target);
  const edit: EnvironmentEdit = { files: [], changes: [], found: 0, digests: 0, read: [] };
  for (const file of candidates) {
    // The checked-out copy is measured before the API is asked; the text read back is measured too.
    const local = statSync(join(workspace, file)).size;
    if (local > MAX_MANIFEST_BYTES) throw tooLarge(file, local);
    const text = await provider.readFile(file, ref);
    if (text === undefined) continue;
    const bytes = Buffer.byteLength(text, 'utf8');
    if (bytes > MAX_MANIFEST_BYTES) throw tooLarge(file, bytes);
    edit.read.push(file);
    const result = setImageTag(text, file, target);
    edit.found += result.found;
    edit.digests += result.digests;
    if (result.text !== text) {
      edit.files.push({ path: file, content: result.text });
      edit.changes.push({ path: file, values: result.changes });
    }
  }
  return edit;
}

/** A digest was given, but no manifest of the environment has a place for it: says what to add. */
export function noDigestPlaceError(path: string, target: ImageTarget, env: string): GitopsError {
  const policy = `${target.group}:${target.app}`;
  return new ManifestError(
    `image-digest ${target.digest} was given, but no manifest under ${path} takes a digest for ${target.group}/${target.app}, so ${env} would not be pinned to it: mark the digest with # {"$imagepolicy": "${policy}:digest"}, or the whole image with "${policy}", or leave image-digest out`,
  );
}

/** The environment's manifests have nowhere to write the app's tag: says what to add. */
export function noMarkerError(
  path: string,
  workspace: string,
  target: ImageTarget,
  env: string,
): GitopsError {
  const policy = `${target.group}:${target.app}`;
  const where = existsSync(join(workspace, path))
    ? `no manifest under ${path} marks ${target.group}/${target.app}`
    : `there is no ${path} in the checked-out repository (${workspace}); check the repository out first (actions/checkout, checkout: self) or set promotion.path`;
  return new ManifestError(
    `${where}, so ${env} cannot be promoted: add the Flux setter comment # {"$imagepolicy": "${policy}"} to its image (or "${policy}:tag" to a tag), or an images entry named ${target.app} to its kustomization.yaml`,
  );
}

/**
 * Does the environment run `target.tag` at `ref`? `yes` when every value found for the app carries the tag,
 * `no` when one does not, `unknown` when none is found (nothing to compare with).
 */
export async function carriesTag(
  provider: GitProvider,
  workspace: string,
  path: string,
  ref: string,
  target: ImageTarget,
): Promise<'yes' | 'no' | 'unknown'> {
  try {
    const edit = await editEnvironment(provider, workspace, path, ref, target);
    if (edit.found === 0) return 'unknown';
    return edit.files.length === 0 ? 'yes' : 'no';
  } catch (e) {
    if (e instanceof ManifestError) return 'unknown';
    throw e;
  }
}
