import { GitopsError, runStep, type Services, STEPS, type Step, suggest } from '@gitops-promote/core';
import { stepHelp, USAGE, VERSION } from './cli-help';
import type { GitRemoteProvider } from './providers/git';
import { TerminalRuntime } from './runtimes/terminal';
import { createServices } from './services';

/** A command-line mistake: said on stderr with exit code 2, before anything runs. */
class UsageError extends Error {}

/** Parses `--name value` / `--name=value` against the step's declared inputs. */
export function parseFlags(
  step: Step,
  args: string[],
): { values: Record<string, string>; json: boolean; merge: boolean } {
  const values: Record<string, string> = {};
  let json = false;
  let merge = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--json') {
      json = true;
      continue;
    }
    if (arg === '--merge' && step.name === 'promote-tag') {
      merge = true;
      continue;
    }
    const m = /^--?([A-Za-z0-9_.-]+)(?:=([\s\S]*))?$/.exec(arg);
    if (!m)
      // Its value is not shown: a stray value is often a token given without --token.
      throw new UsageError(
        `unexpected argument ${i + 1} (${arg.length} characters, not shown: it may be a secret); inputs are given as --<input> <value>`,
      );
    const name = m[1]!;
    if (!arg.startsWith('--') || !step.inputs.includes(name)) throw unknownFlag(step, arg.split('=')[0]!);
    let value = m[2];
    if (value === undefined) {
      value = args[++i];
      if (value === undefined) throw new UsageError(`--${name} needs a value`);
    }
    values[name] = value;
  }
  return { values, json, merge };
}

function unknownFlag(step: Step, flag: string): UsageError {
  const flags = [...step.inputs, 'json', ...(step.name === 'promote-tag' ? ['merge'] : [])];
  const guess = suggest(flag.replace(/^-+/, ''), flags);
  return new UsageError(
    `${step.name} has no input ${flag}${guess ? `; did you mean --${guess}?` : ''} (gitops-promote ${step.name} --help lists its inputs)`,
  );
}

/** `gitops-promote <step> --input value …`; returns the process exit code. */
export async function runCli(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return name ? 0 : 2;
  }
  if (name === '--version' || name === '-V' || name === 'version') {
    process.stdout.write(`gitops-promote ${VERSION}\n`);
    return 0;
  }
  const step = STEPS[name];
  if (!step) {
    const guess = name.startsWith('-')
      ? suggest(name, ['--help', '--version'])
      : suggest(name, Object.keys(STEPS));
    const hint = guess ? `; did you mean ${guess}?` : '';
    process.stderr.write(
      `gitops-promote: unknown step or option ${JSON.stringify(name)}${hint}\n\n${USAGE}\n`,
    );
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(`${stepHelp(step)}\n`);
    return 0;
  }
  let parsed: ReturnType<typeof parseFlags>;
  try {
    parsed = parseFlags(step, rest);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`gitops-promote ${step.name}: ${e.message}\n`);
    return 2;
  }
  const rt = new TerminalRuntime(parsed.values);
  const services = createServices(rt);
  try {
    await runStep(step, rt, services);
    if (parsed.merge && !rt.failed) await mergeProposal(rt, services);
  } finally {
    await rt.cleanUp();
  }
  if (rt.failed) return 1;
  rt.printOutputs(parsed.json);
  return 0;
}

/**
 * `promote-tag … --merge`: on a plain Git remote nobody presses a merge button, so the terminal merges the
 * pull request the step opened (a `git merge` and push does the same; the next `promote` run notices either).
 */
async function mergeProposal(rt: TerminalRuntime, services: Services): Promise<void> {
  const number = Number(rt.outputs['pull-request-number'] || 0);
  if (!number) return rt.info('--merge: no pull request was opened or updated, nothing to merge');
  try {
    const provider = await services.provider();
    if (provider.kind !== 'git')
      throw new GitopsError(
        `--merge merges on a plain Git remote (provider git); on ${provider.kind} the host merges`,
      );
    const sha = await (provider as GitRemoteProvider).mergePullRequest(number);
    rt.setOutput('merge-commit', sha);
    rt.info(`merged pull request #${number} (${rt.outputs.branch}): ${sha.slice(0, 12)}`);
  } catch (e) {
    rt.fail(`promote-tag --merge: ${(e as Error).message}`);
  }
}
