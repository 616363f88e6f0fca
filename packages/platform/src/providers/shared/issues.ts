import { UnsupportedError } from '@gitops-promote/core';

/** Issues are GitHub's; the other providers say so (drift is reported by status, summary and result there). */
export function noIssues(method: string, provider: 'git' | 'azure'): UnsupportedError {
  return new UnsupportedError(
    `${method}: issues need the github provider; the ${provider} provider reports through statuses, the summary and the run's result`,
  );
}
