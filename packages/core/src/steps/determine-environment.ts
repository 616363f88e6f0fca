import type { Config } from '../config/model';
import { type Decision, determine } from '../determine';
import { driftMatrix } from '../drift';
import { Inputs } from '../inputs';
import { md, summarySection, table } from '../markdown';
import type { Outputs, Services, Step, StepRuntime } from '../runtime';
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
  'matrix-azure',
] as const;
export type DetermineEnvironmentOutput = (typeof DETERMINE_ENVIRONMENT_OUTPUTS)[number];

export const determineEnvironment: Step<DetermineEnvironmentOutput> = {
  name: 'determine-environment',
  description: 'decide which environment this run acts on, and whether to plan or apply',
  inputs: ['ref', 'event', 'base-ref', 'sha', 'config', 'token'],
  outputs: DETERMINE_ENVIRONMENT_OUTPUTS,
  async run(rt: StepRuntime, services, out: Outputs<DetermineEnvironmentOutput> = {}) {
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
    if (decision.operation === 'drift') await deployedCommits(decision, services, config);
    Object.assign(out, decisionOutputs(decision));
    rt.info(decision.reason);
    await rt.summary(
      summarise(decision, config.source),
      summarySection('determine-environment', decision.environment),
    );
    return out;
  },
};

/**
 * A drift decision names every environment; the provider says where each runs now (deploy tags and their
 * statuses), and one that was never applied is left out, said in the reason.
 */
async function deployedCommits(decision: Decision, services: Services, config: Config): Promise<void> {
  const { include, leftOut } = await driftMatrix(await services.provider(), config);
  decision.matrix = { include };
  const at = include.map((m) => `${m.environment} at ${m.ref!.replace(/^refs\/(heads|tags)\//, '')}`);
  const left = leftOut.map((l) => `${l.environment} (${l.why})`);
  decision.reason = [
    `Scheduled run: look for drift in every environment at its deployed commit: ${at.join(', ') || 'none'}.`,
    left.length ? ` Left out, never applied: ${left.join('; ')}.` : '',
  ].join('');
}

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
    'matrix-azure': JSON.stringify(azureMatrix(d.matrix.include)),
  };
}

/**
 * The matrix as Azure Pipelines' `strategy.matrix` takes it: named legs, each a map of string variables.
 * A leg name may hold only letters, digits and `_` and must start with a letter: `apps-prod` → `apps_prod`.
 */
export function azureMatrix(include: readonly object[]): Record<string, Record<string, string>> {
  const legs: Record<string, Record<string, string>> = {};
  for (const entry of include) {
    const vars = Object.fromEntries(Object.entries(entry).map(([k, v]) => [k, String(v)]));
    const leg = (vars.environment ?? '').replace(/[^A-Za-z0-9_]/g, '_');
    legs[/^[A-Za-z]/.test(leg) ? leg : `env_${leg}`] = vars;
  }
  return legs;
}

function summarise(d: Decision, source: string): string {
  const drift = d.operation === 'drift';
  const rows = d.matrix.include.map((m) => [
    md(m.environment),
    md(m.workspace),
    m.operation,
    ...(drift ? [md(m.ref ?? ''), `\`${(m.sha ?? '').slice(0, 12)}\``] : []),
  ]);
  const head = ['environment', 'workspace', 'operation', ...(drift ? ['deployed ref', 'commit'] : [])];
  const body = rows.length ? table(head, rows) : '_Nothing to run._';
  return `### gitops-promote: determine-environment\n\n${md(d.reason)}\n\n${body}\n\n<sub>configuration: ${md(source)}</sub>\n`;
}
