export interface StepInputsMetadata {
  version: string;
  steps: Record<string, Record<string, { description: string; required: boolean; default?: string }>>;
}
export const STEP_INPUTS_FILE: string;
export function stepInputs(): StepInputsMetadata;
