import { InputError } from '../errors';

const FULL_SHA = /^[0-9a-f]{40}$/;
const FULL_SHA_ANY_CASE = /^[0-9a-f]{40}$/i;

/** A full 40-hex commit sha, in lower case unless `anyCase` allows upper case too. */
export function isFullSha(value: string, anyCase = false): boolean {
  return (anyCase ? FULL_SHA_ANY_CASE : FULL_SHA).test(value);
}

/** The `sha` input's value when it is a full commit sha; else one InputError saying what to give. */
export function fullSha(
  value: string,
  valid = 'give the full 40-character commit sha',
  anyCase = false,
): string {
  if (!isFullSha(value, anyCase)) throw new InputError('sha', value, valid);
  return value;
}
