// The GitHub Actions runner protocol, as @actions/core writes it (workflow commands on stdout, file commands
// to GITHUB_OUTPUT and GITHUB_STEP_SUMMARY). Written here because @actions/core evaluates its HTTP client
// (for OIDC, which no step uses) at import: half a step's start-up. Tested against the library's own output.
import { randomUUID } from 'node:crypto';
import { appendFileSync, existsSync } from 'node:fs';
import { access, appendFile, constants } from 'node:fs/promises';
import { EOL } from 'node:os';

/** Annotation properties, named as @actions/core's AnnotationProperties. */
export interface AnnotationProperties {
  title?: string;
  file?: string;
  startLine?: number;
  endLine?: number;
  startColumn?: number;
  endColumn?: number;
}

const escapeData = (s: string) => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
const escapeProperty = (s: string) => escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');

/** `::command key=value,…::message`; properties without a value are left out (the space stays, as in the library). */
export function command(name: string, properties: Record<string, unknown>, message: string): void {
  const props = Object.entries(properties)
    .filter(([, v]) => v)
    .map(([k, v]) => `${k}=${escapeProperty(String(v))}`);
  const head = Object.keys(properties).length ? `${name} ${props.join(',')}` : name;
  process.stdout.write(`::${head}::${escapeData(message)}${EOL}`);
}

function annotation(a: AnnotationProperties = {}): Record<string, unknown> {
  if (!Object.keys(a).length) return {};
  return {
    title: a.title,
    file: a.file,
    line: a.startLine,
    endLine: a.endLine,
    col: a.startColumn,
    endColumn: a.endColumn,
  };
}

export function getInput(name: string): string {
  return (process.env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] || '').trim();
}

/** `name<<delimiter` records in GITHUB_OUTPUT (any line of the value is safe); `::set-output` without it. */
export function setOutput(name: string, value: string): void {
  const file = process.env.GITHUB_OUTPUT || '';
  if (!file) {
    process.stdout.write(EOL);
    command('set-output', { name }, value);
    return;
  }
  const delimiter = `ghadelimiter_${randomUUID()}`;
  if (name.includes(delimiter) || value.includes(delimiter))
    throw new Error(`Unexpected input: name or value should not contain the delimiter "${delimiter}"`);
  if (!existsSync(file)) throw new Error(`Missing file at path: ${file}`);
  appendFileSync(file, `${name}<<${delimiter}${EOL}${value}${EOL}${delimiter}${EOL}`, { encoding: 'utf8' });
}

export const setSecret = (secret: string) => command('add-mask', {}, secret);
export const debug = (message: string) => command('debug', {}, message);
export const info = (message: string) => process.stdout.write(message + EOL);
export const warning = (message: string, a?: AnnotationProperties) =>
  command('warning', annotation(a), message);
export const error = (message: string, a?: AnnotationProperties) => command('error', annotation(a), message);

export function setFailed(message: string): void {
  process.exitCode = 1;
  error(message);
}

export async function group<T>(name: string, fn: () => Promise<T>): Promise<T> {
  command('group', {}, name);
  try {
    return await fn();
  } finally {
    command('endgroup', {}, '');
  }
}

/** Appends markdown (and a line end) to the job summary, as `summary.addRaw(text, true).write()`. */
export async function appendSummary(markdown: string): Promise<void> {
  const file = process.env.GITHUB_STEP_SUMMARY;
  if (!file)
    throw new Error(
      'Unable to find environment variable for $GITHUB_STEP_SUMMARY. Check if your runtime environment supports job summaries.',
    );
  try {
    await access(file, constants.R_OK | constants.W_OK);
  } catch {
    throw new Error(
      `Unable to access summary file: '${file}'. Check if the file has correct read/write permissions.`,
    );
  }
  await appendFile(file, markdown + EOL, { encoding: 'utf8' });
}
