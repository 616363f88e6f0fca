import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { GitopsError, InputError } from '../errors';
import { Hosting } from '../hosting';
import { summarySection } from '../markdown';
import { fileDiff } from '../render/diff';
import { GitRemoteStore, maskCredentials } from '../render/git-store';
import {
  countsText,
  type EnvironmentChanges,
  type EnvironmentRender,
  planChanges,
  publish,
} from '../render/publish';
import { SecretRedactor } from '../render/redact';
import { Renderer, type RendererKind } from '../render/renderer';
import {
  commentMarker,
  type EnvironmentReport,
  folderText,
  renderComment,
  renderSummary,
} from '../render/report';
import { type Job, type RenderSettings, readRenderSettings } from '../render/settings';
import { splitManifests } from '../render/split';
import { type ManifestStore, ProviderStore } from '../render/store';
import type { Outputs, Services, Step, StepRuntime } from '../runtime';

export const RENDER_MANIFESTS_INPUTS = [
  'environment',
  'renderer',
  'source',
  'command',
  'target-repository',
  'target-branch',
  'target-path',
  'mode',
  'config',
  'token',
  'provider',
] as const;

export const RENDER_MANIFESTS_OUTPUTS = ['changed', 'commit', 'files', 'diff-file'] as const;
export type RenderManifestsOutput = (typeof RENDER_MANIFESTS_OUTPUTS)[number];

export const renderManifests: Step<RenderManifestsOutput> = {
  name: 'render-manifests',
  description:
    'render kustomize, helm or any command per environment and commit the result to the manifest repository when it changed',
  inputs: RENDER_MANIFESTS_INPUTS,
  outputs: RENDER_MANIFESTS_OUTPUTS,
  async run(rt: StepRuntime, services: Services, out: Outputs<RenderManifestsOutput> = {}) {
    // Every input is checked before anything runs or is read from the manifest repository.
    const s = readRenderSettings(rt);
    if (s.token) rt.setSecret(s.token);
    const sourceSha = rt.context.sha ?? '';
    if (s.jobs.length === 0) {
      rt.info(`nothing to render: ${s.nothingReason}`);
      writeOutputs(out, { changed: false, commits: [], files: 0, diffFile: '' });
      await rt.summary(renderSummary(s.mode, [], sourceSha), summarySection('render-manifests'));
      return out;
    }

    // The provider is made now, so a missing token or a wrong provider input stops the step before any render.
    const hosting = new Hosting(rt, services, 'diff');
    const pr = rt.context.pullRequestNumber;
    if (s.target.kind === 'same') await hosting.provider();
    else if (s.mode === 'verify' && pr !== undefined)
      await hosting.provider().catch((e: unknown) => {
        // Only for the comment: a service that cannot be reached is a warning when commenting.
        if (e instanceof InputError) throw e;
      });

    // Render everything first: a renderer that fails leaves the manifest repository as it was.
    const renders = await renderAll(rt, s);
    const store = await openStore(rt, s, hosting);
    let written: { reports: EnvironmentReport[]; commits: string[] };
    try {
      written = await writeBranches(rt, s, store, renders, sourceSha);
    } finally {
      await store.dispose();
    }
    const { reports, commits } = written;

    // Reports in the order the environments were given.
    reports.sort(
      (a, b) =>
        s.jobs.findIndex((j) => j.environment.name === a.environment) -
        s.jobs.findIndex((j) => j.environment.name === b.environment),
    );
    const diffDir = mkdtempSync(
      join(rt.context.scratchDir ?? rt.context.tempDir ?? tmpdir(), 'gitops-promote-render-'),
    );
    const diffFile = join(diffDir, 'render-manifests.diff');
    writeFileSync(diffFile, reports.map((r) => r.diff).join(''));
    const files = reports.reduce((n, r) => n + r.deltas.length, 0);
    for (const r of reports)
      rt.info(
        `${r.environment}: ${r.deltas.length ? `${countsText(r.deltas)} in ${folderText(r.path)}` : 'no change'}${s.mode === 'verify' ? ' (verify: nothing pushed)' : ''}`,
      );
    writeOutputs(out, {
      changed: s.mode === 'publish' ? commits.length > 0 : files > 0,
      commits,
      files,
      diffFile,
    });

    if (s.mode === 'verify' && pr !== undefined)
      for (const r of reports)
        await hosting.comment(pr, commentMarker(r.environment), renderComment(r, sourceSha));
    await rt.summary(
      renderSummary(s.mode, reports, sourceSha),
      summarySection('render-manifests', s.jobs.map((j) => j.environment.name).join(', ')),
    );

    return out;
  },
};

type Render = EnvironmentRender & { job: Job; display: string };

