import type { Step } from '@gitops-promote/core';
import { main as run } from './main';
import type { ServiceOptions } from './services';

export { detectPlatform } from './main';

/** The Azure DevOps task entries' proxy client: Node's http(s) over https-proxy-agent, not undici (hub.ts). */
const SERVICES: ServiceOptions = { proxyFetch: () => import('./providers/shared/proxy-request') };

/** Entry of one Azure DevOps task bundle (packages/<step>/src/index.ts), self-contained. */
export function main(step: Step, options: ServiceOptions = SERVICES): Promise<void> {
  return run(step, options);
}
