import type { Config } from '../config/model';
import { GitopsError, InputError } from '../errors';
import { refuseFrozenPromotion } from '../gate/outputs';
import { Inputs } from '../inputs';
import { md, summarySection, table } from '../markdown';
import { branchStrategyProblem, promoteBranch } from '../promotion/branch';
import { dispatchDeploy, dispatchSettings, requireWorkflow } from '../promotion/dispatch';
import { imageDigestProblem, imageTagProblem } from '../promotion/manifest';
import { nameProblem } from '../promotion/metadata';
import { type PromotionOutcome, promoteMergedImage, promoteNewImage } from '../promotion/pull-request';
import { givenTag, promoteWithTag } from '../promotion/tag';
import type { Outputs, Services, Step, StepRuntime } from '../runtime';
import { fullSha } from '../settings/commit';
import { stepConfig } from '../settings/config';
import { environmentInput, promotionTarget } from '../settings/environment';

export type Strategy = 'git-tag' | 'pull-request' | 'branch';

export const PROMOTE_TAG_OUTPUTS = [
  'environment',
  'sha',
  'tag',
  'created',
  'pull-request-number',
  'pull-request-url',
  'branch',
  'auto-merge',
  'dispatched',
] as const;
export type PromoteTagOutput = (typeof PROMOTE_TAG_OUTPUTS)[number];

export const promoteTag: Step<PromoteTagOutput> = {
  name: 'promote-tag',
  description:
    'move a change to the next environment: a deploy tag, a promotion pull request, or a branch merge',
  inputs: [
    'strategy',
    'environment',
    'from-environment',
    'sha',
    'tag',
    'require-previous',
    'command',
    'group',
    'app',
    'image-tag',
    'config',
    'token',
    'provider',
    'workflow-token',
    'image-digest',
    'dispatch',
    'dispatch-workflow',
  ],
  outputs: PROMOTE_TAG_OUTPUTS,
  async run(rt: StepRuntime, services: Services, out: Outputs<PromoteTagOutput> = {}) {
    const inputs = new Inputs(rt);
    const config = stepConfig(inputs, rt.context.workspace);
    const strategies = ['git-tag', 'pull-request', 'branch'] as const;
    let strategy: Strategy;
    if (inputs.string('strategy')) strategy = inputs.choice('strategy', strategies, 'git-tag');
    else if (inputs.string('command')) strategy = 'pull-request';
    else strategy = 'tag' in promotionTarget(config, inputs, rt.context).on ? 'git-tag' : 'branch';
    if (strategy === 'pull-request') return promoteImage({ rt, out, services, config, inputs });
    if (strategy === 'branch') return promoteEnvironmentBranch({ rt, out, services, config, inputs });

    return promoteDeployTag({ rt, out, services, config, inputs });
  },
};

/** Inputs of the pull-request strategy alone. */
const PULL_REQUEST_INPUTS = ['command', 'group', 'app', 'image-tag', 'image-digest'];
/** Inputs of the git-tag strategy alone (starting the deploy workflow). */
const DISPATCH_INPUTS = ['dispatch', 'dispatch-workflow'];

/** What a strategy works with: the step's runtime, its outputs, its services, configuration and inputs. */
interface StrategyRun {
  rt: StepRuntime;
  out: Outputs<PromoteTagOutput>;
  services: Services;
  config: Config;
  inputs: Inputs;
}

