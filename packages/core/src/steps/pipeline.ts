import { Inputs } from '../inputs';
import type { Runtime, Services, Step } from '../runtime';
import { checkPreviousEnv } from './check-previous-env';
import { determineEnvironment } from './determine-environment';
import { readTerraformRunSettings, TERRAFORM_RUN_INPUTS, terraformRun } from './terraform-run';

/**
 * The whole infrastructure flow in one step (root action.yml / task.json), made of the four steps:
 * determine-environment → check-previous-env when a deploy tag applies → terraform-run → a plan of the
 * next environment when an apply is followed by one.
 */
export const pipeline: Step = {
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
  async run(rt: Runtime, services: Services) {
    const decided = await runPart(rt, services, determineEnvironment, {});
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
    ])
      rt.setOutput(name, decided[name] ?? '');
    if (operation === 'none') return;

    // Every input is checked before anything waits (the gate) or runs (Terraform): both runs' settings.
    const runs: Record<string, string>[] = [{ environment: env, operation }];
    if (decided['plan-next'] === 'true')
      runs.push({ environment: decided['next-environment'] ?? '', operation: 'plan' });
    for (const fixed of runs) readTerraformRunSettings(partRuntime(rt, fixed, {}));

    if (operation === 'apply' && decided.trigger === 'tag') {
      const gate = await rt.group(`gate: ${decided['previous-environment']} must report success`, () =>
        runPart(rt, services, checkPreviousEnv, { environment: env, sha: decided.sha ?? '' }),
      );
      rt.setOutput('gate', gate.state ?? '');
    }

    const main = await runPart(rt, services, terraformRun, { environment: env, operation });
    for (const name of [
      'has-changes',
      'to-add',
      'to-change',
      'to-destroy',
      'to-replace',
      'fingerprint',
      'outputs',
    ])
      rt.setOutput(name, main[name] ?? '');

    if (decided['plan-next'] === 'true') {
      const next = decided['next-environment'] ?? '';
      const planned = await runPart(rt, services, terraformRun, { environment: next, operation: 'plan' });
      rt.setOutput('next-has-changes', planned['has-changes'] ?? '');
      rt.setOutput('next-fingerprint', planned.fingerprint ?? '');
    }
  },
};

/** Runs one step with some inputs fixed, keeping its outputs to itself; a failure stops the flow. */
async function runPart(
  rt: Runtime,
  services: Services,
  step: Step,
  fixed: Record<string, string>,
): Promise<Record<string, string>> {
  const outputs: Record<string, string> = {};
  await step.run(partRuntime(rt, fixed, outputs), services);
  return outputs;
}

/** The runtime of one part: some inputs fixed, outputs kept in `outputs`, the rest passed through. */
function partRuntime(rt: Runtime, fixed: Record<string, string>, outputs: Record<string, string>): Runtime {
  return {
    platform: rt.platform,
    context: rt.context,
    input: (name) => (name in fixed ? (fixed[name] ?? '') : rt.input(name)),
    setOutput: (name, value) => {
      outputs[name] = value;
    },
    setSecret: (value) => rt.setSecret(value),
    debug: (message) => rt.debug(message),
    info: (message) => rt.info(message),
    warning: (message, annotation) => rt.warning(message, annotation),
    error: (message, annotation) => rt.error(message, annotation),
    group: (title, fn) => rt.group(title, fn),
    summary: (markdown) => rt.summary(markdown),
    fail: (message) => rt.fail(message),
  };
}
