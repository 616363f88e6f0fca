import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { STEPS } from '@gitops-promote/core';
import { GitRemoteProvider } from '@gitops-promote/platform/providers/git';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { STEP_INPUTS_FILE, stepInputs } from '../scripts/step-inputs.mjs';
import { bundlePath, ROOT, runCliProcess } from './support/bundle';
import { gitFixture, tempDir } from './support/git';

/** `gitops-promote` as a user types it: the terminal bundle, its own process. */
const CONFIG =
  'environments:\n  - name: ops\n    on: { branch: main }\n  - name: apps\n    on: { tag: apps-deploy-* }\n';
const cli = (args: string[], o: { cwd?: string; env?: Record<string, string>; tty?: boolean } = {}) =>
  runCliProcess(args, { cwd: o.cwd ?? tempDir(), ...o });

interface ActionInput {
  description: string;
  required?: boolean | string;
  default?: string;
}
const actionInputs = (step: string): Record<string, ActionInput> =>
  parse(readFileSync(join(ROOT, ...(step === 'pipeline' ? [] : ['packages', step]), 'action.yml'), 'utf8'))
    .inputs;

describe('help and version', () => {
  it('--version and -V print the package version', async () => {
    const { version } = JSON.parse(readFileSync(join(ROOT, 'packages', 'cli', 'package.json'), 'utf8'));
    for (const flag of ['--version', '-V']) {
      const r = await cli([flag]);
      expect(r.code).toBe(0);
      expect(r.stdout).toBe(`gitops-promote ${version}\n`);
    }
  });

  it('--help lists every step, pipeline included, each with its one-line description', async () => {
    const r = await cli(['--help']);
    expect(r.code).toBe(0);
    for (const step of Object.values(STEPS))
      expect(r.stdout).toContain(`  ${step.name.padEnd(22)} ${step.description}`);
    expect(r.stdout).toContain('pipeline');
  });

  it.each(Object.keys(STEPS))(
    '%s --help: each input with the description, default and required mark of action.yml',
    async (name) => {
      const r = await cli([name, '--help']);
      expect(r.code).toBe(0);
      const help = r.stdout.replace(/\n {3,}/g, ' ');
      for (const [input, doc] of Object.entries(actionInputs(name))) {
        const line = help.split('\n').find((l) => l.startsWith(`  --${input} `));
        expect(line, input).toBeDefined();
        expect(line!.replace(/\s+/g, ' '), input).toContain(doc.description.replace(/\s+/g, ' ').trim());
        if (doc.default !== undefined && !String(doc.default).includes('${{'))
          expect(line, input).toContain(`default: ${doc.default}`);
        expect(line!.includes('required'), input).toBe(doc.required === true || doc.required === 'true');
      }
    },
  );

  it('the help embedded in the bundle is the steps’ action.yml (one source of truth)', () => {
    expect(JSON.parse(readFileSync(STEP_INPUTS_FILE, 'utf8'))).toEqual(stepInputs());
    for (const step of Object.values(STEPS))
      expect(Object.keys(stepInputs().steps[step.name] ?? {}).sort()).toEqual([...step.inputs].sort());
  });
});

describe('suggestions', () => {
  it.each([
    [['determine-environment', '--baseRef', 'main'], 'did you mean --base-ref?'],
    [['determine-environment', '--refs', 'refs/heads/main'], 'did you mean --ref?'],
    [['promot-tag'], 'did you mean promote-tag?'],
    [['--verison'], 'did you mean --version?'],
  ])('%j → %s, exit 2, nothing run', async (args, hint) => {
    const r = await cli(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(hint);
    expect(r.stdout).toBe('');
  });

  it('a misspelt value gets the choice it was meant to be (core Inputs.choice)', async () => {
    const fx = gitFixture({ 'gitops-promote.yaml': CONFIG });
    const r = await cli(['render-manifests', '--renderer', 'kustomise'], { cwd: fx.work });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      'input renderer: "kustomise" is not valid; did you mean kustomize? use one of kustomize, helm, command',
    );
  });
});

