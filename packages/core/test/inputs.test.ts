import { describe, expect, it } from 'vitest';
import { InputError } from '../src/errors';
import { Inputs } from '../src/inputs';

/** Inputs over a fixed set of raw values, as a platform would hand them over ('' when not given). */
function inputs(values: Record<string, string>): Inputs {
  return new Inputs({ input: (name) => values[name] ?? '' });
}

/** The InputError thrown by `fn`, so a test can check its input, value and message. */
function errorOf(fn: () => unknown): InputError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return e as InputError;
  }
  throw new Error('expected an InputError');
}

describe('string', () => {
  it('trims the value', () => {
    expect(inputs({ ref: '  refs/heads/main \n' }).string('ref')).toBe('refs/heads/main');
  });

  it('gives the fallback for a missing or blank value, else ""', () => {
    const i = inputs({ blank: '   ' });
    expect(i.string('blank', 'main')).toBe('main');
    expect(i.string('missing', 'main')).toBe('main');
    expect(i.string('missing')).toBe('');
  });
});

describe('required', () => {
  it('gives the trimmed value', () => {
    expect(inputs({ tag: ' apps-deploy-1 ' }).required('tag')).toBe('apps-deploy-1');
  });

  it('refuses a missing or blank value, naming the input', () => {
    const e = errorOf(() => inputs({ tag: '  ' }).required('tag'));
    expect(e.input).toBe('tag');
    expect(e.value).toBe('');
    expect(e.message).toBe('input tag: "" is not valid; it is required');
  });
});

describe('choice', () => {
  const flows = ['per-app', 'per-env'] as const;

  it('gives the value when it is one of the choices, the fallback when blank', () => {
    expect(inputs({ prflow: 'per-env' }).choice('prflow', flows, 'per-app')).toBe('per-env');
    expect(inputs({}).choice('prflow', flows, 'per-app')).toBe('per-app');
  });

  it('refuses any other value, listing the choices', () => {
    const e = errorOf(() => inputs({ prflow: 'by-team' }).choice('prflow', flows, 'per-app'));
    expect(e.message).toBe('input prflow: "by-team" is not valid; use one of per-app, per-env');
  });

  it('suggests the choice a misspelt value was meant to be', () => {
    const renderers = ['kustomize', 'helm', 'command'] as const;
    const e = errorOf(() => inputs({ renderer: 'kustomise' }).choice('renderer', renderers, 'helm'));
    expect(e.message).toBe(
      'input renderer: "kustomise" is not valid; did you mean kustomize? use one of kustomize, helm, command',
    );
    const cased = errorOf(() => inputs({ prflow: 'Per-Env' }).choice('prflow', flows, 'per-app'));
    expect(cased.message).toMatch(/did you mean per-env\?/);
  });
});

describe('boolean', () => {
  it.each([
    ['true', true],
    ['TRUE', true],
    [' False ', false],
    ['false', false],
  ])('reads %j as %s', (raw, value) => {
    expect(inputs({ auto: raw }).boolean('auto', !value)).toBe(value);
  });

  it('gives the fallback when blank', () => {
    expect(inputs({}).boolean('auto', true)).toBe(true);
    expect(inputs({ auto: ' ' }).boolean('auto', false)).toBe(false);
  });

  it.each(['yes', '1', 'on'])('refuses %j, showing the value as given', (raw) => {
    const e = errorOf(() => inputs({ auto: raw }).boolean('auto', false));
    expect(e.message).toBe(`input auto: "${raw}" is not valid; use true or false`);
  });

  it('shows the value with its case kept', () => {
    const e = errorOf(() => inputs({ auto: 'Yes' }).boolean('auto', false));
    expect(e.value).toBe('Yes');
  });
});

describe('durationMs', () => {
  it.each([
    ['90s', 90_000],
    ['10m', 600_000],
    ['1h30m', 5_400_000],
    ['500ms', 500],
  ])('reads %j as %d ms', (raw, ms) => {
    expect(inputs({ timeout: raw }).durationMs('timeout', 1)).toBe(ms);
  });

  it('gives the fallback when blank', () => {
    expect(inputs({}).durationMs('timeout', 42)).toBe(42);
  });

  it.each(['600', '10 minutes', 'm'])('refuses %j with the duration hint', (raw) => {
    const e = errorOf(() => inputs({ timeout: raw }).durationMs('timeout', 1));
    expect(e.message).toBe(
      `input timeout: "${raw}" is not valid; write a number with a unit: 90s, 10m, 1h, 1h30m or 500ms`,
    );
  });
});

describe('lines', () => {
  it('splits on LF and CRLF, trims, and drops blank and # lines', () => {
    const raw = 'apps/web\r\n  # a comment\n\n  apps/api  \n#another\napps/db';
    expect(inputs({ apps: raw }).lines('apps')).toEqual(['apps/web', 'apps/api', 'apps/db']);
  });

  it('gives no lines for a missing input', () => {
    expect(inputs({}).lines('apps')).toEqual([]);
  });
});
