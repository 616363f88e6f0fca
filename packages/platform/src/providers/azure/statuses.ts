// Commit statuses: the context `genre/name` is split at the first `/`, so Flux's `fluxcd:<summary>` genre
// and its `kustomization/<name>/<id>` name come through intact.
import type { CommitStatus, NewStatus, StatusState } from '@gitops-promote/core';
import { malformedAnswer } from '../shared/answers';
import { type AzureClient, allPages, enc } from './client';
import type { AzStatus, List } from './types';

const TO_AZURE_STATE: Record<StatusState, string> = {
  success: 'succeeded',
  failure: 'failed',
  error: 'error',
  pending: 'pending',
};

/** `GET commits/{sha}/statuses?top=&skip=` (the documented names carry no `$`), all pages; the newest per context. */
export async function listStatuses(az: AzureClient, sha: string): Promise<CommitStatus[]> {
  const top = az.pageSize;
  const all = await allPages(
    top,
    async (skip) => {
      const { data } = await az.call<List<AzStatus>>('GET', `commits/${enc(sha)}/statuses`, {
        query: { top, skip },
        need: 'read',
      });
      return data.value ?? [];
    },
    // A status without an id is never taken for one already read.
    (s) => s.id ?? Symbol(),
    (page) => {
      if (page.some((s) => typeof s?.context?.name !== 'string' || typeof s.state !== 'string'))
        throw malformedAnswer(
          `GET …/commits/${sha}/statuses`,
          'Azure DevOps',
          'a status without a context name or a state',
          'SYSTEM_COLLECTIONURI',
        );
    },
  );
  const newest = new Map<string, AzStatus>();
  for (const s of all) {
    const key = `${s.context?.genre ?? ''}\u0000${s.context?.name ?? ''}`;
    const have = newest.get(key);
    if (!have || isNewer(s, have)) newest.set(key, s);
  }
  // notSet / notApplicable are no result: a context whose newest status says so reads as missing.
  return [...newest.values()]
    .filter((s) => !isNoResult(s.state))
    .sort((a, b) => (isNewer(a, b) ? -1 : 1))
    .map(toCommitStatus);
}

export async function setStatus(az: AzureClient, sha: string, status: NewStatus): Promise<void> {
  const { genre, name } = splitContext(status.context);
  await az.call('POST', `commits/${enc(sha)}/statuses`, {
    body: {
      state: TO_AZURE_STATE[status.state],
      description: status.description,
      context: genre === undefined ? { name } : { genre, name },
      ...(status.targetUrl ? { targetUrl: status.targetUrl } : {}),
    },
    need: 'contribute',
  });
}

/** `gitops-promote/ops` → genre `gitops-promote`, name `ops`; a context without `/` is a name alone. */
export function splitContext(context: string): { genre?: string; name: string } {
  const i = context.indexOf('/');
  if (i < 0) return { name: context };
  return { genre: context.slice(0, i), name: context.slice(i + 1) };
}

function mapState(state: string | undefined): StatusState {
  switch ((state ?? '').toLowerCase()) {
    case 'succeeded':
      return 'success';
    case 'failed':
      return 'failure';
    case 'error':
      return 'error';
    default:
      // pending (notSet and notApplicable never get here: listStatuses drops them)
      return 'pending';
  }
}

/** Azure DevOps states that carry no result: the context counts as missing, not pending. */
function isNoResult(state: string | undefined): boolean {
  return /^(notset|notapplicable)$/i.test(state ?? '');
}

function isNewer(a: AzStatus, b: AzStatus): boolean {
  const ta = Date.parse(a.creationDate ?? a.updatedDate ?? '') || 0;
  const tb = Date.parse(b.creationDate ?? b.updatedDate ?? '') || 0;
  if (ta !== tb) return ta > tb;
  return (a.id ?? 0) > (b.id ?? 0);
}

function toCommitStatus(s: AzStatus): CommitStatus {
  const genre = s.context?.genre ?? '';
  const name = s.context?.name ?? '';
  const status: CommitStatus = {
    context: genre ? `${genre}/${name}` : name,
    state: mapState(s.state),
    description: s.description ?? '',
    createdAt: s.creationDate ?? s.updatedDate ?? '',
    name,
  };
  if (genre) status.genre = genre;
  if (s.targetUrl) status.targetUrl = s.targetUrl;
  return status;
}
