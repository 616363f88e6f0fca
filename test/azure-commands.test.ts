/**
 * The Azure Pipelines agent protocol written by the Azure runtime (packages/platform/src/runtimes/azure-commands.ts)
 * against azure-pipelines-task-lib's own output for the same calls: `##vso[area.action k=v;…]message` with
 * `%` → `%AZP25`, \r, \n escaped in data and also `]` and `;` in properties; inputs and secrets taken out
 * of the environment when the task starts. The library runs in a child process (it reads the environment
 * and registers process handlers when it loads); each side's lines from the first call on are compared.
 */
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { AzureTask, type IssueType, type TaskResult } from '@gitops-promote/platform/runtimes/azure-commands';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { parseVso } from './support/bundle';
import { tempDir } from './support/git';

const LIBRARY = createRequire(import.meta.url).resolve('azure-pipelines-task-lib/task', {
  paths: [`${import.meta.dirname}/../packages/platform`],
});

const TRICKY = [
  'plain',
  '100% done %AZP25',
  'a\r\nb\nc',
  'k=v; next',
  'x]y ##vso[task.complete result=Failed;]',
  '',
  'ünïcode ✓',
  '%0A literal ; ] %3B %5D',
];

/** One call of the library's API, as data both sides can run. */
type Call =
  | ['getInput', string]
  | ['setVariable', string, string, boolean, boolean]
  | ['setSecret', string]
  | ['debug' | 'warning' | 'error' | 'uploadSummary', string]
  | ['logIssue', IssueType, string, string?, number?, number?]
  | ['uploadArtifact', string, string, string]
  | ['setResult', TaskResult, string];

interface Seen {
  lines: string[];
  /** What each getInput returned (null for undefined), in order. */
  inputs: (string | null)[];
  /** Names of variables left in the environment after the calls. */
  env: string[];
  /** Message of the error a call threw, if one did (the calls stop there). */
  thrown?: string;
}

const MARK = '----- calls -----';

/** The library in a child process with `env`; its stdout from the mark on, and what it left in the environment. */
function library(env: Record<string, string>, calls: Call[]): Seen {
  const script = `
    const tl = require(${JSON.stringify(LIBRARY)});
    const calls = ${JSON.stringify(calls)};
    const inputs = [];
    let thrown;
    console.log(${JSON.stringify(MARK)});
    try {
      for (const [name, ...args] of calls) {
        if (name === 'logIssue') args[0] = args[0] === 'error' ? tl.IssueType.Error : tl.IssueType.Warning;
        if (name === 'setResult') args[0] = tl.TaskResult[args[0]];
        const r = tl[name](...args);
        if (name === 'getInput') inputs.push(r === undefined ? null : r);
      }
    } catch (e) { thrown = e.message; }
    console.log(${JSON.stringify(MARK)});
    console.log(JSON.stringify({ inputs, env: Object.keys(process.env).sort(), thrown }));`;
  const out = execFileSync(process.execPath, ['-e', script], { env, encoding: 'utf8' });
  const [, lines, tail] = out.split(`${MARK}\n`);
  return { lines: lines!.split('\n').slice(0, -1), ...JSON.parse(tail!) };
}

/** Ours in this process, stdout captured, on a copy of `env`. */
function ours(env: Record<string, string>, calls: Call[]): Seen {
  const own: NodeJS.ProcessEnv = { ...env };
  const written: string[] = [];
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    written.push(String(chunk));
    return true;
  });
  const inputs: (string | null)[] = [];
  let thrown: string | undefined;
  try {
    const task = new AzureTask(own);
    written.length = 0; // the library's start-up debug lines are not compared
    for (const [name, ...args] of calls) {
      const r = (task[name] as (...a: unknown[]) => unknown).apply(task, args);
      if (name === 'getInput') inputs.push((r as string | undefined) ?? null);
    }
  } catch (e) {
    thrown = (e as Error).message;
  } finally {
    spy.mockRestore();
  }
  return { lines: written.join('').split('\n').slice(0, -1), inputs, env: Object.keys(own).sort(), thrown };
}

