import type { Config } from '../config/model';
import type { GitProvider } from '../provider';
import { openPromotions, readApps } from './images';
import type { Board, BoardApp, BoardEnvironment } from './model';
import { readEnvironments } from './read';
import { type BoardSignals, SIGNALS } from './signals';

export interface BoardRequest {
  workspace: string;
  /** The environments to show, in configuration order. */
  environments: string[];
  groups: string[];
  apps: string[];
  now: Date;
}

/**
 * The whole board, read-only. Reads per environment: one tag listing (tag environments) or one branch head,
 * statuses of at most MAX_TAGS_READ commits, one ancestry check (branch environments); for the board: one
 * listing of open pull requests and at most MAX_MANIFESTS_READ manifests.
 */
export async function readBoard(
  provider: GitProvider,
  config: Config,
  req: BoardRequest,
  signals: BoardSignals = SIGNALS,
): Promise<Board> {
  const notes: string[] = [];
  const wanted = (group: string, app: string) =>
    (!req.groups.length || req.groups.includes(group)) && (!req.apps.length || req.apps.includes(app));
  const promotions = (await openPromotions(provider, config, notes)).filter((p) =>
    wanted(p.meta.group, p.meta.app),
  );
  const apps = await readApps(
    provider,
    config,
    req.workspace,
    req.environments,
    { groups: req.groups, apps: req.apps },
    promotions,
    notes,
  );
  const groups = [...new Set(apps.map((a) => a.group))];
  const chosen = new Set(req.environments);
  const environments = await readEnvironments(provider, config, chosen, { now: req.now, groups }, signals);
  for (const e of environments) addPromotions(e, promotions);
  for (const e of environments)
    addImageWaits(
      e,
      apps,
      config.environments.map((x) => x.name),
    );
  return {
    generatedAt: req.now.toISOString(),
    mainBranch: config.mainBranch,
    environments,
    apps,
    notes,
  };
}

/** An open promotion pull request into an environment waits to reach it. */
function addPromotions(e: BoardEnvironment, promotions: Awaited<ReturnType<typeof openPromotions>>): void {
  for (const { pr, meta } of promotions) {
    if (meta.env !== e.environment) continue;
    e.waiting.push({
      sha: pr.headSha,
      ref: pr.head,
      reason: 'pull-request',
      detail: `pull request #${pr.number} promotes ${meta.group}/${meta.app} ${meta.tag}`,
    });
  }
}

/** An app whose tag in the previous environment is not here yet, with no promotion pull request open. */
function addImageWaits(e: BoardEnvironment, apps: readonly BoardApp[], order: readonly string[]): void {
  const previous = order[order.indexOf(e.environment) - 1];
  for (const a of apps) {
    const here = a.environments.find((x) => x.environment === e.environment);
    const before = a.environments.find((x) => x.environment === previous);
    if (!here || !before?.tag || before.tag === here.tag || here.pullRequest) continue;
    e.waiting.push({
      sha: '',
      ref: `${a.group}/${a.app}:${before.tag}`,
      reason: 'no-tag',
      detail: `${a.group}/${a.app} ${before.tag} runs in ${previous}, not promoted to ${e.environment} yet`,
    });
  }
}