/** Git-tag strategy (Kubestack): the deploy tag, then (GitHub, the workflow's own token) its deploy started. */
async function promoteDeployTag({
  rt,
  out,
  services,
  config,
  inputs,
}: StrategyRun): Promise<Outputs<PromoteTagOutput>> {
  const target = promotionTarget(config, inputs, rt.context);
  const requirePrevious = inputs.boolean('require-previous', true);
  const sha = fullSha(inputs.string('sha', rt.context.sha ?? ''));
  refuseInputs(inputs, PULL_REQUEST_INPUTS, 'the pull-request strategy');
  const tagName = givenTag(inputs.string('tag'), target, config);

  const token = inputs.string('token');
  if (token) rt.setSecret(token);
  const ownToken = !!token && !!rt.context.hosting?.isWorkflowToken(token, inputs.string('workflow-token'));
  const dispatch = dispatchSettings(inputs, rt.context.hosting, ownToken);
  if (ownToken && dispatch.mode === 'off')
    rt.warning(
      `the tag is created with the workflow's own GITHUB_TOKEN, so it will not start the ${target.name} deploy workflow, and dispatch is off. Leave dispatch at auto (permission actions: write) to start the deploy by workflow_dispatch, or pass a GitHub App token or a fine-grained PAT with contents:write as token.`,
    );
  refuseFrozenPromotion(config, target.name);

  const provider = await services.provider();
  requireWorkflow(dispatch, provider);
  const result = await promoteWithTag(rt, provider, config, target, sha, tagName, requirePrevious);
  out.environment = target.name;
  out.sha = sha;
  out.tag = result.tag.name;
  out.created = String(result.created);
  for (const o of ['pull-request-number', 'pull-request-url', 'branch'] as const) out[o] = '';
  out['auto-merge'] = 'false';
  out.dispatched = 'false';
  rt.info(
    result.created
      ? `created tag ${result.tag.name} on ${sha.slice(0, 12)}: ${target.name} deploys from it`
      : `tag ${result.tag.name} already promotes ${sha.slice(0, 12)} to ${target.name}: no new tag`,
  );
  const tag = { name: result.tag.name, created: result.created };
  const dispatched = await dispatchDeploy(rt, provider, config, target, sha, tag, dispatch);
  out.dispatched = String(dispatched);
  await rt.summary(
    tagSummary(target.name, sha, tag, dispatched ? dispatch.workflow : ''),
    summarySection('promote-tag', target.name),
  );
  return out;
}

function tagSummary(
  env: string,
  sha: string,
  tag: { name: string; created: boolean },
  workflow: string,
): string {
  const row = [md(env), `\`${sha.slice(0, 12)}\``, `\`${md(tag.name)}\``, String(tag.created)];
  row.push(workflow ? `true (${md(workflow)})` : 'false');
  const header = ['environment', 'commit', 'tag', 'created', 'dispatched'];
  return `### gitops-promote: promote-tag\n\n${table(header, [row])}\n`;
}

/** Inputs that belong to another strategy: given here they would be silently ignored, so they are refused. */
function refuseInputs(inputs: Inputs, names: string[], owner: string): void {
  for (const name of names) {
    const value = inputs.string(name);
    if (value) throw new InputError(name, value, `it belongs to ${owner}; leave it out here`);
  }
}

/** Pull-request strategy (XKS): `new` proposes an image tag for the first environment, `promote` for the next. */
async function promoteImage({
  rt,
  out,
  services,
  config,
  inputs,
}: StrategyRun): Promise<Outputs<PromoteTagOutput>> {
  const command = inputs.choice('command', ['new', 'promote'] as const, 'new');
  if (!inputs.string('command'))
    throw new InputError(
      'command',
      '',
      'the pull-request strategy needs command: new (a new image tag enters the first environment) or promote (on the push that merged a promotion pull request)',
    );
  const envName = inputs.string('environment');
  if (envName) environmentInput(config, 'environment', envName);
  refuseInputs(inputs, ['from-environment'], 'the git-tag and branch strategies');
  refuseInputs(inputs, DISPATCH_INPUTS, 'the git-tag strategy');
  const deployTag = inputs.string('tag');
  if (deployTag)
    throw new InputError(
      'tag',
      deployTag,
      'tag names the deploy tag of the git-tag strategy; give the image tag as image-tag',
    );
  inputs.boolean('require-previous', true);
  let request: { group: string; app: string; tag: string; digest?: string } | undefined;
  let sha = '';
  if (command === 'new') {
    const first = config.environments[0]!;
    if (envName && envName !== first.name)
      throw new InputError(
        'environment',
        envName,
        `command new always starts at the first environment, ${first.name}; leave environment out`,
      );
    const group = inputs.required('group');
    const groupProblem = nameProblem(group);
    if (groupProblem) throw new InputError('group', group, groupProblem);
    const app = inputs.required('app');
    const appProblem = nameProblem(app);
    if (appProblem) throw new InputError('app', app, appProblem);
    const tag = inputs.required('image-tag');
    const tagProblem = imageTagProblem(tag);
    if (tagProblem) throw new InputError('image-tag', tag, tagProblem);
    const digest = inputs.string('image-digest');
    const digestProblem = digest ? imageDigestProblem(digest) : undefined;
    if (digestProblem) throw new InputError('image-digest', digest, digestProblem);
    refuseInputs(inputs, ['sha'], 'command promote (new starts from the head of the main branch)');
    request = { group, app, tag, ...(digest ? { digest } : {}) };
  } else {
    refuseInputs(
      inputs,
      ['group', 'app', 'image-tag', 'image-digest'],
      'command new (promote reads them from the merged pull request)',
    );
    sha = fullSha(
      inputs.string('sha', rt.context.sha ?? ''),
      'give the full 40-character sha of the merge commit to promote from',
    );
  }

  warnWorkflowToken(rt, inputs);
  const provider = await services.provider();
  const ctx = { rt, provider, config, workspace: rt.context.workspace };
  const outcome = request
    ? await promoteNewImage(ctx, request)
    : await promoteMergedImage(ctx, sha, envName || undefined);
  return report(rt, out, 'pull-request', outcome);
}

