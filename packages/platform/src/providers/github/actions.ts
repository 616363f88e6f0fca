// Starting a workflow by workflow_dispatch: what lets a tag made with the workflow's own token deploy.
import { ProviderError } from '@gitops-promote/core';
import { type GitHubClient, PERMISSION } from './client';

/**
 * `POST /actions/workflows/{file}/dispatches` with `{ref}` (GitHub answers 204 No Content). A 404 (no such
 * workflow file) and a 422 (the workflow has no `on: workflow_dispatch`) name the file and the fix.
 */
export async function dispatchWorkflow(gh: GitHubClient, workflow: string, ref: string): Promise<boolean> {
  const call = `POST ${gh.base}/actions/workflows/${encodeURIComponent(workflow)}/dispatches`;
  const fix = `it needs \`on: workflow_dispatch\` (and \`push: tags\`) to deploy from the tag; set dispatch-workflow to the deploy workflow's file name`;
  try {
    await gh.call(
      'POST',
      call.slice(5),
      PERMISSION.writeActions,
      { ref },
      {
        notFound: `there is no workflow .github/workflows/${workflow} on ${ref} in ${gh.owner}/${gh.name}: ${fix}`,
      },
    );
    return true;
  } catch (e) {
    if (!(e instanceof ProviderError) || e.status !== 422) throw e;
    throw new ProviderError(
      call,
      422,
      gh.redact(
        `workflow ${workflow} cannot be started by workflow_dispatch on ${ref} (${e.message}): ${fix}`,
      ),
    );
  }
}
