import { type Board, runStep, type Step, textTable } from '@gitops-promote/core';
import { closest } from 'fastest-levenshtein';
import { TerminalRuntime } from './runtimes/terminal';
import { createServices } from './services';

/** Parses `--name value` / `--name=value` against the step's declared inputs. */
export function parseFlags(step: Step, args: string[]): { values: Record<string, string>; json: boolean } {
  const values: Record<string, string> = {};
  let json = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--json') {
      json = true;
      continue;
    }
    const m = /^--([a-z0-9-]+)(?:=([\s\S]*))?$/.exec(arg);
    if (!m)
      // Its value is not shown: a stray value is often a token given without --token.
      throw new Error(
        `unexpected argument ${i + 1} (${arg.length} characters, not shown: it may be a secret); inputs are given as --<input> <value>`,
      );
    const name = m[1]!;
    if (!step.inputs.includes(name)) {
      const guess = closest(name, [...step.inputs]);
      throw new Error(
        `${step.name} has no input --${name}; did you mean --${guess}? Inputs: ${step.inputs.map((n) => `--${n}`).join(', ')}`,
      );
    }
    let value = m[2];
    if (value === undefined) {
      value = args[++i];
      if (value === undefined) throw new Error(`--${name} needs a value`);
    }
    values[name] = value;
  }
  return { values, json };
}

/** Runs one step with `--input value …` flags; returns the process exit code. */
export async function runInTerminal(
  step: Step,
  args: string[],
  o: { asTable?: boolean } = {},
): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(
      `gitops-promote ${step.name}: ${step.description}\ninputs: ${step.inputs.map((n) => `--${n}`).join(' ')}\n`,
    );
    return 0;
  }
  let parsed: ReturnType<typeof parseFlags>;
  try {
    parsed = parseFlags(step, args);
  } catch (e) {
    process.stderr.write(`gitops-promote ${step.name}: ${(e as Error).message}\n`);
    return 2;
  }
  const rt = new TerminalRuntime(parsed.values, undefined, undefined, undefined, process.env, !o.asTable);
  await runStep(step, rt, createServices(rt));
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
