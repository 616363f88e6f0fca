import { STEP_LOADERS, type Step } from '@gitops-promote/core';
import { closest } from 'fastest-levenshtein';
import { runInTerminal } from './terminal';

export { parseFlags } from './terminal';

/** The usage text; it loads every step for its description, which only help needs. */
async function usage(): Promise<string> {
  const steps: Step[] = await Promise.all(Object.values(STEP_LOADERS).map((load) => load()));
  return `usage: gitops-promote <step> [--<input> <value> …] [--json]

steps:
${steps.map((s) => `  ${s.name.padEnd(22)} ${s.description}`).join('\n')}

Each --<input> is the step's input as in action.yml (e.g. --ref refs/tags/apps-deploy-1).
Outputs are printed as name=value lines; --json prints them as one JSON object.`;
}

/** `gitops-promote <step> --input value …`; returns the process exit code. Loads only the step it runs. */
export async function runCli(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`${await usage()}\n`);
    return name ? 0 : 2;
  }
  // `board` is promotion-board printed for people: the table on stdout instead of name=value outputs.
  const asTable = name === 'board';
  const key = asTable ? 'promotion-board' : name;
  const load = Object.hasOwn(STEP_LOADERS, key) ? STEP_LOADERS[key] : undefined;
  if (!load) {
    process.stderr.write(
      `gitops-promote: unknown step ${JSON.stringify(name)}; did you mean ${closest(name, Object.keys(STEP_LOADERS))}?\n\n${await usage()}\n`,
    );
    return 2;
  }
  return runInTerminal(await load(), rest, { asTable });
}
