import { DURATION_HINT, parseDuration } from './duration';
import { InputError } from './errors';
import type { Runtime } from './runtime';
import { suggest } from './text';

/** Typed access to a step's inputs; a bad value fails with the input's name, its value and what is valid. */
export class Inputs {
  constructor(private readonly runtime: Pick<Runtime, 'input'>) {}

  string(name: string, fallback = ''): string {
    const v = this.runtime.input(name).trim();
    return v === '' ? fallback : v;
  }

  required(name: string): string {
    const v = this.string(name);
    if (v === '') throw new InputError(name, v, 'it is required');
    return v;
  }

  choice<T extends string>(name: string, choices: readonly T[], fallback: T): T {
    const v = this.string(name);
    if (v === '') return fallback;
    if (!(choices as readonly string[]).includes(v)) throw new InputError(name, v, choiceHint(v, choices));
    return v as T;
  }

  boolean(name: string, fallback: boolean): boolean {
    const v = this.string(name).toLowerCase();
    if (v === '') return fallback;
    if (v === 'true') return true;
    if (v === 'false') return false;
    throw new InputError(name, this.string(name), 'use true or false');
  }

  durationMs(name: string, fallbackMs: number): number {
    const v = this.string(name);
    if (v === '') return fallbackMs;
    const ms = parseDuration(v);
    if (ms === undefined) throw new InputError(name, v, DURATION_HINT);
    return ms;
  }

  lines(name: string): string[] {
    return this.runtime
      .input(name)
      .split(/\r?\n/)
      .map((l) => l.trim())
      .filter((l) => l !== '' && !l.startsWith('#'));
  }
}

/** "did you mean kustomize? use one of kustomize, helm" — the suggestion first, the full list always. */
export function choiceHint(value: string, choices: readonly string[]): string {
  const guess = suggest(value, choices);
  return `${guess ? `did you mean ${guess}? ` : ''}use one of ${choices.join(', ')}`;
}
