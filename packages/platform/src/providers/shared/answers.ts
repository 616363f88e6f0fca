import { GitopsError, type GitProvider, ProviderError } from '@gitops-promote/core';

/** The GitProvider methods that read what the hosting service answered. */
const METHODS = [
  'listStatuses',
  'setStatus',
  'createTag',
  'getTag',
  'deleteTag',
  'listTags',
  'branchSha',
  'isAncestor',
  'findPullRequests',
  'pullRequestForMergeCommit',
  'getPullRequest',
  'createPullRequest',
  'updatePullRequest',
  'setAutoMerge',
  'upsertComment',
  'commitFiles',
  'readFile',
  'newestTags',
  'findOpenIssues',
  'createIssue',
  'updateIssue',
  'commentOnIssue',
] as const satisfies readonly (keyof GitProvider)[];

/** What JavaScript says when code reads a field an answer lacks. */
const MISSING_FIELD =
  /Cannot read propert(?:y|ies) of (?:undefined|null)|is not iterable|Cannot convert undefined or null|is not a function|undefined is not an object/;

/**
 * An answer is untrusted data: one that lacks a field the provider reads (a proxy's page, another API
 * behind the URL, a changed shape) must end in one ProviderError naming the call, not in
 * "unexpected error: Cannot read properties of undefined". Wraps the provider's methods in place.
 */
export function guardAnswers(provider: GitProvider, host: string, lastCall: () => string | undefined): void {
  const target = provider as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
  for (const name of METHODS) {
    const method = target[name];
    if (typeof method !== 'function') continue;
    target[name] = async (...args: unknown[]) => {
      try {
        return await method.apply(provider, args);
      } catch (e) {
        if (e instanceof GitopsError || !(e instanceof TypeError) || !MISSING_FIELD.test(e.message)) throw e;
        throw malformedAnswer(lastCall() ?? name, host, `without a field ${name} needs (${e.message})`);
      }
    };
  }
}

/** An answer that lacks what the call reads: untrusted data, said as such. */
export function malformedAnswer(
  call: string,
  host: string,
  what: string,
  url = 'the API URL',
): ProviderError {
  return new ProviderError(
    call,
    undefined,
    `${host} answered ${what}; check that ${url} points at ${host} and no proxy answers in its place`,
  );
}
