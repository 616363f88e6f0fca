// What the end-to-end tests share: providers reading the API doubles the steps wrote to, the check that
// a bundle run succeeded, and the real terraform they need.
import { execFileSync } from 'node:child_process';
import {
  AzureDevOpsProvider,
  type AzureDevOpsProviderOptions,
} from '@gitops-promote/platform/providers/azure';
import { GitHubProvider, type GitHubProviderOptions } from '@gitops-promote/platform/providers/github';
import { expect } from 'vitest';
import type { AzureDevOpsApi } from '../doubles/azure-api';
import type { GitHubApiDouble } from '../doubles/github-api';
import type { BundleRun } from './bundle';

/** A provider on the GitHub double, to read (or arrange) what the bundles see. */
export function githubProviderOn(
  api: GitHubApiDouble,
  o: Partial<GitHubProviderOptions> = {},
): GitHubProvider {
  return new GitHubProvider({ token: api.token, repository: api.repository, apiUrl: api.apiUrl, ...o });
}

/** A provider on the Azure DevOps double. */
export function azureProviderOn(
  api: AzureDevOpsApi,
  o: Partial<AzureDevOpsProviderOptions> = {},
): AzureDevOpsProvider {
  return new AzureDevOpsProvider({
    token: api.token,
    collectionUri: api.collectionUri,
    project: api.project,
    repositoryId: api.repositoryId,
    ...o,
  });
}

/** The outputs of a run that must have succeeded; else the failure shows its whole output. */
export function ok(r: BundleRun): Record<string, string> {
  expect(r.code, `exit ${r.code}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`).toBe(0);
  return r.outputs;
}

/** For a beforeAll: the tests run the real terraform 1.x, offline (terraform_data only). */
export function requireTerraform(): void {
  try {
    execFileSync('terraform', ['version'], { stdio: 'ignore' });
  } catch {
    throw new Error(
      'terraform is not on PATH: these tests run the real terraform 1.x (offline, terraform_data only). Install it.',
    );
  }
}

/** What a Terraform checkout keeps out of Git. */
export const TERRAFORM_GITIGNORE =
  '.terraform/\n*.tfstate\n*.tfstate.*\nterraform.tfstate.d/\n.terraform.lock.hcl\n';
