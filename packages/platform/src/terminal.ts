import {
  type Board,
  GitopsError,
  runStep,
  type Services,
  type Step,
  suggest,
  textTable,
} from '@gitops-promote/core';
import { stepHelp } from './cli-help';
import type { GitRemoteProvider } from './providers/git';
import { TerminalRuntime } from './runtimes/terminal';
import { createServices, type ServiceOptions } from './services';

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

/** Runs one step with `--input value …` flags; returns the process exit code. */
export async function runInTerminal(
  step: Step,
  args: string[],
  o: { asTable?: boolean; services?: ServiceOptions } = {},
): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(`${stepHelp(step)}\n`);
    return 0;
  }
  let parsed: ReturnType<typeof parseFlags>;
  try {
    parsed = parseFlags(step, args);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`gitops-promote ${step.name}: ${e.message}\n`);
    return 2;
  }
  const rt = new TerminalRuntime(parsed.values, undefined, undefined, undefined, process.env, !o.asTable);
  const services = createServices(rt, process.env, o.services);
  try {
    await runStep(step, rt, services);
    if (parsed.merge && !rt.failed) await mergeProposal(rt, services);
  } finally {
    await rt.cleanUp();
  }
  if (rt.failed) return 1;
  if (o.asTable) printBoard(rt, parsed.json);
  else rt.printOutputs(parsed.json);
  return 0;
}

/** `gitops-promote board`: the table, or with --json the board itself. */
function printBoard(rt: TerminalRuntime, json: boolean): void {
  const board = JSON.parse(rt.outputs.board ?? '{}') as Board;
  process.stdout.write(`${rt.mask(json ? JSON.stringify(board, null, 2) : textTable(board))}\n`);
  process.stderr.write(`page: ${rt.outputs['html-file']}\n`);
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
