import { existsSync, statSync } from 'node:fs';
import type { Environment, ParityMode } from '../config/model';
import { parseDuration } from '../duration';
import { InputError } from '../errors';
import { Inputs } from '../inputs';
import { insideRepository, type PathRules } from '../paths';
import type { Runtime } from '../runtime';
import { stepConfig } from '../settings/config';
import { environmentInput } from '../settings/environment';
import { splitArgs } from './args';
import { terraformDuration } from './runner';

export interface TerraformRunSettings {
  environment: Environment;
  /** `drift`: plan only, at the deployed commit checked out, never apply (terraform/drift.ts). */
  operation: 'plan' | 'apply' | 'drift';
  /** Absolute. */
  workingDirectory: string;
  binary: string;
  backendConfig: string[];
  varFiles: string[];
  initArgs: string[];
  /** As Terraform's -lock-timeout wants it: `300s`. */
  lockTimeout: string;
  comment: 'on-change' | 'always' | 'off';
  summary: boolean;
  status: boolean;
  requireReviewedPlan: 'off' | 'warn' | 'error';
  /** Environment parity: compare a later environment's plan with the previous environment's record. */
  parity: ParityMode;
  parityIgnore: string[];
  /** The environments around this one in promotion order: who is compared with, who compares with us. */
  previousEnvironment?: string;
  nextEnvironment?: string;
}

/**
 * Reads and checks every input of terraform-run, with no side effect: the recipe calls it for each run it
 * will make before anything waits or runs.
 */
export function readTerraformRunSettings(rt: Pick<Runtime, 'input' | 'context'>): TerraformRunSettings {
  const inputs = new Inputs(rt);
  const root = rt.context.workspace;
  const config = stepConfig(inputs, root);
  const environment = environmentInput(config, 'environment', inputs.required('environment'), 'defines');
  const operation = inputs.choice('operation', ['plan', 'apply', 'drift'] as const, 'plan');
  const comment = inputs.choice('comment', ['on-change', 'always', 'off'] as const, 'on-change');
  const requireReviewedPlan = inputs.choice(
    'require-reviewed-plan',
    ['off', 'warn', 'error'] as const,
    'error',
  );
  const parity = inputs.choice('parity', ['off', 'warn', 'error'] as const, config.parity.mode);
  const summary = inputs.boolean('summary', true);
  const status = inputs.boolean('status', true);
  const lockTimeout = terraformDuration(
    inputs.durationMs('lock-timeout', parseDuration(config.terraform.lockTimeout) ?? 300_000),
  );

  const dirInput = inputs.string('working-directory');
  const dir = dirInput || config.terraform.workingDirectory;
  const from = dirInput ? '' : ` (from terraform.working-directory in ${config.source})`;
  const workingDirectory = insideRepository('working-directory', dir, {
    root,
    valid: `give a directory inside the repository${from}`,
  });
  if (!existsSync(workingDirectory) || !statSync(workingDirectory).isDirectory())
    throw new InputError('working-directory', dir, `no such directory under ${root}${from}`);
  const binary = inputs.string('binary', config.terraform.binary);
  // Files Terraform reads may also be in the job temp folder, where pipelines write secrets.
  const files: PathRules = { root, base: workingDirectory, allowTemp: true, tempDir: rt.context.tempDir };
  const varFiles = inputs.lines('var-files');
  for (const f of varFiles)
    if (!existsSync(insideRepository('var-files', f, files)))
      throw new InputError('var-files', f, `no such file in the working directory ${workingDirectory}`);
  const backendConfig = inputs.lines('backend-config');
  // Terraform reads a -backend-config without "=" as a file, one with "=" as a key=value setting.
  for (const b of backendConfig)
    if (!b.includes('=') && !existsSync(insideRepository('backend-config', b, files)))
      throw new InputError(
        'backend-config',
        b,
        `no such file in the working directory ${workingDirectory}; give key=value or the path of a backend configuration file`,
      );
  const initArgs = splitArgs(inputs.string('init-args'));
  checkInitArgPaths(initArgs, files);
  return {
    environment,
    operation,
    workingDirectory,
    binary,
    backendConfig,
    varFiles,
    initArgs,
    lockTimeout,
    comment,
    summary,
    status,
    requireReviewedPlan,
    parity,
    parityIgnore: config.parity.ignore,
    previousEnvironment: config.environments[environment.index - 1]?.name,
    nextEnvironment: config.environments[environment.index + 1]?.name,
  };
}

/** Files named in init-args are held to the same rule as backend-config and var-files. */
function checkInitArgPaths(args: string[], rules: PathRules): void {
  args.forEach((arg, i) => {
    const m = /^--?(backend-config|var-file|plugin-dir)(?:=(.*))?$/s.exec(arg);
    if (!m) return;
    const value = m[2] ?? args[i + 1] ?? '';
    if (m[1] === 'backend-config' && value.includes('=')) return;
    if (value)
      insideRepository('init-args', value, { ...rules, shown: m[2] === undefined ? `${arg} ${value}` : arg });
  });
}
