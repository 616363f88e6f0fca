import { InputError } from '../errors';

/**
 * Splits `init-args` into arguments the way a POSIX shell would split words, without a shell:
 * whitespace separates, '…' is literal, "…" honours \" and \\, a backslash outside quotes escapes
 * the next character. No expansion of any kind ($, globs, ~) happens.
 */
export function splitArgs(text: string, input = 'init-args'): string[] {
  const args: string[] = [];
  let current = '';
  let inWord = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote === "'") {
      if (c === "'") quote = undefined;
      else current += c;
    } else if (quote === '"') {
      if (c === '"') quote = undefined;
      else if (c === '\\' && (text[i + 1] === '"' || text[i + 1] === '\\')) current += text[++i];
      else current += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      inWord = true;
    } else if (c === '\\' && i + 1 < text.length) {
      current += text[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) args.push(current);
      current = '';
      inWord = false;
    } else {
      current += c;
      inWord = true;
    }
  }
  if (quote) throw new InputError(input, text, `close the ${quote} quote`);
  if (inWord) args.push(current);
  return args;
}

/** Shows a command for logs and summaries with backend-config values hidden: they often hold credentials. */
export function displayArgs(args: readonly string[]): string {
  return args
    .map((a, i) => {
      const m = /^(-{1,2}backend-config=)([^=]+)=(.*)$/s.exec(a);
      let shown = m ? `${m[1]}${m[2]}=***` : a;
      // `-backend-config key=value` as two arguments
      if (/^-{1,2}backend-config$/.test(args[i - 1] ?? '') && a.includes('='))
        shown = `${a.split('=')[0]}=***`;
      return /^[\w@%+=:,./*-]+$/.test(shown) ? shown : `'${shown.replace(/'/g, `'\\''`)}'`;
    })
    .join(' ');
}
