import type { Config, Environment } from '../config/model';
import { GitopsError } from '../errors';
import { refuseFrozenPromotion } from '../gate/outputs';
import { type GitProvider, ProviderError, type PullRequest } from '../provider';
import type { Runtime } from '../runtime';
import { autoMergeFor, autoMergeText } from './auto-merge';
import { editEnvironment, environmentPath, noDigestPlaceError, noMarkerError } from './files';
import type { ValueChange } from './manifest';
import {
  metadataBlock,
  type PromotionMetadata,
  PromotionMetadataError,
  promotionBranch,
  promotionTitle,
  readPromotion,
} from './metadata';

/** What a promotion run needs besides its request. */
export interface PromotionContext {
  rt: Pick<Runtime, 'info' | 'warning'>;
  provider: GitProvider;
  config: Config;
  /** The checked-out repository: where the environments' manifest files are listed. */
  workspace: string;
  /** Pause between retries (tests make it instant). */
  sleep?: (ms: number) => Promise<void>;
  /** How often a commit is tried when the branch moves meanwhile. Default 4. */
  attempts?: number;
}

export interface PromotionOutcome {
  /** The environment promoted into ('' when nothing was promoted). */
  environment: string;
  /** The commit the promotion is based on (see PromotionMetadata.sha). */
  sha: string;
  tag: string;
  /** true when a promotion was proposed (a new pull request, or an existing one changed to a new one). */
  created: boolean;
  pullRequest?: PullRequest;
  branch: string;
  autoMerge: boolean;
  /** One sentence for the log: what happened and why. */
  message: string;
  changes: { path: string; values: ValueChange[] }[];
  /** Auto-merge was wanted but the hosting service refused it (the pull request is open). */
  autoMergeError?: string;
  group: string;
  app: string;
}

/** `new`: the image tag goes into the first environment's manifests, proposed by one pull request. */
export async function promoteNewImage(
  ctx: PromotionContext,
  request: { group: string; app: string; tag: string; digest?: string },
): Promise<PromotionOutcome> {
  const env = ctx.config.environments[0]!;
  return propose(ctx, { ...request, env: env.name, type: 'new' }, undefined);
}

/**
 * `promote`: on the push that merged a promotion pull request, the same tag is proposed for the next
 * environment. A push that merged no promotion, or one into the last environment, promotes nothing.
 */
export async function promoteMergedImage(
  ctx: PromotionContext,
  sha: string,
  targetName?: string,
): Promise<PromotionOutcome> {
  const { provider, config } = ctx;
  const nothing = (message: string, m?: Partial<PromotionMetadata>): PromotionOutcome => ({
    environment: '',
    sha,
    tag: m?.tag ?? '',
    created: false,
    branch: '',
    autoMerge: false,
    message,
    changes: [],
    group: m?.group ?? '',
    app: m?.app ?? '',
  });
  const merged = await provider.pullRequestForMergeCommit(sha);
  const short = sha.slice(0, 12);
  if (merged?.state !== 'merged')
    return nothing(`commit ${short} is not the merge of a pull request: there is nothing to promote`);
  if (merged.base !== config.mainBranch)
    return nothing(
      `commit ${short} merged pull request #${merged.number} into ${merged.base}, not ${config.mainBranch}: there is nothing to promote`,
    );
  const meta = readPromotion(merged, config);
  if (!meta)
    return nothing(
      `commit ${short} merged pull request #${merged.number}, which is no promotion pull request: there is nothing to promote`,
    );
  const from = config.environments.find((e) => e.name === meta.env)!;
  const next = config.environments[from.index + 1];
  if (targetName && targetName !== next?.name)
    throw new GitopsError(
      `input environment is ${targetName}, but pull request #${merged.number} (merged in ${short}) brought ${meta.group}/${meta.app} ${meta.tag} into ${meta.env}, so the next environment is ${next?.name ?? 'none (it is the last)'}`,
    );
  if (!next)
    return nothing(
      `pull request #${merged.number} brought ${meta.group}/${meta.app} ${meta.tag} into ${meta.env}, the last environment: the promotion is complete`,
      meta,
    );
  return propose(
    ctx,
    {
      group: meta.group,
      app: meta.app,
      tag: meta.tag,
      ...(meta.digest ? { digest: meta.digest } : {}),
      env: next.name,
      type: 'promote',
    },
    { sha, pr: merged, from },
  );
}

interface Proposal {
  group: string;
  app: string;
  tag: string;
  digest?: string;
  env: string;
  type: PromotionMetadata['type'];
}

const RACE = /fast.?forward|stale|already been updated|already exists|does not exist|reference/i;

