import type { Step } from '../runtime';
import { checkPreviousEnv } from './check-previous-env';
import { determineEnvironment } from './determine-environment';
import { pipeline } from './pipeline';
import { promoteTag } from './promote-tag';
import { promotionBoard } from './promotion-board';
import { renderManifests } from './render-manifests';
import { terraformRun } from './terraform-run';

/** Every step, by the name users type (`npx gitops-promote <name>`). */
export const STEPS: Record<string, Step> = Object.fromEntries(
  [
    determineEnvironment,
    terraformRun,
    checkPreviousEnv,
    promoteTag,
    pipeline,
    renderManifests,
    promotionBoard,
  ].map((s) => [s.name, s]),
);
