import { InputError } from './errors';
import type { GitProvider, NewStatus } from './provider';
import type { Services, StepRuntime } from './runtime';
import { clip, oneLine } from './text';

/**
 * The hosting service of a step, created once on first use. A wrong input (`provider`, `token`) always
 * fails the step. Otherwise a service that cannot be reached, and a comment or status it refuses, are
 * warnings: the step's own work is done. With `optional` a step goes on without a service at all.
 */
export class Hosting {
  private pending?: Promise<GitProvider>;
  private reachable?: Promise<GitProvider | undefined>;
  /** Known once the provider was created. */
  kind?: GitProvider['kind'];
  private absent?: string;

  constructor(
    private readonly rt: Pick<StepRuntime, 'warning'>,
    private readonly services: Services,
    /** What the step writes as comments, for the warning: `plan`, `diff`. */
    private readonly commentKind: string,
  ) {}

  /** The provider; fails as creating it failed. */
  provider(): Promise<GitProvider> {
    this.pending ??= this.services.provider().then((p) => {
      this.kind = p.kind;
      return p;
    });
    return this.pending;
  }

  /** The provider, or undefined (said once as a warning) when the run has no hosting service. */
  optionalProvider(): Promise<GitProvider | undefined> {
    this.reachable ??= this.provider().catch((e: unknown) => {
      // A wrong input is the user's to fix, not a missing service to work around.
      if (e instanceof InputError) throw e;
      this.absent = (e as Error).message;
      this.rt.warning(
        `no hosting service for this run, so no commit statuses, recorded plans or pull request comments: ${this.absent}`,
      );
      return undefined;
    });
    return this.reachable;
  }

  /** Writes a status; says why when it could not (no hosting service, or the service refused). */
  async writeStatus(sha: string, status: NewStatus): Promise<string | undefined> {
    const p = await this.optionalProvider();
    if (!p) return `no hosting service (${this.absent})`;
    try {
      await p.setStatus(sha, { ...status, description: clip(oneLine(status.description), 140) });
      return undefined;
    } catch (e) {
      return (e as Error).message;
    }
  }

  /** A status that cannot be written is a warning. */
  async setStatus(sha: string, status: NewStatus): Promise<void> {
    if (!(await this.optionalProvider())) return;
    const failed = await this.writeStatus(sha, status);
    if (failed !== undefined)
      this.rt.warning(`could not write the commit status ${status.context}: ${failed}`);
  }

  /**
   * Writes or updates the comment marked `marker`. `optional`: without a hosting service, nothing (the
   * warning was said); else a service that cannot be reached is a warning like a refused comment.
   */
  async comment(pullRequest: number, marker: string, body: string, optional = false): Promise<void> {
    try {
      const p = optional ? await this.optionalProvider() : await this.provider();
      await p?.upsertComment(pullRequest, marker, body);
    } catch (e) {
      if (e instanceof InputError) throw e;
      this.rt.warning(
        `could not write the ${this.commentKind} comment on pull request #${pullRequest}: ${(e as Error).message}`,
      );
    }
  }
}
