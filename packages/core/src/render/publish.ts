import { GitopsError } from '../errors';
import type { FileChange } from '../provider';
import type { StepRuntime } from '../runtime';
import type { ManifestFile } from './split';
import type { ManifestStore } from './store';

/**
 * The list of files a render wrote into a folder, kept in the folder itself. The next render deletes the
 * listed files it no longer produces; files it never wrote are left alone. Neither kubectl (`apply -f
 * <dir>` reads .yaml, .yml and .json) nor Flux (its generated kustomization takes .yaml and .yml) reads it.
 */
export const INDEX_FILE = '.gitops-promote-rendered';
const INDEX_HEADER =
  '# Written by gitops-promote render-manifests: the files it rendered into this folder.\n' +
  '# A later render deletes the files listed here that it no longer produces. Do not edit.\n';

/** One environment's render, bound for one folder of the target branch. */
export interface EnvironmentRender {
  environment: string;
  /** Folder in the target repository, `/`-separated, no trailing slash; '' is the root. */
  path: string;
  files: ManifestFile[];
}

export interface FileDelta {
  /** Path in the repository. */
  path: string;
  kind: 'add' | 'change' | 'delete';
  before?: string;
  after?: string;
}

export interface EnvironmentChanges {
  environment: string;
  path: string;
  /** Rendered files added, changed or deleted (the index file is not among them). */
  deltas: FileDelta[];
  /** Every write the commit needs, the index file included. */
  writes: FileChange[];
}

export function inFolder(folder: string, name: string): string {
  return folder ? `${folder}/${name}` : name;
}

export function indexContent(files: ManifestFile[]): string {
  return `${INDEX_HEADER}${files.map((f) => `${f.name}\n`).join('')}`;
}

/** File names listed by an index; anything that is not a plain file name is ignored (never deleted). */
export function parseIndex(text: string | undefined): string[] {
  if (!text) return [];
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter(
      (l) => l && !l.startsWith('#') && !/[/\\\0]/.test(l) && l !== '.' && l !== '..' && l !== INDEX_FILE,
    );
}

/** What writing `renders` onto the branch at `head` (undefined: no branch yet) would change. */
export async function planChanges(
  store: ManifestStore,
  head: string | undefined,
  renders: EnvironmentRender[],
): Promise<EnvironmentChanges[]> {
  const indexPaths = renders.map((r) => inFolder(r.path, INDEX_FILE));
  const indexes = head ? await store.readFiles(indexPaths, head) : new Map<string, string>();
  const wanted = renders.map((r) => {
    const next = new Map(r.files.map((f) => [inFolder(r.path, f.name), f.content]));
    const previous = parseIndex(indexes.get(inFolder(r.path, INDEX_FILE))).map((n) => inFolder(r.path, n));
    return { render: r, next, paths: [...new Set([...next.keys(), ...previous])].sort() };
  });
  const current = head
    ? await store.readFiles(
        wanted.flatMap((w) => w.paths),
        head,
      )
    : new Map<string, string>();
  return wanted.map(({ render, next, paths }) => {
    const deltas: FileDelta[] = [];
    for (const path of paths) {
      const before = current.get(path);
      const after = next.get(path);
      if (before === after) continue;
      deltas.push({
        path,
        kind: before === undefined ? 'add' : after === undefined ? 'delete' : 'change',
        ...(before !== undefined ? { before } : {}),
        ...(after !== undefined ? { after } : {}),
      });
    }
    const writes: FileChange[] = deltas.map((d) => ({ path: d.path, content: d.after ?? null }));
    const indexPath = inFolder(render.path, INDEX_FILE);
    const index = indexContent(render.files);
    if (indexes.get(indexPath) !== index) writes.push({ path: indexPath, content: index });
    return { environment: render.environment, path: render.path, deltas, writes };
  });
}

export function counts(deltas: FileDelta[]): { add: number; change: number; delete: number } {
  return {
    add: deltas.filter((d) => d.kind === 'add').length,
    change: deltas.filter((d) => d.kind === 'change').length,
    delete: deltas.filter((d) => d.kind === 'delete').length,
  };
}

export function countsText(deltas: FileDelta[]): string {
  const c = counts(deltas);
  return `+${c.add} ~${c.change} -${c.delete}`;
}

export const PUBLISH_ATTEMPTS = 6;

export interface Published {
  /** The new commit, or undefined when the branch already held the render. */
  commit?: string;
  /** The branch head the changes were computed against (and the commit's parent). */
  base?: string;
  changes: EnvironmentChanges[];
  attempts: number;
}

/**
 * Writes the renders onto `branch` with one commit, only when a file changes. When another writer moves
 * the branch meanwhile (the commit is refused because its parent is no longer the head), the head is read
 * again and the changes computed anew on top of it, up to PUBLISH_ATTEMPTS times.
 */
export async function publish(
  rt: StepRuntime,
  store: ManifestStore,
  branch: string,
  renders: EnvironmentRender[],
  message: string,
  options: { pauseMs?: (attempt: number) => number } = {},
): Promise<Published> {
  const pause = options.pauseMs ?? ((n: number) => n * 250 + Math.random() * 500);
  for (let attempt = 1; ; attempt++) {
    const head = await store.branchSha(branch);
    if (!head && !store.canCreateBranch)
      throw new GitopsError(
        `branch ${branch} does not exist in ${store.display}; create it first, or give target-branch an existing branch (only a target-repository given as a Git path or URL gets missing branches created)`,
      );
    const changes = await planChanges(store, head, renders);
    const writes = changes.flatMap((c) => c.writes);
    if (writes.length === 0) return { base: head, changes, attempts: attempt };
    try {
      const commit = await store.commitFiles({ branch, base: head, message, files: writes });
      // undefined: the branch holds exactly this already (another run committed the same render).
      return commit
        ? { commit, base: head, changes, attempts: attempt }
        : { base: head, changes: changes.map((c) => ({ ...c, deltas: [], writes: [] })), attempts: attempt };
    } catch (e) {
      let now: string | undefined;
      try {
        now = await store.branchSha(branch);
      } catch {
        throw e;
      }
      if (now === head) throw e;
      if (attempt >= PUBLISH_ATTEMPTS)
        throw new GitopsError(
          `${branch} in ${store.display} kept moving while committing; gave up after ${attempt} attempts: ${(e as Error).message}`,
        );
      rt.info(
        `${branch} in ${store.display} moved to ${now ? now.slice(0, 12) : '(deleted)'} while committing; computing the changes again on top of it (attempt ${attempt + 1} of ${PUBLISH_ATTEMPTS})`,
      );
      await new Promise((r) => setTimeout(r, pause(attempt)));
    }
  }
}
