import { type Decision, determine } from '../determine';
import { Inputs } from '../inputs';
import { md, table } from '../markdown';
import type { Outputs, Step, StepRuntime } from '../runtime';
import { fullSha } from '../settings/commit';
import { stepConfig } from '../settings/config';

export const DETERMINE_ENVIRONMENT_OUTPUTS = [
  'environment',
  'workspace',
  'operation',
  'previous-environment',
  'next-environment',
  'plan-next',
  'trigger',
  'sha',
  'reason',
  'matrix',
] as const;
export type DetermineEnvironmentOutput = (typeof DETERMINE_ENVIRONMENT_OUTPUTS)[number];

export const determineEnvironment: Step<DetermineEnvironmentOutput> = {
  name: 'determine-environment',
  description: 'decide which environment this run acts on, and whether to plan or apply',
  inputs: ['ref', 'event', 'base-ref', 'sha', 'config', 'token'],
  outputs: DETERMINE_ENVIRONMENT_OUTPUTS,
  async run(rt: StepRuntime, _services, out: Outputs<DetermineEnvironmentOutput> = {}) {
    const inputs = new Inputs(rt);
    const ctx = rt.context;
    const config = stepConfig(inputs, ctx.workspace);
    const ref = inputs.string('ref', ctx.ref ?? '');
    const event = inputs.string('event', ctx.event ?? 'push');
    const baseRef = inputs.string('base-ref', ctx.baseRef ?? '');
    // Statuses of a pull request belong on its head commit, not on the merge commit CI checked out.
    const sha = commitSha(inputs.string('sha'), (ctx.headSha || ctx.sha) ?? '');
    const decision = determine(config, {
      ref,
      event,
      baseRef,
      sha,
      deleted: ctx.deleted && !inputs.string('ref'),
    });
    Object.assign(out, decisionOutputs(decision));
    rt.info(decision.reason);
    await rt.summary(summarise(decision, config.source));
    return out;
  },
};

/** The commit statuses belong on: a full 40-hex SHA (given, or the run's own), or '' when the run has none. */
function commitSha(given: string, ofRun: string): string {
  const sha = given || ofRun;
  if (sha === '') return sha;
  const valid = `give the full 40-character hexadecimal commit SHA${given ? '' : " (this value is the run's own commit, as the platform reported it)"}`;
  return fullSha(sha, valid, true).toLowerCase();
}

export function decisionOutputs(d: Decision): Required<Outputs<DetermineEnvironmentOutput>> {
  return {
    environment: d.environment,
    workspace: d.workspace,
    operation: d.operation,
    'previous-environment': d.previousEnvironment,
    'next-environment': d.nextEnvironment,
    'plan-next': String(d.planNext),
    trigger: d.trigger,
    sha: d.sha,
    reason: d.reason,
    matrix: JSON.stringify(d.matrix),
  };
}

function summarise(d: Decision, source: string): string {
  const rows = d.matrix.include.map((m) => [md(m.environment), md(m.workspace), m.operation]);
  const body = rows.length ? table(['environment', 'workspace', 'operation'], rows) : '_Nothing to run._';
  return `### gitops-promote: determine-environment\n\n${md(d.reason)}\n\n${body}\n\n<sub>configuration: ${md(source)}</sub>\n`;
}
