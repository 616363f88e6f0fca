import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { Config, Environment } from '../config/model';
import { eventKind } from '../determine';
import { GitopsError, InputError } from '../errors';
import { Hosting } from '../hosting';
import { Inputs } from '../inputs';
import { insideRepository } from '../paths';
import { refNameProblem } from '../refs';
import { fileDiff } from '../render/diff';
import { authHeaderFor, GitRemoteStore, maskCredentials } from '../render/git-store';
import {
  countsText,
  type EnvironmentChanges,
  type EnvironmentRender,
  planChanges,
  publish,
} from '../render/publish';
import { SecretRedactor } from '../render/redact';
import { RENDERERS, Renderer, type RendererKind } from '../render/renderer';
import {
  commentMarker,
  type EnvironmentReport,
  folderText,
  renderComment,
  renderSummary,
} from '../render/report';
import { splitManifests } from '../render/split';
import { type ManifestStore, ProviderStore } from '../render/store';
import { resolveTarget, type TargetRepository } from '../render/target';
import type { Runtime, Services, Step } from '../runtime';
import { stepConfig } from '../settings/config';
import { renderEnvironments } from '../settings/environment';
import { splitArgs } from '../terraform/args';

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

export const renderManifests: Step = {
  name: 'render-manifests',
  description:
    'render kustomize, helm or any command per environment and commit the result to the manifest repository when it changed',
  inputs: RENDER_MANIFESTS_INPUTS,
  async run(rt: Runtime, services: Services) {
    // Every input is checked before anything runs or is read from the manifest repository.
    const s = readSettings(rt);
    if (s.token) rt.setSecret(s.token);
    const sourceSha = rt.context.sha ?? '';
    if (s.jobs.length === 0) {
      rt.info(`nothing to render: ${s.nothingReason}`);
      writeOutputs(rt, { changed: false, commits: [], files: 0, diffFile: '' });
      await rt.summary(renderSummary(s.mode, [], sourceSha));
      return;
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
    const renderer = new Renderer(rt);
    const renders: (EnvironmentRender & { job: Job; display: string })[] = [];
    for (const job of s.jobs) {
      const out = await renderer.render({
        renderer: s.renderer,
        environment: job.environment.name,
        source: job.source,
        command: job.command,
        workspace: job.cwd,
      });
      let files: ReturnType<typeof splitManifests>;
      try {
        files = splitManifests(out.output);
      } catch (e) {
        throw new GitopsError(`${job.environment.name}: ${out.display}: ${(e as Error).message}`);
      }
      if (files.length === 0)
        throw new GitopsError(
          `${out.display} rendered no Kubernetes object for ${job.environment.name}; refusing to empty ${folderText(job.path)} (delete the folder yourself if that is what you want)`,
        );
      rt.info(`${job.environment.name}: ${files.length} objects → ${folderText(job.path)} on ${job.branch}`);
      renders.push({ environment: job.environment.name, path: job.path, files, job, display: out.display });
    }

    const store = await openStore(rt, s, hosting);
    const redactor = new SecretRedactor();
    const reports: EnvironmentReport[] = [];
    const commits: string[] = [];
    try {
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
            diff: deltas
              .map((d) => fileDiff(d.path, redactor.shown(d.before), redactor.shown(d.after)))
              .join(''),
            ...(commit ? { commit } : {}),
            ...(newBranch ? { newBranch } : {}),
          });
        });
      }
    } finally {
      await store.dispose();
    }

    // Reports in the order the environments were given.
    reports.sort(
      (a, b) =>
        s.jobs.findIndex((j) => j.environment.name === a.environment) -
        s.jobs.findIndex((j) => j.environment.name === b.environment),
    );
    const diffDir = mkdtempSync(join(tmpdir(), 'gitops-promote-render-'));
    const diffFile = join(diffDir, 'render-manifests.diff');
    writeFileSync(diffFile, reports.map((r) => r.diff).join(''));
    const files = reports.reduce((n, r) => n + r.deltas.length, 0);
    for (const r of reports)
      rt.info(
        `${r.environment}: ${r.deltas.length ? `${countsText(r.deltas)} in ${folderText(r.path)}` : 'no change'}${s.mode === 'verify' ? ' (verify: nothing pushed)' : ''}`,
      );
    writeOutputs(rt, {
      changed: s.mode === 'publish' ? commits.length > 0 : files > 0,
      commits,
      files,
      diffFile,
    });

    if (s.mode === 'verify' && pr !== undefined)
      for (const r of reports)
        await hosting.comment(pr, commentMarker(r.environment), renderComment(r, sourceSha));
    await rt.summary(renderSummary(s.mode, reports, sourceSha));
  },
};

