import type { Config } from '../config/model';
import { GitopsError } from '../errors';
import type { PullRequest } from '../provider';
import { isFullSha } from '../settings/commit';
import { imageDigestProblem, imageTagProblem } from './manifest';

/**
 * What a promotion pull request carries, machine-readable, in a hidden block of its description:
 *
 *   <!-- gitops-promote:promotion {"version":1,"group":"apps","app":"podinfo","tag":"a8b91c33","env":"dev","sha":"…","type":"new"} -->
 *
 * An HTML comment is invisible on GitHub and Azure DevOps alike; JSON on one line keeps it easy to read back
 * and to spot when someone edited it. Every field is checked when read, so an edited block fails with a
 * message that names the pull request instead of promoting something else.
 */
export interface PromotionMetadata {
  group: string;
  app: string;
  /** The image tag. */
  tag: string;
  /** The image digest (`sha256:…`), when the promotion pins one. */
  digest?: string;
  /** The environment this pull request promotes into. */
  env: string;
  /**
   * The commit the promotion is based on: for `new`, the main branch's head when it was opened; for
   * `promote`, the merge commit that brought the tag into the previous environment. The previous
   * environment's result is looked for on this commit.
   */
  sha: string;
  type: 'new' | 'promote';
}

export const METADATA_MARKER = 'gitops-promote:promotion';
const METADATA_VERSION = 1;
const BLOCK = /<!--\s*gitops-promote:promotion\b([\s\S]*?)-->/g;
/** Kubernetes names (ImagePolicy namespace and name): what a group and an app may be. */
const NAME = /^[a-z0-9]([a-z0-9.-]{0,61}[a-z0-9])?$/;

/** Why `value` cannot be a group or app name, or undefined. */
export function nameProblem(value: string): string | undefined {
  if (value === '') return 'it is empty';
  if (!NAME.test(value) || value.includes('..'))
    return 'use a Kubernetes name (lower-case letters, digits, "-" and ".", at most 63, starting and ending with a letter or digit), as the Flux ImagePolicy is named';
  return undefined;
}

export function metadataBlock(m: PromotionMetadata): string {
  const json = JSON.stringify({
    version: METADATA_VERSION,
    group: m.group,
    app: m.app,
    tag: m.tag,
    ...(m.digest ? { digest: m.digest } : {}),
    env: m.env,
    sha: m.sha,
    type: m.type,
  });
  return `<!-- ${METADATA_MARKER} ${json} -->`;
}

/** `promote/<group>-<app>` (per-app: one pull request per app, reset by `new`) or `promote/<env>/<group>-<app>`. */
export function promotionBranch(
  prflow: Config['promotion']['prflow'],
  group: string,
  app: string,
  env: string,
): string {
  return prflow === 'per-app' ? `promote/${group}-${app}` : `promote/${env}/${group}-${app}`;
}

export function promotionTitle(m: Pick<PromotionMetadata, 'group' | 'app' | 'tag' | 'env'>): string {
  return `Promote ${m.group}/${m.app} version ${m.tag} to environment ${m.env}`;
}

/** The metadata is missing, edited or inconsistent with the pull request. */
export class PromotionMetadataError extends GitopsError {
  override name = 'PromotionMetadataError';
}

/**
 * The promotion a pull request carries; undefined when it is no promotion pull request (no block, and a
 * source branch outside `promote/`). A block that does not read back, or a promotion branch without one,
 * throws PromotionMetadataError naming the pull request.
 */
export function readPromotion(pr: PullRequest, config: Config): PromotionMetadata | undefined {
  const blocks = [...(pr.body ?? '').matchAll(BLOCK)];
  const who = `pull request #${pr.number} (${pr.head} → ${pr.base})`;
  const restore =
    'restore the description as promote-tag wrote it, or close the pull request and run promote-tag again';
  if (blocks.length === 0) {
    if (!pr.head.startsWith('promote/')) return undefined;
    throw new PromotionMetadataError(
      `${who} comes from a promotion branch but its description has no ${METADATA_MARKER} block (was it edited?); ${restore}`,
    );
  }
  if (blocks.length > 1)
    throw new PromotionMetadataError(
      `${who} has ${blocks.length} ${METADATA_MARKER} blocks in its description; it must have exactly one: ${restore}`,
    );
  let raw: unknown;
  try {
    raw = JSON.parse(blocks[0]![1]!.trim());
  } catch (e) {
    throw new PromotionMetadataError(
      `${who}: its ${METADATA_MARKER} block is not valid JSON (${(e as Error).message}); ${restore}`,
    );
  }
  const bad = (field: string, why: string): never => {
    throw new PromotionMetadataError(`${who}: its ${METADATA_MARKER} block has ${field} ${why}; ${restore}`);
  };
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return bad('no object', 'at all');
  const o = raw as Record<string, unknown>;
  if (o.version !== METADATA_VERSION)
    bad(
      'version',
      `${JSON.stringify(o.version)} (this version of gitops-promote reads version ${METADATA_VERSION})`,
    );
  const str = (field: string): string => {
    const v = o[field];
    if (typeof v !== 'string' || v === '')
      return bad(field, v === undefined ? 'missing' : `${JSON.stringify(v)}`);
    return v;
  };
  const group = str('group');
  const app = str('app');
  const tag = str('tag');
  const env = str('env');
  const sha = str('sha');
  const type = str('type');
  if (nameProblem(group)) bad('group', JSON.stringify(group));
  if (nameProblem(app)) bad('app', JSON.stringify(app));
  if (imageTagProblem(tag)) bad('tag', `${JSON.stringify(tag)}, which is no image tag`);
  const digest = o.digest === undefined ? undefined : str('digest');
  if (digest !== undefined && imageDigestProblem(digest))
    bad('digest', `${JSON.stringify(digest)}, which is no image digest`);
  if (!isFullSha(sha)) bad('sha', `${JSON.stringify(sha)}, which is no full commit sha`);
  if (type !== 'new' && type !== 'promote') bad('type', `${JSON.stringify(type)} (new or promote)`);
  if (!config.environments.some((e) => e.name === env))
    bad(
      'env',
      `${JSON.stringify(env)}, which is not an environment in ${config.source} (${config.environments.map((e) => e.name).join(', ')})`,
    );
  const branches = [promotionBranch('per-app', group, app, env), promotionBranch('per-env', group, app, env)];
  if (!branches.includes(pr.head))
    throw new PromotionMetadataError(
      `${who}: its ${METADATA_MARKER} block promotes ${group}/${app} to ${env}, which comes from ${branches.join(' or ')}, not ${pr.head}; ${restore}`,
    );
  return {
    group,
    app,
    tag,
    ...(digest ? { digest } : {}),
    env,
    sha,
    type: type as PromotionMetadata['type'],
  };
}
