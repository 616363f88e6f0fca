import { closest, distance } from 'fastest-levenshtein';

/** `text` cut to `max` characters, an ellipsis marking the cut. */
export function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** `text` on one line: every run of white space one space. */
export function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/**
 * The known name nearest to a misspelt one (`kustomise` → `kustomize`, `baseRef` → `base-ref`), or
 * undefined when none is near enough to be worth saying. One rule for configuration keys, input values
 * and command-line flags.
 */
export function suggest(word: string, known: readonly string[]): string | undefined {
  if (known.length === 0 || word === '') return undefined;
  const folded = (s: string) => s.toLowerCase().replace(/[-_]/g, '');
  const same = known.find((k) => folded(k) === folded(word));
  if (same) return same;
  const guess = closest(word, [...known]);
  // A third of the word is a typo in a long one; in a short one (gitlab, github) it is another word.
  const near = word.length >= 8 ? Math.floor(word.length / 3) : word.length >= 4 ? 1 : 0;
  return distance(word, guess) <= Math.max(near, 1) ? guess : undefined;
}