/** A bare agent environment: PATH for the child, a temp folder for the library's key file. */
function agentEnv(extra: Record<string, string> = {}): Record<string, string> {
  return { PATH: process.env.PATH ?? '', AGENT_TEMPDIRECTORY: dir, ...extra };
}

let dir: string;
beforeEach(() => {
  dir = tempDir('gp-azure-commands-');
});
afterEach(() => {
  vi.restoreAllMocks();
});

function expectSame(env: Record<string, string>, calls: Call[]): Seen {
  const theirs = library(env, calls);
  const mine = ours(env, calls);
  expect(mine.lines).toEqual(theirs.lines);
  expect(mine.inputs).toEqual(theirs.inputs);
  expect(mine.env).toEqual(theirs.env);
  expect(mine.thrown).toEqual(theirs.thrown);
  return mine;
}

describe('the Azure Pipelines agent protocol, as azure-pipelines-task-lib writes it', () => {
  it('writes the same commands for logs, issues, variables, summaries, artifacts and results', () => {
    const calls: Call[] = [];
    for (const text of TRICKY) {
      calls.push(['debug', text], ['warning', text], ['error', text]);
      calls.push(['logIssue', 'warning', text], ['logIssue', 'error', text, `dir/${text}.tf`, 3, 7]);
      calls.push(['logIssue', 'warning', text, 'main.tf', 0, 0]);
      calls.push(
        ['setVariable', 'outName', text, false, true],
        ['setVariable', 'plain.var', text, false, false],
      );
      calls.push(['uploadSummary', `/tmp/${text}.md`], ['uploadArtifact', text, `/tmp/${text}`, text]);
      if (!/[\r\n]/.test(text)) calls.push(['setSecret', text]);
    }
    for (const result of ['Succeeded', 'SucceededWithIssues', 'Failed'] as const)
      calls.push(['setResult', result, 'failed: 50%\nsecond; line]'], ['setResult', result, '']);
    const mine = expectSame(agentEnv({ COMMAND_CORRELATION_ID: 'corr-1;]' }), calls);
    // The table really exercised the escapes.
    expect(mine.lines).toContain('##vso[task.debug]100%AZP25 done %AZP25AZP25');
    expect(mine.lines).toContain(
      '##vso[task.logissue type=error;sourcepath=dir/k=v%3B next.tf;linenumber=3;columnnumber=7;]k=v; next',
    );
    expect(mine.lines).toContain(
      '##vso[task.issue type=error;source=TaskInternal;correlationId=corr-1%3B%5D;]plain',
    );
  });

  it('reads inputs from the vault by the agent key, untrimmed, echoing them as debug lines', () => {
    const env = agentEnv({
      INPUT_WORKINGDIRECTORY: '  infra/ops \n',
      INPUT_A_B_C: 'dots and spaces',
      INPUT_EMPTY: '',
      INPUT_MULTI: 'line 1\nline 2 50%',
    });
    const calls: Call[] = [
      ['getInput', 'workingDirectory'],
      ['getInput', 'a.b c'],
      ['getInput', 'empty'],
      ['getInput', 'missing'],
      ['getInput', 'multi'],
    ];
    const mine = expectSame(env, calls);
    expect(mine.inputs).toEqual(['  infra/ops \n', 'dots and spaces', null, null, 'line 1\nline 2 50%']);
    expect(mine.lines[0]).toBe('##vso[task.debug]workingDirectory=  infra/ops %0A');
  });

  it('reads a quiet input without any line, from the same vault', () => {
    const task = ours(agentEnv({ INPUT_TOKEN: 's3cr3t' }), [['getInput', 'token']]);
    expect(task.lines).toEqual(['##vso[task.debug]token=s3cr3t']);
    const own = { ...agentEnv({ INPUT_TOKEN: 's3cr3t' }) };
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    expect(new AzureTask(own).getInput('token', { quiet: true })).toBe('s3cr3t');
    expect(spy).not.toHaveBeenCalled();
  });

  it('takes inputs, secrets, endpoint credentials and secure file tickets out of the environment', () => {
    const env = agentEnv({
      INPUT_TOKEN: 't0k3n',
      SECRET_MY_PASSWORD: 'pw',
      ENDPOINT_AUTH_SVC: '{"scheme":"Token"}',
      ENDPOINT_AUTH_PARAMETER_SVC_TOKEN: 'ep',
      SECUREFILE_TICKET_F: 'ticket',
      VSTS_TASKVARIABLE_X: 'tv',
      VSTS_PUBLIC_VARIABLES: '["build.reason"]',
      VSTS_SECRET_VARIABLES: '["my.password"]',
      INPUT_EMPTY: '',
      BUILD_REASON: 'Manual',
    });
    const mine = expectSame(env, [['getInput', 'token']]);
    expect(mine.env).toEqual(['AGENT_TEMPDIRECTORY', 'BUILD_REASON', 'INPUT_EMPTY', 'PATH']);
  });

  it('keeps a secret variable secret when it is set again as an output', () => {
    const env = agentEnv({ SECRET_DEPLOY_KEY: 'k', VSTS_SECRET_VARIABLES: '["deploy.key"]' });
    const mine = expectSame(env, [
      ['setVariable', 'deploy.key', 'new value', false, true],
      ['setVariable', 'deploy.key', '', false, false],
      ['setVariable', 'other', 'shown', true, false],
    ]);
    expect(mine.lines).toContain(
      '##vso[task.setvariable variable=deploy.key;isOutput=true;issecret=true;]new value',
    );
    // An agent without VSTS_SECRET_VARIABLES: the SECRET_ variable alone marks it secret.
    const old = expectSame(agentEnv({ SECRET_DEPLOY_KEY: 'k' }), [
      ['setVariable', 'deploy_key', 'v2', false, true],
    ]);
    expect(old.lines).toContain('##vso[task.setvariable variable=deploy_key;isOutput=true;issecret=true;]v2');
  });

  it('refuses a multi-line secret unless the agent allows it, as the library does', () => {
    expect(ours(agentEnv(), [['setSecret', 'a\nb']]).thrown).toBe('Secrets cannot contain multiple lines');
    expectSame(agentEnv(), [
      ['setSecret', 'one'],
      ['setSecret', 'a\nb'],
    ]);
    expectSame(agentEnv(), [['setVariable', 'v', 'a\r\nb', true, false]]);
    expectSame(agentEnv({ SYSTEM_UNSAFEALLOWMULTILINESECRET: 'true' }), [['setSecret', 'a\nb']]);
  });

  it('leaves out debug lines only when the agent asks to skip them outside System.Debug', () => {
    const skip = { DISTRIBUTEDTASK_TASKS_NODE_SKIPDEBUGLOGSWHENDEBUGMODEOFF: 'true' };
    const calls: Call[] = [
      ['debug', 'hidden?'],
      ['setVariable', 'v', 'x', false, true],
      ['setResult', 'Succeeded', 'done'],
    ];
    expect(expectSame(agentEnv(skip), calls).lines.some((l) => l.startsWith('##vso[task.debug]'))).toBe(
      false,
    );
    expect(expectSame(agentEnv({ ...skip, SYSTEM_DEBUG: 'True' }), calls).lines[0]).toBe(
      '##vso[task.debug]hidden?',
    );
    expect(expectSame(agentEnv(), calls).lines[0]).toBe('##vso[task.debug]hidden?');
  });

  it('writes lines the agent reads back to the same values', () => {
    const calls: Call[] = TRICKY.map((text, i) => ['setVariable', `out${i}`, text, false, true]);
    const read = parseVso(ours(agentEnv(), calls).lines.join('\n'))
      .filter((c) => c.command === 'task.setvariable')
      .map((c) => c.message);
    expect(read).toEqual(TRICKY);
  });
});
