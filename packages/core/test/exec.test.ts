import { realpathSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../../test/support/git';
import { exec } from '../src/exec';

const node = process.execPath;
const cwd = tempDir('gp-exec-');

describe('exec', () => {
  it('passes every argument as data, no shell expanding it', async () => {
    const arg = '$HOME; echo hi `id` *';
    const r = await exec(node, ['-e', 'process.stdout.write(process.argv[1])', arg], { cwd });
    expect(r).toEqual({ code: 0, stdout: arg, stderr: '' });
  });

  it('runs in cwd with the environment given, and feeds input on stdin', async () => {
    const r = await exec(
      node,
      [
        '-e',
        'let s="";process.stdin.on("data",c=>s+=c).on("end",()=>console.log(process.cwd(),process.env.GP_X,s))',
      ],
      { cwd, env: { ...process.env, GP_X: 'x1' }, input: 'from stdin' },
    );
    expect(r.stdout).toBe(`${realpathSync(cwd)} x1 from stdin\n`);
  });

  it('returns the exit code and stderr, and hands stderr over line by line, the last one unfinished too', async () => {
    const lines: string[] = [];
    const r = await exec(
      node,
      ['-e', 'process.stderr.write("a\\r\\nb\\n");process.stderr.write("c");process.exit(3)'],
      {
        cwd,
        onStderrLine: (l) => lines.push(l),
      },
    );
    expect(r.code).toBe(3);
    expect(r.stderr).toBe('a\r\nb\nc');
    expect(lines).toEqual(['a', 'b', 'c']);
  });

  it('keeps stdout’s bytes when asked', async () => {
    const r = await exec(node, ['-e', 'process.stdout.write(Buffer.from([0xff, 0x00, 0x41]))'], {
      cwd,
      raw: true,
    });
    expect(r.raw).toEqual(Buffer.from([0xff, 0x00, 0x41]));
    expect((await exec(node, ['-e', ''], { cwd })).raw).toBeUndefined();
  });

  it('a program that cannot start: no code, the reason', async () => {
    const r = await exec('gp-no-such-program', ['x'], { cwd });
    expect(r.code).toBeUndefined();
    expect(r.startError).toBe('ENOENT');
  });

  it('a program stopped by a signal: code 128 and the signal named in stderr', async () => {
    const r = await exec(node, ['-e', 'process.stderr.write("dying");process.kill(process.pid,"SIGKILL")'], {
      cwd,
    });
    expect(r.code).toBe(128);
    expect(r.stderr).toBe('dying\nstopped by SIGKILL');
    expect(r.startError).toBeUndefined();
  });
});
