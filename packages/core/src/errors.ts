/** An error whose message is written for the user: the step fails with exactly this text. */
export class GitopsError extends Error {
  override name = 'GitopsError';
}

/** A step input holds a value the step cannot use. */
export class InputError extends GitopsError {
  override name = 'InputError';
  constructor(
    readonly input: string,
    readonly value: string,
    readonly valid: string,
  ) {
    super(`input ${input}: ${quote(value)} is not valid; ${valid}`);
  }
}

export interface ConfigIssue {
  file: string;
  line: number;
  column: number;
  /** Dotted path of the key, e.g. `environments[1].on.tag`. */
  key: string;
  message: string;
}

/** The configuration file is wrong; every issue names file, line, column and key. */
export class ConfigError extends GitopsError {
  override name = 'ConfigError';
  constructor(readonly issues: ConfigIssue[]) {
    super(issues.map(formatIssue).join('\n'));
  }
}

export function formatIssue(i: ConfigIssue): string {
  return `${i.file}:${i.line}:${i.column}: ${i.key ? `${i.key}: ` : ''}${i.message}`;
}

/** Quotes a user value for a message, showing control characters instead of printing them. */
export function quote(value: string): string {
  return JSON.stringify(value);
}
