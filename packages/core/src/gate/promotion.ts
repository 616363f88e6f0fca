import type { Config, Environment } from '../config/model';
import { GitopsError } from '../errors';
import { carriesTag, environmentPath } from '../promotion/files';
import type { PromotionMetadata } from '../promotion/metadata';
import type { CommitStatus, GitProvider } from '../provider';
import type { StepRuntime } from '../runtime';
import { clusterMemory } from './clusters';
import {
  contextMatcher,
  type EnvironmentResult,
  environmentResult,
  type GateRules,
  neutralContext,
} from './commit';
import { decisive, describeState, type GateTiming, poll } from './poll';

export interface PromotionGate {
  result: EnvironmentResult;
  /** Every status of the commit that was decisive (or of the based-on commit, when nothing was). */
  all: CommitStatus[];
  /** The commit whose result counted. */
  sha: string;
  /** The result is that of the main branch's head standing in for the based-on commit. */
  fallback: boolean;
  /** Why the fallback could not help, when it could not (for the failure message). */
  note: string;
}

/**
 * The previous environment's result for a promotion pull request.
 *
 * The result is looked for on the commit the promotion is based on (`meta.sha`: the merge that brought the
 * tag into the previous environment). Flux only reports on revisions it applied, and skips commits merged
 * in quick succession; so the head of the main branch stands in when the previous environment's manifests
 * there still carry the same tag for the app: it is then the newest revision that deploys exactly this
 * tag there, and Flux's result on it is a result for the tag. The newer commit is asked first; the first
 * decisive result (success or failure) counts; pending and missing wait until the timeout.
 *
 * `exact` (a sha given as input) checks that commit only.
 */
export async function waitForPromotion(
  rt: Pick<StepRuntime, 'info'>,
  provider: GitProvider,
  config: Config,
  o: {
    meta: PromotionMetadata;
    pr: number;
    previous: Environment;
    patterns: string[];
    timeoutMs: number;
    intervalMs: number;
    workspace: string;
    exact?: string;
  } & GateTiming &
    GateRules,
): Promise<PromotionGate> {
  const { meta, previous } = o;
  const main = config.mainBranch;
  const based = o.exact ?? meta.sha;
  const path = environmentPath(config, meta.group, meta.app, previous.name);
  const target = { group: meta.group, app: meta.app, tag: meta.tag };
  const carries = new Map<string, Promise<'yes' | 'no' | 'unknown'>>();
  const carriesAt = (sha: string) => {
    let c = carries.get(sha);
    if (!c) {
      c = carriesTag(provider, o.workspace, path, sha, target);
      carries.set(sha, c);
    }
    return c;
  };

  if (!o.exact) {
    if (!(await provider.isAncestor(based, main)))
      throw new GitopsError(
        `pull request #${o.pr} is based on commit ${based.slice(0, 12)}, which is not on ${main}: its promotion metadata was edited, or the commit was removed; close it and run promote-tag again`,
      );
    if ((await carriesAt(based)) === 'no')
      throw new GitopsError(
        `pull request #${o.pr} promotes ${meta.group}/${meta.app} ${meta.tag}, but ${previous.name}'s manifests under ${path} do not carry ${meta.tag} in ${based.slice(0, 12)}, the commit it is based on: ${meta.tag} never reached ${previous.name} there`,
      );
  }

  const clock = o.clock ?? Date.now;
  const matches = contextMatcher(o.patterns, previous.name);
  const learn = clusterMemory(provider, based, matches, neutralContext, o.known);
  return poll(rt, o, async () => {
    let note = '';
    const candidates: { sha: string; fallback: boolean }[] = [];
    if (!o.exact) {
      const head = await provider.branchSha(main);
      if (head && head !== based) {
        const c = await carriesAt(head);
        if (c === 'yes') candidates.push({ sha: head, fallback: true });
        else
          note =
            c === 'no'
              ? `; the head of ${main} (${head.slice(0, 12)}) cannot stand in: ${previous.name} runs another ${meta.app} tag there`
              : `; the head of ${main} (${head.slice(0, 12)}) cannot stand in: no manifest of ${meta.group}/${meta.app} under ${path} in the checked-out repository to compare`;
      }
    }
    candidates.push({ sha: based, fallback: false });
    const seen: PromotionGate[] = [];
    for (const c of candidates) {
      const all = await provider.listStatuses(c.sha);
      const rules = {
        known: await learn(all),
        now: clock(),
        soakMs: o.soakMs ?? 0,
        ...(o.require ? { require: o.require } : {}),
      };
      const result = environmentResult(all, previous, o.patterns, undefined, rules);
      const gate = { result, all, sha: c.sha, fallback: c.fallback, note };
      if (decisive(result)) return { done: true, value: gate };
      seen.push(gate);
    }
    const looked = seen
      .map(
        (g) => `${g.sha.slice(0, 12)}${g.fallback ? ` (head of ${main})` : ''}: ${describeState(g.result)}`,
      )
      .join('; ');
    const waiting = `waiting for ${previous.name} to report on ${meta.group}/${meta.app} ${meta.tag}: ${looked} (contexts ${o.patterns.join(', ')})`;
    return { done: false, value: seen.at(-1)!, waiting };
  });
}
