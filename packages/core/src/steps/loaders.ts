import type { Step } from '../runtime';

/**
 * Every step by the name users type, each loaded on demand: a bundle that runs one step compiles only that
 * step's modules (each import is a chunk of its own). One line per step; `STEPS` (registry) is the eager map.
 */
export const STEP_LOADERS: Record<string, () => Promise<Step>> = {
  'determine-environment': async () => (await import('./determine-environment')).determineEnvironment,
  'terraform-run': async () => (await import('./terraform-run')).terraformRun,
  'check-previous-env': async () => (await import('./check-previous-env')).checkPreviousEnv,
  'promote-tag': async () => (await import('./promote-tag')).promoteTag,
  pipeline: async () => (await import('./pipeline')).pipeline,
  'render-manifests': async () => (await import('./render-manifests')).renderManifests,
  'promotion-board': async () => (await import('./promotion-board')).promotionBoard,
};
