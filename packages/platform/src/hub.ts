import { STEP_LOADERS } from '@gitops-promote/core';
import { main } from './main';
import type { ServiceOptions } from './services';

/** Only this entry brings undici's proxy client: the Azure DevOps task bundles bring a smaller one (index.ts). */
const SERVICES: ServiceOptions = { proxyFetch: () => import('./providers/github/proxy-fetch') };

/**
 * The one bundle every GitHub action shares (dist/main/): `dist/<step>/index.cjs` calls `run('<step>')`,
 * which loads that step alone, then its platform's adapter; chunks are one copy for all actions.
 */
export async function run(name: string): Promise<void> {
  const load = STEP_LOADERS[name];
  if (!load) throw new Error(`gitops-promote: no step ${name} in this bundle`);
  await main(await load(), SERVICES);
}

/** The terminal command (dist/cli/index.cjs); returns the exit code. */
export async function cli(argv: string[]): Promise<number> {
  const { runCli } = await import('./cli');
  return runCli(argv, SERVICES);
}
