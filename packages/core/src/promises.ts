/**
 * Work started before it is needed (a read while Terraform runs, say): its failure is seen where it is
 * awaited, not as an unhandled rejection if the run fails before then.
 */
export function startedEarly<T>(work: Promise<T>): Promise<T> {
  work.catch(() => undefined);
  return work;
}

/**
 * Promise.all that waits for every piece of work before it fails, with the first failure in the given
 * order: nothing is left running behind the caller (a process writing into a folder about to be removed).
 */
export async function allSettled<T extends readonly unknown[]>(
  work: {
    [K in keyof T]: Promise<T[K]>;
  },
): Promise<T> {
  const settled = await Promise.allSettled(work);
  const failed = settled.find((r) => r.status === 'rejected');
  if (failed) throw failed.reason;
  return settled.map((r) => (r as PromiseFulfilledResult<unknown>).value) as unknown as T;
}