/** Branch strategy (Fabrikate): the pull request from the previous environment's branch into the target's. */
async function promoteEnvironmentBranch({
  rt,
  out,
  services,
  config,
  inputs,
}: StrategyRun): Promise<Outputs<PromoteTagOutput>> {
  const target = promotionTarget(config, inputs, rt.context);
  const problem = branchStrategyProblem(config, target);
  if (problem) throw new InputError('strategy', 'branch', problem);
  refuseInputs(inputs, PULL_REQUEST_INPUTS, 'the pull-request strategy');
  refuseInputs(inputs, ['tag', ...DISPATCH_INPUTS], 'the git-tag strategy');
  inputs.boolean('require-previous', true);
  const sha = inputs.string('sha');
  if (sha)
    throw new InputError(
      'sha',
      sha,
      `the branch strategy proposes the whole ${config.environments[target.index - 1]!.name} branch; leave sha out`,
    );
  warnWorkflowToken(rt, inputs);
  refuseFrozenPromotion(config, target.name);
  const provider = await services.provider();
  return report(rt, out, 'branch', await promoteBranch(provider, config, target));
}

function warnWorkflowToken(rt: StepRuntime, inputs: Inputs): void {
  const token = inputs.string('token');
  if (token) rt.setSecret(token);
  if (token && rt.context.hosting?.isWorkflowToken(token, inputs.string('workflow-token')))
    rt.warning(
      "the pull request is opened with the workflow's own GITHUB_TOKEN, so GitHub starts no workflow for it: its checks (check-previous-env) will not run, auto-merge will wait forever, and its merge will not start the next promotion. Pass a GitHub App token or a fine-grained PAT with contents:write and pull-requests:write as token.",
    );
}

async function report(
  rt: StepRuntime,
  out: Outputs<PromoteTagOutput>,
  strategy: 'pull-request' | 'branch',
  o: PromotionOutcome,
): Promise<Outputs<PromoteTagOutput>> {
  out.environment = o.environment;
  out.sha = o.sha;
  out.tag = o.tag;
  out.created = String(o.created);
  out['pull-request-number'] = o.pullRequest ? String(o.pullRequest.number) : '';
  out['pull-request-url'] = o.pullRequest?.url ?? '';
  out.branch = o.branch;
  out['auto-merge'] = String(o.autoMerge);
  out.dispatched = 'false';
  rt.info(o.message);
  const what = strategy === 'pull-request' && o.app ? `${o.group}/${o.app}` : '';
  const rows = [
    [
      md(o.environment || '—'),
      what ? md(what) : '—',
      o.tag ? `\`${md(o.tag)}\`` : '—',
      o.pullRequest ? `[#${o.pullRequest.number}](${o.pullRequest.url})` : '—',
      String(o.created),
      String(o.autoMerge),
    ],
  ];
  const changes = o.changes
    .flatMap((c) =>
      c.values.map(
        (v) => `- \`${md(c.path)}\` line ${v.line}: \`${md(v.before || '(none)')}\` → \`${md(v.after)}\``,
      ),
    )
    .slice(0, 50);
  await rt.summary(
    `### gitops-promote: promote-tag (${strategy})\n\n${table(
      ['environment', 'app', 'tag', 'pull request', 'created', 'auto-merge'],
      rows,
    )}\n\n${md(o.message)}\n${changes.length ? `\n${changes.join('\n')}\n` : ''}`,
    summarySection('promote-tag', o.environment),
  );
  if (o.autoMergeError)
    throw new GitopsError(
      `pull request #${o.pullRequest?.number} is open, but auto-merge could not be enabled for ${o.environment} (auto: true), so the promotion would stop there: ${o.autoMergeError}`,
    );
  return out;
}
