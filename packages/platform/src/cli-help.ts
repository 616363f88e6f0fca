// What the terminal says about itself: the steps, each step's inputs (from action.yml, embedded at build
// time: scripts/step-inputs.mjs), the version.
import { STEP_LOADERS, type Step } from '@gitops-promote/core';
import metadata from './step-inputs.json' with { type: 'json' };

export interface InputDoc {
  description: string;
  required: boolean;
  default?: string;
}

const DOCS = metadata.steps as Record<string, Record<string, InputDoc>>;
export const VERSION: string = metadata.version;
const WIDTH = 100;

/** The usage text. It loads every step for its description, which only help needs. */
export async function usage(): Promise<string> {
  const steps: Step[] = await Promise.all(Object.values(STEP_LOADERS).map((load) => load()));
  return `usage: gitops-promote <step> [--<input> <value> …] [--json]
       gitops-promote <step> --help
       gitops-promote --version

steps:
${steps.map((s) => `  ${s.name.padEnd(22)} ${s.description}`).join('\n')}
  ${'board'.padEnd(22)} promotion-board as a table on stdout (--json: the board itself)

Each --<input> is the step's input as in action.yml (e.g. --ref refs/tags/apps-deploy-1).
Outputs are printed on stdout as name=value lines; --json prints them as one JSON object.
Logs and the summary go to stderr. FORCE_TTY=1 (or 0) overrides whether stderr is a terminal.`;
}

/** The documentation of one input of a step, or undefined when action.yml does not describe it. */
export function inputDoc(step: string, input: string): InputDoc | undefined {
  return DOCS[step]?.[input];
}

/** `gitops-promote <step> --help`: each input with its description, default and whether it is required. */
export function stepHelp(step: Step): string {
  const width = Math.max(...step.inputs.map((n) => n.length)) + 4;
  const lines = [
    `gitops-promote ${step.name}: ${step.description}`,
    '',
    `usage: gitops-promote ${step.name} [--<input> <value> …] [--json]`,
    '',
    'inputs:',
  ];
  for (const name of step.inputs) {
    const doc = inputDoc(step.name, name);
    const notes = [doc?.required ? 'required' : '', doc?.default ? `default: ${doc.default}` : '']
      .filter(Boolean)
      .join('; ');
    const text = `${doc?.description ?? ''}${notes ? ` (${notes})` : ''}`;
    const [first = '', ...rest] = wrap(text, WIDTH - width - 2);
    lines.push(`  ${`--${name}`.padEnd(width)}${first}`);
    for (const line of rest) lines.push(`  ${' '.repeat(width)}${line}`);
  }
  lines.push('', `${'  --json'.padEnd(width + 2)}print the outputs as one JSON object`);
  if (step.name === 'promote-tag')
    lines.push(
      `${'  --merge'.padEnd(width + 2)}provider git: merge the pull request the run opened (as a host's merge button would)`,
    );
  return lines.join('\n');
}

/** Words laid out on lines of at most `width` characters (a longer word gets a line of its own). */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
}
