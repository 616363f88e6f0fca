/**
 * The runner protocol written by the GitHub runtime (packages/platform/src/runtimes/actions-commands.ts)
 * against @actions/core's own output for the same calls, and against the runner's documented formats:
 * workflow commands `::name key=value,…::message` with %, \r, \n escaped in data and also : and , in
 * properties; multi-line outputs as `name<<delimiter` records in GITHUB_OUTPUT.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as core from '@actions/core';
import * as ours from '@gitops-promote/platform/runtimes/actions-commands';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { parseGitHubOutput } from './support/bundle';
import { tempDir } from './support/git';

const TRICKY = ['plain', '100% done', 'a\r\nb\nc', 'key: a, b', '::error::x', '', 'ünïcode ✓', '%0A literal'];
const PROPS = { title: 'a: b, c%', file: 'dir/f,1.tf', startLine: 3, startColumn: 7 };

let dir: string;
let written: string[];
const env = { ...process.env };

beforeEach(() => {
  dir = tempDir('gp-actions-');
  written = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    written.push(String(chunk));
    return true;
  });
});
afterEach(() => {
  vi.restoreAllMocks();
  process.env = { ...env };
  process.exitCode = undefined;
});

/** What one implementation writes: stdout, GITHUB_OUTPUT (delimiters normalised), the summary file. */
async function capture(impl: 'core' | 'ours', calls: (lib: typeof ours) => Promise<void> | void) {
  const output = join(dir, `${impl}-output`);
  const summary = join(dir, `${impl}-summary`);
  writeFileSync(output, '');
  writeFileSync(summary, '');
  process.env.GITHUB_OUTPUT = output;
  process.env.GITHUB_STEP_SUMMARY = summary;
  written = [];
  const lib =
    impl === 'ours'
      ? ours
      : ({
          ...core,
          appendSummary: (text: string) =>
            core.summary
              .addRaw(text, true)
              .write()
              .then(() => undefined),
        } as unknown as typeof ours);
  await calls(lib);
  const file = readFileSync(output, 'utf8');
  return {
    stdout: written.join(''),
    output: file.replace(/ghadelimiter_[0-9a-f-]{36}/g, 'DELIM'),
    parsed: parseGitHubOutput(file),
    summary: readFileSync(summary, 'utf8'),
    exitCode: process.exitCode,
  };
}

describe('the GitHub runner protocol, as @actions/core writes it', () => {
  it('writes the same commands for logs, masks, groups and annotations', async () => {
    const calls = async (lib: typeof ours) => {
      for (const text of TRICKY) {
        lib.info(text);
        lib.debug(text);
        lib.setSecret(text);
        lib.warning(text);
        lib.warning(text, PROPS);
        lib.error(text, { title: text, file: text });
        await lib.group(text, async () => lib.info('inside'));
      }
      lib.setFailed('failed: 50%\nsecond line');
    };
    const theirs = await capture('core', calls);
    const mine = await capture('ours', calls);
    expect(mine.stdout).toBe(theirs.stdout);
    expect(mine.exitCode).toBe(1);
    expect(theirs.exitCode).toBe(1);
  });

  it('escapes data and properties as the runner documents', async () => {
    const { stdout } = await capture('ours', (lib) => lib.warning('50%\r\nnext', PROPS));
    expect(stdout).toBe('::warning title=a%3A b%2C c%25,file=dir/f%2C1.tf,line=3,col=7::50%25%0D%0Anext\n');
  });

  it('writes multi-line outputs as delimited records, read back whole', async () => {
    const calls = (lib: typeof ours) => {
      for (const [i, text] of TRICKY.entries()) lib.setOutput(`out-${i}`, text);
    };
    const theirs = await capture('core', calls);
    const mine = await capture('ours', calls);
    expect(mine.output).toBe(theirs.output);
    expect(mine.parsed).toEqual(Object.fromEntries(TRICKY.map((t, i) => [`out-${i}`, t])));
    expect(mine.stdout).toBe('');
  });

  it('falls back to ::set-output when GITHUB_OUTPUT is not set, as the library does', async () => {
    const calls = (lib: typeof ours) => {
      delete process.env.GITHUB_OUTPUT;
      lib.setOutput('name', 'a\nb%');
    };
    expect((await capture('ours', calls)).stdout).toBe((await capture('core', calls)).stdout);
  });

  it('appends the job summary with a line end, and reads inputs trimmed', async () => {
    const calls = async (lib: typeof ours) => {
      await lib.appendSummary('# one');
      await lib.appendSummary('two |\n');
    };
    const mine = await capture('ours', calls);
    expect(mine.summary).toBe((await capture('core', calls)).summary);
    expect(mine.summary).toBe('# one\ntwo |\n\n');
    process.env.INPUT_MY_INPUT = '  value \n';
    expect(ours.getInput('my input')).toBe(core.getInput('my input'));
    expect(ours.getInput('MISSING')).toBe('');
  });

  // The library's summary keeps the first file path it saw, so only ours is tried on a missing file.
  it('fails to write a summary file that cannot be written, with the library message', async () => {
    process.env.GITHUB_STEP_SUMMARY = join(dir, 'no-such-dir', 'summary');
    await expect(ours.appendSummary('x')).rejects.toThrow(/Unable to access summary file/);
  });
});