describe('the summary', () => {
  const decide = ['determine-environment', '--ref', 'refs/tags/apps-deploy-1'];

  it('on a terminal: plain text, the table aligned, no Markdown escapes, the reason once', async () => {
    const fx = gitFixture({ 'gitops-promote.yaml': CONFIG });
    const r = await cli(decide, { cwd: fx.work, tty: true });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(
      'environment  workspace  operation\n-----------  ---------  ---------\napps         apps       apply\n',
    );
    expect(r.stdout).toContain('gitops-promote: determine-environment');
    expect(r.stdout).toContain('configuration: gitops-promote.yaml');
    expect(r.stdout).not.toMatch(/\\[*#(_-]|###|\| ---|<sub>/);
    expect(r.stdout.match(/matches apps-deploy-\*, the deploy tag/g)).toHaveLength(2); // the log line and the reason output
  });

  it('not on a terminal: outputs alone on stdout, the summary as Markdown on stderr', async () => {
    const fx = gitFixture({ 'gitops-promote.yaml': CONFIG });
    const r = await cli(decide, { cwd: fx.work });
    expect(r.code).toBe(0);
    for (const line of r.stdout.trimEnd().split('\n')) expect(line).toMatch(/^[a-z-]+=/);
    expect(r.stderr).toContain('### gitops-promote: determine-environment');
    expect(r.stderr).toContain('| apps | apps | apply |');
    expect(r.stderr).toContain('apps-deploy-\\*');
  });

  it('FORCE_TTY=1 gives the terminal layout without a terminal; GITOPS_PROMOTE_SUMMARY=off none', async () => {
    const fx = gitFixture({ 'gitops-promote.yaml': CONFIG });
    const forced = await cli(decide, { cwd: fx.work, env: { FORCE_TTY: '1' } });
    expect(forced.stderr).toContain('environment  workspace  operation');
    const off = await cli(decide, { cwd: fx.work, env: { GITOPS_PROMOTE_SUMMARY: 'off' } });
    expect(off.stderr).not.toContain('gitops-promote: determine-environment');
  });
});

describe('temp folders', () => {
  const TF = 'resource "terraform_data" "cluster" {\n  input = terraform.workspace\n}\n';

  it.each([
    ['a plan', TF],
    ['a failed run', 'resource "terraform_data" "cluster" {\n'],
  ])('%s leaves no gitops-promote-* folder in the system temp dir', async (_, tf) => {
    const fx = gitFixture({
      'gitops-promote.yaml': `${CONFIG}terraform: { working-directory: infra }\n`,
      'infra/main.tf': tf,
    });
    const tmp = join(tempDir(), 'tmp');
    mkdirSync(tmp);
    const r = await cli(
      ['terraform-run', '--environment', 'ops', '--operation', 'plan', '--comment', 'off'],
      {
        cwd: fx.work,
        env: { TMPDIR: tmp, TF_IN_AUTOMATION: '1' },
      },
    );
    expect(r.code, r.stderr).toBe(tf === TF ? 0 : 1);
    if (tf === TF) expect(r.stdout).toMatch(/^plan-file=/m);
    expect(readdirSync(tmp).filter((f) => f.startsWith('gitops-promote'))).toEqual([]);
  });
});

describe('a gate that waits', () => {
  it('says what it waits for and the time left, in one duration format, until the result comes', async () => {
    const fx = gitFixture({ 'gitops-promote.yaml': CONFIG });
    const main = fx.git('rev-parse', 'HEAD');
    fx.git('push', '-q', 'origin', 'main');
    const statuses = new GitRemoteProvider({ cwd: fx.work });
    await statuses.setStatus(main, {
      context: 'gitops-promote/ops',
      state: 'pending',
      description: 'applying',
    });
    const args = [
      '--environment',
      'apps',
      '--sha',
      main,
      '--provider',
      'git',
      '--timeout',
      '5m',
      '--interval',
      '1s',
    ];
    const child = spawn(process.execPath, [bundlePath('cli'), 'check-previous-env', ...args], {
      cwd: fx.work,
      env: { ...process.env, GITOPS_PROMOTE_SUMMARY: 'off' },
    });
    let stderr = '';
    const said = new Promise<void>((resolve) =>
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
        if (stderr.includes('next look in')) resolve();
      }),
    );
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    await said;
    // The previous environment reports: the next look ends the wait.
    await statuses.setStatus(main, {
      context: 'gitops-promote/ops',
      state: 'success',
      description: 'applied',
    });
    expect(await exited, stderr).toBe(0);
    const waiting = stderr.split('\n').find((l) => l.startsWith('waiting for'));
    expect(waiting).toMatch(
      new RegExp(
        `^waiting for ops on ${main.slice(0, 12)}: gitops-promote/ops is pending \\(contexts [^)]+\\), (5m|4m [0-9]{1,2}s) left; next look in 1s$`,
      ),
    );
    // One format: never a count of seconds above a minute (`880s`).
    expect(stderr).not.toMatch(/\b([6-9][0-9]|[0-9]{3,})s\b/);
  });
});

describe('README "From a terminal"', () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## From a terminal'), readme.indexOf('## Development'));

  it('names every step (pipeline included, and board), --help, --version and the local XKS story', () => {
    for (const name of [...Object.keys(STEPS), 'board']) expect(section).toContain(`gitops-promote ${name}`);
    expect(section).toContain('gitops-promote --help');
    expect(section).toContain('gitops-promote --version');
    expect(section).toContain('--merge');
    expect(section).toContain('FORCE_TTY');
  });
});
