import { Inputs } from '../inputs';
import type { Outputs, Services, Step, StepRuntime } from '../runtime';
import { checkPreviousEnv } from './check-previous-env';
import { determineEnvironment } from './determine-environment';
import { readTerraformRunSettings, TERRAFORM_RUN_INPUTS, terraformRun } from './terraform-run';

/**
 * The whole infrastructure flow in one step (root action.yml / task.json), made of the four steps:
 * determine-environment → check-previous-env when a deploy tag applies → terraform-run → a plan of the
 * next environment when an apply is followed by one.
 */
export const PIPELINE_OUTPUTS = [
  'environment',
  'operation',
  'previous-environment',
  'next-environment',
  'plan-next',
  'reason',
  'gate',
  'has-changes',
  'to-add',
  'to-change',
  'to-destroy',
  'to-replace',
  'fingerprint',
  'outputs',
  'next-has-changes',
  'next-fingerprint',
  'next-parity',
] as const;
export type PipelineOutput = (typeof PIPELINE_OUTPUTS)[number];

export const pipeline: Step<PipelineOutput> = {
  name: 'pipeline',
  description: 'the whole infrastructure flow: decide, gate, plan or apply, then plan the next environment',
  inputs: [
    'ref',
    'event',
    'base-ref',
    ...TERRAFORM_RUN_INPUTS.filter((i) => i !== 'environment' && i !== 'operation'),
    'timeout',
    'interval',
  ],
  outputs: PIPELINE_OUTPUTS,
  async run(rt: StepRuntime, services: Services, out: Outputs<PipelineOutput> = {}) {
    const decided = await determineEnvironment.run(withInputs(rt, {}), services);
    // The gate's own inputs, whether or not this run reaches the gate (its config-based rules it checks itself).
    const inputs = new Inputs(rt);
    inputs.durationMs('timeout', 0);
    inputs.durationMs('interval', 0);
    const env = decided.environment ?? '';
    const operation = decided.operation ?? 'none';
    for (const name of [
      'environment',
      'operation',
      'previous-environment',
      'next-environment',
      'plan-next',
      'reason',
    ] as const)
      out[name] = decided[name] ?? '';
    if (operation === 'none') return out;
    if (operation === 'drift') {
      // One job has one checkout, and drift plans each environment at its own deployed commit.
      rt.info(
        'a scheduled run looks for drift per environment: run determine-environment, then terraform-run with operation: drift for each entry of its matrix, checked out at the entry ref',
      );
      return out;
    }

    // Every input is checked before anything waits (the gate) or runs (Terraform): both runs' settings.
    const runs: Record<string, string>[] = [{ environment: env, operation }];
    if (decided['plan-next'] === 'true')
      runs.push({ environment: decided['next-environment'] ?? '', operation: 'plan' });
    for (const fixed of runs) readTerraformRunSettings(withInputs(rt, fixed));

    if (operation === 'apply' && decided.trigger === 'tag') {
      const gate = await rt.group(`gate: ${decided['previous-environment']} must report success`, () =>
        checkPreviousEnv.run(withInputs(rt, { environment: env, sha: decided.sha ?? '' }), services),
      );
      out.gate = gate.state ?? '';
    }

    const main = await terraformRun.run(withInputs(rt, { environment: env, operation }), services);
    for (const name of [
      'has-changes',
      'to-add',
      'to-change',
      'to-destroy',
      'to-replace',
      'fingerprint',
      'outputs',
    ] as const)
      out[name] = main[name] ?? '';

    if (decided['plan-next'] === 'true') {
      const next = decided['next-environment'] ?? '';
      const planned = await terraformRun.run(
        withInputs(rt, { environment: next, operation: 'plan' }),
        services,
      );
      out['next-has-changes'] = planned['has-changes'] ?? '';
      out['next-fingerprint'] = planned.fingerprint ?? '';
      out['next-parity'] = planned.parity ?? '';
    }

    return out;
  },
};

/**
 * The runtime of one part: some inputs fixed, the rest passed through. Its outputs are what the part
 * returns; a failure stops the flow.
 */
function withInputs(rt: StepRuntime, fixed: Record<string, string>): StepRuntime {
  return {
    platform: rt.platform,
    context: rt.context,
    input: (name) => (name in fixed ? (fixed[name] ?? '') : rt.input(name)),
    setSecret: (value) => rt.setSecret(value),
    debug: (message) => rt.debug(message),
    info: (message) => rt.info(message),
    warning: (message, annotation) => rt.warning(message, annotation),
    error: (message, annotation) => rt.error(message, annotation),
    group: (title, fn) => rt.group(title, fn),
    summary: (markdown, section) => rt.summary(markdown, section),
    warnResult: (message) => rt.warnResult(message),
  };
}
