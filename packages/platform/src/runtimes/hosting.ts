import { type HostingService, originOf } from '@gitops-promote/core';

/** GitHub (github.com or GitHub Enterprise Server at GITHUB_SERVER_URL): repositories as `owner/name`. */
export function githubHosting(env: NodeJS.ProcessEnv): HostingService {
  const server = (env.GITHUB_SERVER_URL || 'https://github.com').replace(/\/+$/, '');
  return {
    origin: originOf(env.GITHUB_SERVER_URL || 'https://github.com'),
    repositoryForms: 'give owner/name of a GitHub repository, a Git URL, or the path of a Git repository',
    repositoryNamed(value, self) {
      if (!/^[A-Za-z0-9-]+\/[A-Za-z0-9._-]+$/.test(value)) return undefined;
      const name = value.replace(/\.git$/, '');
      if (self && name.toLowerCase() === self.toLowerCase()) return { same: true };
      return { url: `${server}/${name}.git`, display: name };
    },
    authHeader: (token) =>
      `AUTHORIZATION: basic ${Buffer.from(`x-access-token:${token}`).toString('base64')}`,
    // The workflow's GITHUB_TOKEN: GitHub starts no workflow for what it writes.
    isWorkflowToken: (token, workflowToken) => token === workflowToken,
    workflowFile: workflowFileOf(env.GITHUB_WORKFLOW_REF),
  };
}

/** `owner/repo/.github/workflows/deploy.yml@refs/heads/main` → `deploy.yml` (a reusable workflow's caller's file). */
export function workflowFileOf(workflowRef: string | undefined): string | undefined {
  const path = workflowRef?.split('@')[0] ?? '';
  const m = /\/\.github\/workflows\/([^/]+)$/.exec(path);
  return m?.[1] || undefined;
}

/** Azure DevOps: repositories by name in this project, or `project/name` in this collection. */
export function azureHosting(env: NodeJS.ProcessEnv): HostingService {
  const collection = env.SYSTEM_COLLECTIONURI || env.SYSTEM_TEAMFOUNDATIONCOLLECTIONURI || '';
  const thisProject = env.SYSTEM_TEAMPROJECT;
  return {
    origin: originOf(collection),
    repositoryForms:
      'give the name of a repository in this project (or project/name), a Git URL, or the path of a Git repository',
    repositoryNamed(value, self) {
      if (!/^[^/\\]+(\/[^/\\]+)?$/.test(value)) return undefined;
      const [project, name] = value.includes('/')
        ? (value.split('/') as [string, string])
        : [thisProject || '', value];
      if (
        self &&
        name.toLowerCase() === self.toLowerCase() &&
        (!value.includes('/') || project.toLowerCase() === (thisProject ?? '').toLowerCase())
      )
        return { same: true };
      if (!collection || !project)
        return {
          problem:
            'another Azure DevOps repository by name needs SYSTEM_COLLECTIONURI and SYSTEM_TEAMPROJECT (set on Azure Pipelines agents); or give its clone URL',
        };
      const url = `${collection.replace(/\/*$/, '/')}${encodeURIComponent(project)}/_git/${encodeURIComponent(name)}`;
      return { url, display: value };
    },
    authHeader: (token) => `AUTHORIZATION: bearer ${token}`,
    isWorkflowToken: () => false,
  };
}

/** The hosting service of a platform as its environment describes it; none from a terminal. */
export function hostingOf(
  platform: 'github' | 'azure' | 'terminal',
  env: NodeJS.ProcessEnv,
): HostingService | undefined {
  if (platform === 'github') return githubHosting(env);
  if (platform === 'azure') return azureHosting(env);
  return undefined;
}
