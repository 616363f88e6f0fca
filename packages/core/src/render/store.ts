import type { FileChange, GitProvider } from '../provider';

/** Where rendered manifests are read from and committed to: a branch of one repository. */
export interface ManifestStore {
  /** For messages: `owner/name`, a path or a URL (credentials masked). */
  readonly display: string;
  /** Whether a missing branch can be created (as a first commit with only the rendered files). */
  readonly canCreateBranch: boolean;
  branchSha(branch: string): Promise<string | undefined>;
  /** Contents of `paths` at commit `sha`; absent files are left out. */
  readFiles(paths: string[], sha: string): Promise<Map<string, string>>;
  /**
   * Commits `files` on `base` (undefined: a first commit) and moves `branch` to it, without force: when the
   * branch moved since `base`, this fails. undefined when nothing would change.
   */
  commitFiles(change: {
    branch: string;
    base: string | undefined;
    message: string;
    files: FileChange[];
  }): Promise<string | undefined>;
  dispose(): Promise<void>;
}

const READ_CONCURRENCY = 8;

/** The run's own repository, through the hosting service's provider (GitHub, Azure DevOps or plain Git). */
export class ProviderStore implements ManifestStore {
  readonly canCreateBranch = false;

  constructor(
    private readonly provider: GitProvider,
    readonly display: string,
  ) {}

  branchSha(branch: string): Promise<string | undefined> {
    return this.provider.branchSha(branch);
  }

  async readFiles(paths: string[], sha: string): Promise<Map<string, string>> {
    const found = new Map<string, string>();
    let next = 0;
    const worker = async () => {
      while (next < paths.length) {
        const path = paths[next++]!;
        const content = await this.provider.readFile(path, sha);
        if (content !== undefined) found.set(path, content);
      }
    };
    await Promise.all(Array.from({ length: Math.min(READ_CONCURRENCY, paths.length) }, worker));
    return found;
  }

  async commitFiles(change: {
    branch: string;
    base: string | undefined;
    message: string;
    files: FileChange[];
  }): Promise<string | undefined> {
    if (!change.base) throw new Error('ProviderStore.commitFiles needs a base commit');
    return this.provider.commitFiles({ ...change, base: change.base, force: false });
  }

  async dispose(): Promise<void> {}
}