function writeOutputs(
  rt: Runtime,
  o: { changed: boolean; commits: string[]; files: number; diffFile: string },
): void {
  rt.setOutput('changed', String(o.changed));
  rt.setOutput('commit', o.commits.join(' '));
  rt.setOutput('files', String(o.files));
  rt.setOutput('diff-file', o.diffFile);
}

interface Job {
  environment: Environment;
  /** `source` with `{env}` filled in. */
  source: string;
  /** Renderer `command`: the arguments, `{env}` filled in. */
  command: string[];
  /** Where the renderer runs. */
  cwd: string;
  branch: string;
  /** Folder in the target repository, normalised ('' is the root). */
  path: string;
}

interface Settings {
  config: Config;
  renderer: RendererKind;
  mode: 'publish' | 'verify';
  target: TargetRepository;
  token: string;
  jobs: Job[];
  /** Why there is nothing to render (no environment for this run). */
  nothingReason: string;
}

const PLACEHOLDER = /\{([^}]*)\}/g;

function checkTemplate(input: string, value: string): void {
  for (const m of value.matchAll(PLACEHOLDER))
    if (m[1] !== 'env')
      throw new InputError(input, value, `{${m[1]}} is no placeholder; the only one is {env}`);
}

const fill = (template: string, env: string) => template.replace(/\{env\}/g, env);

function readSettings(rt: Runtime): Settings {
  const inputs = new Inputs(rt);
  const root = rt.context.workspace;
  const config = stepConfig(inputs, root);
  const renderer = inputs.choice('renderer', RENDERERS, 'kustomize');
  const pullRequest = isPullRequest(rt);
  const mode = inputs.choice('mode', ['publish', 'verify'] as const, pullRequest ? 'verify' : 'publish');

  const sourceTemplate = inputs.string('source');
  checkTemplate('source', sourceTemplate);
  const commandText = inputs.string('command');
  let commandTemplate: string[] = [];
  if (renderer === 'command') {
    if (!commandText)
      throw new InputError(
        'command',
        '',
        'renderer: command needs the command line that prints the manifests',
      );
    commandTemplate = splitArgs(commandText, 'command');
    if (commandTemplate.length === 0)
      throw new InputError('command', commandText, 'give the command line that prints the manifests');
    checkTemplate('command', commandText);
  } else {
    if (commandText)
      throw new InputError(
        'command',
        commandText,
        `command is for renderer: command; with renderer: ${renderer} give source instead`,
      );
    if (!sourceTemplate)
      throw new InputError(
        'source',
        '',
        renderer === 'kustomize'
          ? 'renderer: kustomize needs the kustomization directory of each environment, e.g. overlays/{env}'
          : 'renderer: helm needs the chart directory, e.g. charts/app (values-{env}.yaml in it is used when present)',
      );
  }

  const branchTemplate = inputs.string('target-branch');
  checkTemplate('target-branch', branchTemplate);
  const pathTemplate = inputs.string('target-path', '{env}');
  checkTemplate('target-path', pathTemplate);
  inputs.choice('provider', ['auto', 'github', 'azure', 'git'] as const, 'auto');
  const token = inputs.string('token');
  const target = resolveTarget(inputs.string('target-repository'), {
    platform: rt.platform,
    repository: rt.context.repository,
    workspace: root,
    env: process.env,
  });

  const { environments, reason } = renderEnvironments(config, inputs, rt.context);
  const jobs = environments.map((environment): Job => {
    const env = environment.name;
    const source = fill(sourceTemplate, env);
    const branch = branchTemplate
      ? fill(branchTemplate, env)
      : 'branch' in environment.on
        ? environment.on.branch
        : config.mainBranch;
    const problem = refNameProblem(branch);
    if (problem) throw new InputError('target-branch', branchTemplate || branch, `${branch}: ${problem}`);
    let cwd = root;
    if (renderer === 'command') {
      if (source)
        cwd = checkDirectory(
          'source',
          sourceTemplate,
          source,
          root,
          `the directory the command runs in for ${env}`,
        );
    } else if (!/^[a-z][a-z0-9+.-]*:\/\/|^git@/i.test(source)) {
      const dir = checkDirectory(
        'source',
        sourceTemplate,
        source,
        root,
        `the ${renderer === 'helm' ? 'chart' : 'kustomization'} directory of ${env}`,
      );
      const values = join(dir, `values-${env}.yaml`);
      // helm reads the environment's values file too: it may not lead out of the repository either.
      if (renderer === 'helm' && existsSync(values))
        insideRepository('source', values, {
          root,
          shown: sourceTemplate,
          valid: `values-${env}.yaml in the chart must be a file of the repository`,
        });
      if (renderer === 'helm' && !existsSync(join(dir, 'Chart.yaml')))
        throw new InputError(
          'source',
          sourceTemplate,
          `${dir} has no Chart.yaml: give the directory of a Helm chart`,
        );
      if (
        renderer === 'kustomize' &&
        !['kustomization.yaml', 'kustomization.yml', 'Kustomization'].some((f) => existsSync(join(dir, f)))
      )
        throw new InputError(
          'source',
          sourceTemplate,
          `${dir} has no kustomization.yaml: give the kustomization directory of ${env}`,
        );
    }
    return {
      environment,
      source,
      command: commandTemplate.map((a) => fill(a, env)),
      cwd,
      branch,
      path: folderPath(pathTemplate, env),
    };
  });
  const seen = new Map<string, string>();
  for (const j of jobs) {
    const key = `${j.branch}\0${j.path}`;
    const other = seen.get(key);
    if (other)
      throw new InputError(
        'target-path',
        pathTemplate,
        `${other} and ${j.environment.name} would both be written to ${folderText(j.path)} on ${j.branch}; put {env} in target-path or target-branch`,
      );
    seen.set(key, j.environment.name);
  }
  return { config, renderer, mode, target, token, jobs, nothingReason: reason };
}

