import { runStep, type Step } from '@gitops-promote/core';
import type { ServiceOptions } from './services';

export type PlatformName = 'github' | 'azure' | 'terminal';

export function detectPlatform(env: NodeJS.ProcessEnv = process.env): PlatformName {
  if (env.GITHUB_ACTIONS === 'true') return 'github';
  if ((env.TF_BUILD ?? '').toLowerCase() === 'true') return 'azure';
  return 'terminal';
}

/**
 * Entry of a step bundle run by GitHub Actions, Azure Pipelines or a terminal. Each adapter is loaded on
 * demand, so a run pays only for its own platform library.
 */
export async function main(step: Step, options: ServiceOptions = {}): Promise<void> {
  const platform = detectPlatform();
  if (platform === 'github') {
    const [{ GitHubRuntime }, { createServices }] = await Promise.all([
      import('./runtimes/github'),
      import('./services'),
    ]);
    const rt = new GitHubRuntime();
    await runStep(step, rt, createServices(rt, process.env, options));
  } else if (platform === 'azure') {
    const [{ AzureRuntime }, { createServices }] = await Promise.all([
      import('./runtimes/azure'),
      import('./services'),
    ]);
    const azure = new AzureRuntime();
    await runStep(step, azure, createServices(azure, process.env, options));
    azure.complete();
  } else {
    const { runInTerminal } = await import('./terminal');
    process.exitCode = await runInTerminal(step, process.argv.slice(2), { services: options });
  }
}