async function propose(
  ctx: PromotionContext,
  p: Proposal,
  after: { sha: string; pr: PullRequest; from: Environment } | undefined,
): Promise<PromotionOutcome> {
  const { provider, config } = ctx;
  const env = config.environments.find((e) => e.name === p.env)!;
  refuseFrozenPromotion(config, env.name);
  const branch = promotionBranch(config.promotion.prflow, p.group, p.app, env.name);
  const path = environmentPath(config, p.group, p.app, env.name);
  const what = `${p.group}/${p.app} ${p.tag}`;
  const base: PromotionOutcome = {
    environment: env.name,
    sha: after?.sha ?? '',
    tag: p.tag,
    created: false,
    branch,
    autoMerge: false,
    message: '',
    changes: [],
    group: p.group,
    app: p.app,
  };

  const existing = await openPullRequest(provider, branch, config.mainBranch);
  const existingMeta = existing && readable(ctx, existing, config);
  if (existing && existingMeta) {
    const settled = alreadySettled(ctx, p, env, existing, existingMeta, base);
    if (settled) return settled;
  }

  const committed = await commitPromotion(ctx, p, env, branch, path);
  if ('outcome' in committed)
    return { ...base, sha: after?.sha ?? committed.onto, branch: '', message: committed.outcome };
  const { commit, onto, changes } = committed;

  const meta: PromotionMetadata = { ...p, sha: after?.sha ?? onto };
  const body = promotionBody(config, meta, env, changes, path, after);
  const { pr, created, updated } = await openOrUpdate(ctx, branch, meta, body, existing, existingMeta);
  const { autoMerge, autoMergeError } = await autoMergeFor(provider, pr, env);
  const reused = updated ? `updated pull request #${pr.number}` : `opened pull request #${pr.number}`;
  const done = commit ? `committed ${commit.slice(0, 12)} to ${branch}` : `${branch} already held the change`;
  return {
    ...base,
    sha: meta.sha,
    created,
    pullRequest: pr,
    autoMerge,
    changes,
    ...(autoMergeError ? { autoMergeError } : {}),
    message: `${reused} (${pr.url}) promoting ${what} to ${env.name}: ${done}; ${autoMergeText(env, autoMerge)}`,
  };
}

/** An open promotion pull request that makes this run's work moot: a newer `new`, or the tag further along. */
function alreadySettled(
  ctx: PromotionContext,
  p: Proposal,
  env: Environment,
  existing: PullRequest,
  existingMeta: PromotionMetadata,
  base: PromotionOutcome,
): PromotionOutcome | undefined {
  const { config } = ctx;
  const e = config.environments.find((x) => x.name === existingMeta.env)!;
  if (config.promotion.prflow === 'per-app' && p.type === 'promote' && !sameImage(existingMeta, p))
    // Per app, an open pull request was opened after the merge being promoted: a newer `new` owns it now.
    return {
      ...base,
      environment: '',
      branch: '',
      message: `${p.group}/${p.app} ${existingMeta.tag} is being promoted to ${existingMeta.env} in pull request #${existing.number}, newer than ${p.tag}: ${p.tag} goes no further`,
    };
  // The same tag is further along already (a re-run, or a late run of an older push): nothing to undo.
  if (sameImage(existingMeta, p) && e.index > env.index)
    return {
      ...base,
      environment: existingMeta.env,
      sha: existingMeta.sha,
      pullRequest: existing,
      autoMerge: existing.autoMerge,
      message: `${p.group}/${p.app} ${p.tag} is already being promoted, to ${existingMeta.env} in pull request #${existing.number}: nothing to do`,
    };
  return undefined;
}

/**
 * Writes the tag into the environment's manifests on the head of the main branch and commits it to the
 * promotion branch, reading both again when another run moved them. A change that is already there
 * gives an `outcome` message instead.
 */
async function commitPromotion(
  ctx: PromotionContext,
  p: Proposal,
  env: Environment,
  branch: string,
  path: string,
): Promise<
  | { commit: string | undefined; onto: string; changes: PromotionOutcome['changes'] }
  | { outcome: string; onto: string }
> {
  const { provider, config, rt } = ctx;
  const target = { group: p.group, app: p.app, tag: p.tag, ...(p.digest ? { digest: p.digest } : {}) };
  const attempts = ctx.attempts ?? 4;
  const sleep = ctx.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  for (let attempt = 1; ; attempt++) {
    const onto = (await provider.branchSha(config.mainBranch)) ?? '';
    if (!onto)
      throw new GitopsError(`branch ${config.mainBranch} (main-branch) does not exist in the repository`);
    const edit = await editEnvironment(provider, ctx.workspace, path, onto, target);
    if (edit.found === 0) throw noMarkerError(path, ctx.workspace, target, env.name);
    if (target.digest && edit.digests === 0) throw noDigestPlaceError(path, target, env.name);
    if (edit.files.length === 0)
      return {
        onto,
        outcome: `${env.name} already runs ${p.group}/${p.app} ${p.tag} on ${config.mainBranch} (${edit.found} value${edit.found === 1 ? '' : 's'} under ${path} already say ${p.tag}): no pull request`,
      };
    try {
      const commit = await provider.commitFiles({
        branch,
        base: onto,
        message: promotionTitle(p),
        files: edit.files,
        force: true,
      });
      return { commit, onto, changes: edit.changes };
    } catch (e) {
      if (!(e instanceof ProviderError) || attempt >= attempts || !isRace(e)) throw e;
      rt.info(
        `branch ${branch} or ${config.mainBranch} moved while committing (${e.message}); reading them again (attempt ${attempt + 1} of ${attempts})`,
      );
      await sleep(250 * 2 ** (attempt - 1));
    }
  }
}

