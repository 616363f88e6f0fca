import { STEP_LOADERS, suggest } from '@gitops-promote/core';
import { usage, VERSION } from './cli-help';
import type { ServiceOptions } from './services';
import { runInTerminal } from './terminal';

export { parseFlags } from './terminal';

/** `gitops-promote <step> --input value …`; returns the process exit code. Loads only the step it runs. */
export async function runCli(argv: string[], services: ServiceOptions = {}): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`${await usage()}\n`);
    return name ? 0 : 2;
  }
  if (name === '--version' || name === '-V' || name === 'version') {
    process.stdout.write(`gitops-promote ${VERSION}\n`);
    return 0;
  }
  // `board` is promotion-board printed for people: the table on stdout instead of name=value outputs.
  const asTable = name === 'board';
  const key = asTable ? 'promotion-board' : name;
  const load = Object.hasOwn(STEP_LOADERS, key) ? STEP_LOADERS[key] : undefined;
  if (!load) {
    const guess = name.startsWith('-')
      ? suggest(name, ['--help', '--version'])
      : suggest(name, [...Object.keys(STEP_LOADERS), 'board']);
    const hint = guess ? `; did you mean ${guess}?` : '';
    process.stderr.write(
      `gitops-promote: unknown step or option ${JSON.stringify(name)}${hint}\n\n${await usage()}\n`,
    );
    return 2;
  }
  return runInTerminal(await load(), rest, { asTable, services });
}
