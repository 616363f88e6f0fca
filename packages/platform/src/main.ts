import { type Runtime, runStep, type Step } from '@gitops-promote/core';
import { createServices } from './services';

export type PlatformName = 'github' | 'azure' | 'terminal';

export function detectPlatform(env: NodeJS.ProcessEnv = process.env): PlatformName {
  if (env.GITHUB_ACTIONS === 'true') return 'github';
  if ((env.TF_BUILD ?? '').toLowerCase() === 'true') return 'azure';
  return 'terminal';
}

/**
 * Entry of a step bundle run by GitHub Actions or Azure Pipelines. Each adapter is loaded on demand,
 * so a run pays only for its own platform library.
 */
export async function main(step: Step): Promise<void> {
  const platform = detectPlatform();
  let rt: Runtime;
  if (platform === 'github') {
    const { GitHubRuntime } = await import('./runtimes/github');
    rt = new GitHubRuntime();
  } else if (platform === 'azure') {
    const { AzureRuntime } = await import('./runtimes/azure');
    const azure = new AzureRuntime();
    await runStep(step, azure, createServices(azure));
    azure.complete();
    return;
  } else {
    const { runCli } = await import('./cli');
    process.exitCode = await runCli([step.name, ...process.argv.slice(2)]);
    return;
  }
  await runStep(step, rt, createServices(rt));
}