/** Opens the promotion pull request, or updates the open one (also one another run opened meanwhile). */
async function openOrUpdate(
  ctx: PromotionContext,
  branch: string,
  meta: PromotionMetadata,
  body: string,
  existing: PullRequest | undefined,
  existingMeta: PromotionMetadata | undefined,
): Promise<{ pr: PullRequest; created: boolean; updated: boolean }> {
  const { provider, config } = ctx;
  const title = promotionTitle(meta);
  if (existing) {
    const pr = await refresh(provider, existing, title, body);
    const same =
      existingMeta &&
      sameImage(existingMeta, meta) &&
      existingMeta.env === meta.env &&
      existingMeta.group === meta.group &&
      existingMeta.app === meta.app;
    return { pr, created: !same, updated: true };
  }
  try {
    const pr = await provider.createPullRequest({ head: branch, base: config.mainBranch, title, body });
    return { pr, created: true, updated: false };
  } catch (e) {
    // Another run opened it meanwhile: take that one over.
    const raced = await openPullRequest(provider, branch, config.mainBranch);
    if (!raced) throw e;
    const racedMeta = readable(ctx, raced, config);
    const pr = await refresh(provider, raced, title, body);
    return {
      pr,
      created: !racedMeta || !sameImage(racedMeta, meta) || racedMeta.env !== meta.env,
      updated: true,
    };
  }
}

/** The same image: tag and digest (none on either counts as the same). */
function sameImage(a: { tag: string; digest?: string }, b: { tag: string; digest?: string }): boolean {
  return a.tag === b.tag && (a.digest ?? '') === (b.digest ?? '');
}

function isRace(e: ProviderError): boolean {
  return e.status === 409 || (e.status === 422 && RACE.test(e.message));
}

async function openPullRequest(
  provider: GitProvider,
  head: string,
  base: string,
): Promise<PullRequest | undefined> {
  const open = await provider.findPullRequests({ head, base, state: 'open' });
  return open.sort((a, b) => b.number - a.number)[0];
}

/** The metadata of the app's open pull request; an unreadable block is overwritten (with a warning), not fatal. */
function readable(ctx: PromotionContext, pr: PullRequest, config: Config): PromotionMetadata | undefined {
  try {
    return readPromotion(pr, config);
  } catch (e) {
    if (!(e instanceof PromotionMetadataError)) throw e;
    ctx.rt.warning(`${e.message.split(';')[0]}; it is rewritten now`);
    return undefined;
  }
}

async function refresh(
  provider: GitProvider,
  pr: PullRequest,
  title: string,
  body: string,
): Promise<PullRequest> {
  if (pr.title === title && pr.body === body) return pr;
  return provider.updatePullRequest(pr.number, { title, body });
}

/** The pull request's description: what it promotes, why it may merge, and the hidden metadata. */
function promotionBody(
  config: Config,
  m: PromotionMetadata,
  env: Environment,
  changes: PromotionOutcome['changes'],
  path: string,
  after: { sha: string; pr: PullRequest; from: Environment } | undefined,
): string {
  const previous = config.environments[env.index - 1];
  const lines = [
    `Promotes **${m.group}/${m.app}** to image tag \`${m.tag}\`${m.digest ? ` (digest \`${m.digest}\`)` : ''} in environment **${env.name}**.`,
    '',
  ];
  if (after)
    lines.push(
      `${after.from.name} received \`${m.tag}\` with pull request #${after.pr.number} (merged in \`${m.sha.slice(0, 12)}\`).`,
    );
  if (previous)
    lines.push(
      `This pull request may merge once **${previous.name}** reports success for \`${m.sha.slice(0, 12)}\` (check \`check-previous-env\`).`,
    );
  else lines.push(`${env.name} is the first environment: no earlier result is needed.`);
  lines.push(
    env.auto
      ? `${env.name} is \`auto: true\`: auto-merge is enabled.`
      : `${env.name} is not \`auto\`: a person reviews and merges.`,
    '',
    `Changed under \`${path}\`:`,
    '',
  );
  const rows = changes.flatMap((c) =>
    c.values.map((v) => `- \`${c.path}\` line ${v.line}: \`${v.before || '(none)'}\` → \`${v.after}\``),
  );
  lines.push(...rows.slice(0, 15));
  if (rows.length > 15) lines.push(`- … and ${rows.length - 15} more`);
  lines.push('', metadataBlock(m), '');
  return lines.join('\n');
}