/** Renders every job and splits its output into files; a render that fails or yields nothing stops the step. */
async function renderAll(rt: StepRuntime, s: RenderSettings): Promise<Render[]> {
  const renderer = new Renderer(rt);
  const renders: Render[] = [];
  for (const job of s.jobs) {
    const rendered = await renderer.render({
      renderer: s.renderer,
      environment: job.environment.name,
      source: job.source,
      command: job.command,
      workspace: job.cwd,
    });
    let files: ReturnType<typeof splitManifests>;
    try {
      files = splitManifests(rendered.output);
    } catch (e) {
      throw new GitopsError(`${job.environment.name}: ${rendered.display}: ${(e as Error).message}`);
    }
    if (files.length === 0)
      throw new GitopsError(
        `${rendered.display} rendered no Kubernetes object for ${job.environment.name}; refusing to empty ${folderText(job.path)} (delete the folder yourself if that is what you want)`,
      );
    rt.info(`${job.environment.name}: ${files.length} objects → ${folderText(job.path)} on ${job.branch}`);
    renders.push({
      environment: job.environment.name,
      path: job.path,
      files,
      job,
      display: rendered.display,
    });
  }

  return renders;
}

/**
 * Per target branch: publish (one commit of every environment on it) or, in verify, compare with what is
 * there. The reports come in the order of the branches.
 */
async function writeBranches(
  rt: StepRuntime,
  s: RenderSettings,
  store: ManifestStore,
  renders: Render[],
  sourceSha: string,
): Promise<{ reports: EnvironmentReport[]; commits: string[] }> {
  const redactor = new SecretRedactor();
  const reports: EnvironmentReport[] = [];
  const commits: string[] = [];
  for (const branch of [...new Set(renders.map((r) => r.job.branch))]) {
    const group = renders.filter((r) => r.job.branch === branch);
    let changes: EnvironmentChanges[];
    let commit: string | undefined;
    let newBranch = false;
    if (s.mode === 'publish') {
      const message = commitMessage(rt, group, sourceSha, s.renderer);
      const done = await publish(rt, store, branch, group, message);
      changes = done.changes;
      commit = done.commit;
      newBranch = done.base === undefined;
      if (commit) {
        commits.push(commit);
        rt.info(
          `committed ${commit.slice(0, 12)} to ${branch} of ${store.display}: ${group.map((g, i) => `${g.environment} ${countsText(changes[i]!.deltas)}`).join(', ')}`,
        );
      } else {
        rt.info(`${branch} of ${store.display} already holds these manifests: nothing to commit`);
      }
    } else {
      const head = await store.branchSha(branch);
      newBranch = head === undefined;
      changes = await planChanges(store, head, group);
    }
    group.forEach((r, i) => {
      const deltas = changes[i]!.deltas;
      reports.push({
        environment: r.environment,
        display: r.display,
        repository: store.display,
        branch,
        path: r.path,
        objects: r.files.length,
        deltas,
        diff: deltas.map((d) => fileDiff(d.path, redactor.shown(d.before), redactor.shown(d.after))).join(''),
        ...(commit ? { commit } : {}),
        ...(newBranch ? { newBranch } : {}),
      });
    });
  }
  return { reports, commits };
}

function writeOutputs(
  out: Outputs<RenderManifestsOutput>,
  o: { changed: boolean; commits: string[]; files: number; diffFile: string },
): void {
  out.changed = String(o.changed);
  out.commit = o.commits.join(' ');
  out.files = String(o.files);
  out['diff-file'] = o.diffFile;
}

async function openStore(rt: StepRuntime, s: RenderSettings, hosting: Hosting): Promise<ManifestStore> {
  if (s.target.kind === 'remote')
    return new GitRemoteStore({
      url: s.target.url,
      display: s.target.display,
      ...(s.token && s.target.tokenOrigin ? { authHeader: rt.context.hosting?.authHeader(s.token) } : {}),
      ...(s.token && !s.target.tokenOrigin ? { tokenWithheld: true } : {}),
    });
  const provider = await hosting.provider();
  return new ProviderStore(provider, s.target.display);
}

function commitMessage(rt: StepRuntime, group: Render[], sha: string, renderer: RendererKind): string {
  const source = sourceRepository(rt);
  const at = sha ? `@${sha.slice(0, 12)}` : '';
  const lines = group.map(
    (g) => `${g.environment}: ${g.display} → ${folderText(g.path)} (${g.files.length} objects)`,
  );
  return (
    `render-manifests: ${group.map((g) => g.environment).join(', ')} from ${source}${at}\n\n` +
    `Rendered with ${renderer} by gitops-promote from ${source}${sha ? ` at commit ${sha}` : ''}.\n\n` +
    `${lines.join('\n')}\n`
  );
}

/** The source repository for commit messages: its name on the platform, else its origin URL, else its folder. */
function sourceRepository(rt: StepRuntime): string {
  if (rt.context.repository) return rt.context.repository;
  try {
    const url = execFileSync('git', ['remote', 'get-url', 'origin'], {
      cwd: rt.context.workspace,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    if (url) return maskCredentials(url);
  } catch {
    // no origin
  }
  return basename(rt.context.workspace);
}
