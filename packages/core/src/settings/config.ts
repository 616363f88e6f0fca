import { loadConfig } from '../config/load';
import type { Config } from '../config/model';
import type { Inputs } from '../inputs';

/** The configuration a step works with: the file its `config` input names, else the one found in the workspace. */
export function stepConfig(inputs: Inputs, workspace: string): Config {
  return loadConfig(workspace, inputs.string('config') || undefined);
}
