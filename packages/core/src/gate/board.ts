import type { Config } from '../config/model';
import { md, table } from '../markdown';
import type { CommitStatus } from '../provider';
import { environmentResult } from './commit';

/** check-previous-env's summary: the commit's result in every environment, the target marked. */
export function board(
  config: Config,
  statuses: CommitStatus[],
  sha: string,
  patterns: string[],
  target: string,
): string {
  const rows = config.environments.map((e) => {
    const r = environmentResult(statuses, e, patterns);
    const detail = r.statuses.map((s) => `${md(s.context)}: ${s.state}`).join('<br>') || '—';
    return [e.name === target ? `**${md(e.name)}** ←` : md(e.name), r.state, detail];
  });
  return `### gitops-promote: check-previous-env\n\nCommit \`${sha.slice(0, 12)}\` in each environment:\n\n${table(['environment', 'state', 'statuses'], rows)}\n`;
}
