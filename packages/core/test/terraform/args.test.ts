import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors';
import { displayArgs, splitArgs } from '../../src/terraform/args';

describe('splitArgs', () => {
  it('splits on whitespace and honours quotes and escapes, with no expansion', () => {
    expect(splitArgs('-upgrade  -reconfigure')).toEqual(['-upgrade', '-reconfigure']);
    expect(splitArgs(`-backend-config="key=a b" -x='$HOME *' c\\ d ""`)).toEqual([
      '-backend-config=key=a b',
      '-x=$HOME *',
      'c d',
      '',
    ]);
    expect(splitArgs('"say \\"hi\\"" \'it\'\'s\'')).toEqual(['say "hi"', 'its']);
    expect(splitArgs('a\n\tb')).toEqual(['a', 'b']);
    expect(splitArgs('   ')).toEqual([]);
  });

  it('refuses an unclosed quote, naming the input', () => {
    expect(() => splitArgs('-x="open')).toThrow(InputError);
    expect(() => splitArgs('-x="open')).toThrow(/^input init-args: .* close the " quote$/);
  });
});

describe('displayArgs', () => {
  it('hides backend-config values, which often are credentials', () => {
    expect(
      displayArgs([
        'init',
        '-backend-config=access_key=AKIA123',
        '-backend-config',
        'secret_key=xyz',
        '-backend-config=prod.hcl',
      ]),
    ).toBe('init -backend-config=access_key=*** -backend-config secret_key=*** -backend-config=prod.hcl');
  });

  it('quotes arguments a reader could misread', () => {
    expect(displayArgs(['plan', '-var-file=my vars.tfvars', "it's"])).toBe(
      `plan '-var-file=my vars.tfvars' 'it'\\''s'`,
    );
  });
});