/** A directory of the repository: after `..` and symbolic links still inside it, and there. */
function checkDirectory(input: string, template: string, value: string, root: string, what: string): string {
  const dir = insideRepository(input, value, {
    root,
    shown: template,
    valid: `give ${what}, inside the repository`,
  });
  if (!existsSync(dir) || !statSync(dir).isDirectory())
    throw new InputError(input, template, `${value} is not a directory under ${root}; give ${what}`);
  return dir;
}

/** `target-path` with `{env}` filled in, as a folder inside the repository ('' is its root). */
function folderPath(template: string, env: string): string {
  const value = fill(template, env);
  const parts = value.split('/').filter((p) => p !== '' && p !== '.');
  if (
    value.startsWith('/') ||
    value.includes('\\') ||
    /[\0\n\r]/.test(value) ||
    parts.some((p) => p === '..' || p.toLowerCase() === '.git')
  )
    throw new InputError(
      'target-path',
      template,
      'give a folder inside the repository, relative to its root, without "..", "\\" or .git (e.g. {env} or clusters/{env})',
    );
  return parts.join('/');
}

function isPullRequest(rt: Runtime): boolean {
  if (rt.context.pullRequestNumber !== undefined) return true;
  if (rt.context.ref && /^refs\/pull\//.test(rt.context.ref)) return true;
  try {
    return rt.context.event ? eventKind(rt.context.event) === 'pull-request' : false;
  } catch {
    return false;
  }
}

async function openStore(rt: Runtime, s: Settings, hosting: Hosting): Promise<ManifestStore> {
  if (s.target.kind === 'remote')
    return new GitRemoteStore({
      url: s.target.url,
      display: s.target.display,
      ...(s.token && s.target.tokenOrigin ? { authHeader: authHeaderFor(rt.platform, s.token) } : {}),
      ...(s.token && !s.target.tokenOrigin ? { tokenWithheld: true } : {}),
    });
  const provider = await hosting.provider();
  return new ProviderStore(provider, s.target.display);
}

function commitMessage(
  rt: Runtime,
  group: (EnvironmentRender & { display: string; job: Job })[],
  sha: string,
  renderer: RendererKind,
): string {
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
function sourceRepository(rt: Runtime): string {
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
