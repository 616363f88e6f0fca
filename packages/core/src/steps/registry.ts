import type { Step } from '../runtime';
import { determineEnvironment } from './determine-environment';

/** Every step, by the name users type (`npx gitops-promote <name>`). */
export const STEPS: Record<string, Step> = {
  [determineEnvironment.name]: determineEnvironment,
};
