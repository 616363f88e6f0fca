import { spawn } from 'node:child_process';

export interface ExecResult {
  /** undefined when the process never started. */
  code: number | undefined;
  stdout: string;
  stderr: string;
  /** `ENOENT`, `EACCES`, … when the process could not start. */
  startError?: string;
  /** The system's whole message when it could not start. */
  startMessage?: string;
  /** stdout's bytes, with `raw`. */
  raw?: Buffer;
}

export interface ExecOptions {
  cwd: string;
  env?: NodeJS.ProcessEnv;
  input?: string | Buffer;
  /** Called with each complete line of stderr as it arrives (for the log). */
  onStderrLine?: (line: string) => void;
  timeoutMs?: number;
  /** Also return stdout's bytes (for binary-safe parsing). */
  raw?: boolean;
  /** What stderr gets when a signal stopped the process (default: `stopped by <signal>`). */
  signalNote?: (signal: string) => string;
}

/** Runs a program without a shell: every argument is data, nothing is expanded. */
export function exec(file: string, args: readonly string[], o: ExecOptions): Promise<ExecResult> {
  return new Promise((done) => {
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let partial = '';
    let startError: NodeJS.ErrnoException | undefined;
    const child = spawn(file, args, {
      cwd: o.cwd,
      env: o.env ?? process.env,
      stdio: ['pipe', 'pipe', 'pipe'],
      windowsHide: true,
      ...(o.timeoutMs ? { timeout: o.timeoutMs } : {}),
    });
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => {
      err.push(c);
      if (!o.onStderrLine) return;
      const lines = (partial + c.toString('utf8')).split(/\r?\n/);
      partial = lines.pop() ?? '';
      for (const line of lines) o.onStderrLine(line);
    });
    child.on('error', (e: NodeJS.ErrnoException) => {
      startError = e;
    });
    child.on('close', (code, signal) => {
      if (partial && o.onStderrLine) o.onStderrLine(partial);
      let stderr = Buffer.concat(err).toString('utf8');
      if (signal && !startError)
        stderr += `${stderr ? '\n' : ''}${o.signalNote ? o.signalNote(signal) : `stopped by ${signal}`}`;
      const bytes = Buffer.concat(out);
      done({
        code: startError ? undefined : (code ?? 128),
        stdout: bytes.toString('utf8'),
        ...(o.raw ? { raw: bytes } : {}),
        stderr,
        ...(startError
          ? { startError: startError.code ?? startError.message, startMessage: startError.message }
          : {}),
      });
    });
    child.stdin.on('error', () => {});
    child.stdin.end(o.input ?? '');
  });
}
