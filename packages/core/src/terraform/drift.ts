import { exec } from '../exec';
import { gitEnv } from '../git-plumbing';
import type { Hosting } from '../hosting';
import type { Issue } from '../provider';
import type { StepRuntime } from '../runtime';
import { countsText, type PlanSummary } from './plan-summary';
import { COMMENT_LIMIT, type RunReport, renderReport } from './report';

/** The label of the one open issue per drifted environment (GitHub). */
export const DRIFT_LABEL = 'gitops-promote:drift';

export function driftStatusContext(environment: string): string {
  return `gitops-promote/${environment}/drift`;
}

/** Hidden in the issue body: finds the environment's issue among those with the label. */
export function driftIssueMarker(environment: string): string {
  return `<!-- gitops-promote:drift:${environment} -->`;
}

export function driftIssueTitle(environment: string): string {
  return `Drift in ${environment}: the infrastructure no longer matches its deployed commit`;
}

/**
 * The commit checked out: a drift run checks out the environment's deployed commit (a deploy tag), which on
 * a schedule is not the run's own commit (the head of the default branch). The run's, when git cannot say.
 */
export async function checkedOutCommit(workspace: string, ofRun?: string): Promise<string | undefined> {
  const r = await exec('git', ['rev-parse', '--verify', '--quiet', 'HEAD^{commit}'], {
    cwd: workspace,
    env: gitEnv(),
  });
  const sha = r.stdout.trim().toLowerCase();
  return r.code === 0 && /^[0-9a-f]{40}$/.test(sha) ? sha : ofRun;
}

export interface DriftFinding {
  environment: string;
  sha: string | undefined;
  drifted: boolean;
  summary: PlanSummary;
  report: RunReport;
  /** Write the status `gitops-promote/<env>/drift`. */
  status: boolean;
}

/** Says what a drift plan found: the status, the issue (GitHub), and a result with issues when drifted. */
export async function reportDrift(rt: StepRuntime, hosting: Hosting, f: DriftFinding): Promise<void> {
  const counts = countsText(f.summary.counts);
  const at = f.sha ? ` at ${f.sha.slice(0, 12)}` : '';
  if (f.status && f.sha)
    await hosting.setStatus(f.sha, {
      context: driftStatusContext(f.environment),
      state: f.drifted ? 'failure' : 'success',
      description: f.drifted ? `drift: ${counts}` : 'no drift',
    });
  await keepIssue(rt, hosting, f);
  if (f.drifted)
    rt.warnResult(
      `${f.environment} has drifted from its deployed commit${at}: the plan would change ${counts}; apply the deployed commit again, or bring the change into Git`,
    );
  else rt.info(`${f.environment}: no drift${at}`);
}

/**
 * One open issue per drifted environment: opened on the first drifted run, updated in place on the next,
 * closed with a comment once a run finds no drift. GitHub only; elsewhere a note. Never fails the step.
 */
async function keepIssue(rt: StepRuntime, hosting: Hosting, f: DriftFinding): Promise<void> {
  const provider = await hosting.optionalProvider();
  if (!provider) return;
  if (provider.kind !== 'github') {
    rt.info(
      `drift of ${f.environment} is reported by the status ${driftStatusContext(f.environment)}, the summary and the result (issues are kept on GitHub only)`,
    );
    return;
  }
  const marker = driftIssueMarker(f.environment);
  try {
    const open = (await provider.findOpenIssues(DRIFT_LABEL)).find((i: Issue) => i.body.includes(marker));
    if (f.drifted) {
      const body = issueBody(f, marker);
      const title = driftIssueTitle(f.environment);
      if (open) await provider.updateIssue(open.number, { title, body });
      else await provider.createIssue({ title, body, labels: [DRIFT_LABEL] });
      return;
    }
    if (!open) return;
    await provider.commentOnIssue(
      open.number,
      `The drift run${f.sha ? ` at ${f.sha.slice(0, 12)}` : ''} found no drift in ${f.environment}: closing.`,
    );
    await provider.updateIssue(open.number, { state: 'closed' });
  } catch (e) {
    rt.warning(
      `could not keep the drift issue of ${f.environment}: ${(e as Error).message} (GitHub: \`permissions: { issues: write }\`)`,
    );
  }
}

function issueBody(f: DriftFinding, marker: string): string {
  const intro = [
    `The scheduled drift run planned **${f.environment}** at its deployed commit${f.sha ? ` \`${f.sha}\`` : ''} and Terraform would change \`${countsText(f.summary.counts)}\`: something changed outside Git.`,
    'Apply the deployed commit again to undo it, or bring the change into Git and promote it. This issue is updated by each drift run and closed by the first one that finds no drift.',
  ].join('\n\n');
  const report = renderReport(f.report, { maxLength: COMMENT_LIMIT - intro.length - 200 });
  return `${marker}\n${intro}\n\n${report}`;
}
