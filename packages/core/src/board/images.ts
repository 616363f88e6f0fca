import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config/model';
import { environmentPath, MAX_MANIFEST_BYTES, manifestCandidates } from '../promotion/files';
import { ManifestError, setImageTag, tagOf } from '../promotion/manifest';
import { type PromotionMetadata, PromotionMetadataError, readPromotion } from '../promotion/metadata';
import { type GitProvider, ProviderError, type PullRequest, UnsupportedError } from '../provider';
import type { BoardApp } from './model';

/**
 * Bounds of the image part of the board: how many files the marker scan of the checkout looks at, and
 * how many manifests it reads through the provider (at the main branch) for the whole board.
 */
export const MAX_FILES_SCANNED = 2000;
export const MAX_MANIFESTS_READ = 100;

export interface AppFilter {
  groups: string[];
  apps: string[];
}

export interface OpenPromotion {
  pr: PullRequest;
  meta: PromotionMetadata;
}

/** Open promotion pull requests (one listing); plain Git has none. Unreadable metadata is a note, not a failure. */
export async function openPromotions(
  provider: GitProvider,
  config: Config,
  notes: string[],
): Promise<OpenPromotion[]> {
  let open: PullRequest[];
  try {
    open = await provider.findPullRequests({ state: 'open' });
  } catch (e) {
    if (e instanceof UnsupportedError) return [];
    // The board still shows environments when pull requests cannot be read (a token without pull-requests: read).
    if (e instanceof ProviderError) {
      notes.push(`open pull requests could not be read: ${e.message}`);
      return [];
    }
    throw e;
  }
  const out: OpenPromotion[] = [];
  for (const pr of open) {
    if (!pr.head.startsWith('promote/')) continue;
    try {
      const meta = readPromotion(pr, config);
      if (meta) out.push({ pr, meta });
    } catch (e) {
      if (!(e instanceof PromotionMetadataError)) throw e;
      notes.push(e.message);
    }
  }
  return out;
}

const MARKER = /"\$imagepolicy"\s*:\s*"([a-z0-9][a-z0-9.-]*):([a-z0-9][a-z0-9.-]*)/g;

/** `group:app` of every Flux setter marker under the fixed start of promotion.path in the checkout. */
export function markedApps(workspace: string, config: Config, notes: string[]): Set<string> {
  const prefix = config.promotion.path.split('{')[0]!.replace(/^\.?\/+/, '');
  const start = prefix.includes('/') ? prefix.slice(0, prefix.lastIndexOf('/')) : '';
  const found = new Set<string>();
  let scanned = 0;
  const walk = (dir: string, depth: number) => {
    let entries: import('node:fs').Dirent[];
    try {
      entries = readdirSync(join(workspace, dir), { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (e.name.startsWith('.') || e.name === 'node_modules') continue;
      const rel = dir ? `${dir}/${e.name}` : e.name;
      if (e.isDirectory() && depth < 8) walk(rel, depth + 1);
      if (!e.isFile() || !/\.ya?ml$/i.test(e.name)) continue;
      if (++scanned > MAX_FILES_SCANNED) return;
      const file = join(workspace, rel);
      if (statSync(file).size > MAX_MANIFEST_BYTES) continue;
      for (const m of readFileSync(file, 'utf8').matchAll(MARKER)) found.add(`${m[1]}:${m[2]}`);
    }
  };
  walk(start, 0);
  if (scanned > MAX_FILES_SCANNED)
    notes.push(`looked for image setters in the first ${MAX_FILES_SCANNED} YAML files only`);
  return found;
}

/** The image tags the app's values carry in one file (a probe edit lists every value with its text). */
export function tagsIn(text: string, file: string, group: string, app: string): string[] {
  const probe = setImageTag(text, file, { group, app, tag: '0-gitops-promote-board-probe' });
  return probe.changes.map((c) => (c.via === 'image' ? tagOf(c.before) : c.before)).filter(Boolean);
}

/** Per app, the tag each environment's manifests carry at the main branch, and its open promotions. */
export async function readApps(
  provider: GitProvider,
  config: Config,
  workspace: string,
  envs: readonly string[],
  filter: AppFilter,
  promotions: readonly OpenPromotion[],
  notes: string[],
): Promise<BoardApp[]> {
  const names = markedApps(workspace, config, notes);
  for (const p of promotions) names.add(`${p.meta.group}:${p.meta.app}`);
  const wanted = [...names]
    .map((n) => n.split(':') as [string, string])
    .filter(
      ([g, a]) =>
        (!filter.groups.length || filter.groups.includes(g)) &&
        (!filter.apps.length || filter.apps.includes(a)),
    )
    .sort((x, y) => `${x[0]}/${x[1]}`.localeCompare(`${y[0]}/${y[1]}`));
  const budget = { left: MAX_MANIFESTS_READ };
  const apps: BoardApp[] = [];
  for (const [group, app] of wanted) {
    const environments = [];
    for (const env of envs) {
      const tag = await envTag(provider, config, workspace, { group, app, env }, budget, notes);
      const open = promotions.find((p) => p.meta.group === group && p.meta.app === app && p.meta.env === env);
      environments.push({
        environment: env,
        tag,
        ...(open ? { pullRequest: { number: open.pr.number, url: open.pr.url, tag: open.meta.tag } } : {}),
      });
    }
    apps.push({ group, app, environments });
  }
  return apps;
}

async function envTag(
  provider: GitProvider,
  config: Config,
  workspace: string,
  at: { group: string; app: string; env: string },
  budget: { left: number },
  notes: string[],
): Promise<string> {
  const path = environmentPath(config, at.group, at.app, at.env);
  const tags = new Set<string>();
  for (const file of manifestCandidates(workspace, path, { app: at.app })) {
    if (budget.left-- <= 0) {
      if (budget.left === -1) notes.push(`read the first ${MAX_MANIFESTS_READ} manifests only`);
      break;
    }
    const text = await provider.readFile(file, config.mainBranch);
    if (text === undefined || Buffer.byteLength(text) > MAX_MANIFEST_BYTES) continue;
    try {
      for (const t of tagsIn(text, file, at.group, at.app)) tags.add(t);
    } catch (e) {
      if (!(e instanceof ManifestError)) throw e;
      notes.push(e.message);
    }
  }
  return [...tags].join(', ');
}
