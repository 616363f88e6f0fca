import picomatch from 'picomatch';

export type ParsedRef =
  | { kind: 'branch'; name: string; ref: string }
  | { kind: 'tag'; name: string; ref: string }
  | { kind: 'pull'; number: number; ref: string };

/** Splits a full Git ref; anything else is `undefined` (the caller names the input). */
export function parseRef(ref: string): ParsedRef | undefined {
  if (ref.startsWith('refs/heads/') && ref.length > 11) return { kind: 'branch', name: ref.slice(11), ref };
  if (ref.startsWith('refs/tags/') && ref.length > 10) return { kind: 'tag', name: ref.slice(10), ref };
  const pull = /^refs\/pull\/(\d+)\/(?:merge|head)$/.exec(ref);
  if (pull) return { kind: 'pull', number: Number(pull[1]), ref };
  return undefined;
}

/** `refs/heads/main` → `main`; a short name stays as it is. */
export function shortBranch(ref: string): string {
  return ref.startsWith('refs/heads/') ? ref.slice(11) : ref;
}

/**
 * Why `name` is not a valid branch or tag name (git check-ref-format rules), or `undefined`.
 * With `glob`, the wildcard characters `*`, `?` and `[...]` are allowed.
 */
export function refNameProblem(name: string, glob = false): string | undefined {
  if (name === '') return 'it is empty';
  if (name.startsWith('refs/')) return 'give the short name, without refs/heads/ or refs/tags/';
  const bad = glob ? /[\x00-\x20~^:\\\x7f]/ : /[\x00-\x20~^:?*[\\\x7f]/;
  const ch = bad.exec(name);
  if (ch) return `it contains ${JSON.stringify(ch[0])}, which Git does not allow in a ref name`;
  if (name.includes('..')) return 'it contains "..", which Git does not allow in a ref name';
  if (name.includes('@{')) return 'it contains "@{", which Git does not allow in a ref name';
  if (name.startsWith('/') || name.endsWith('/') || name.includes('//'))
    return 'it has an empty path component (a leading, trailing or double "/")';
  if (name.endsWith('.') || name.endsWith('.lock') || /(^|\/)\./.test(name))
    return 'a component starts with "." or the name ends with "." or ".lock"';
  return undefined;
}

/** Compiles a tag glob; throws with a readable reason when the glob is malformed. */
export function compileGlob(glob: string): (name: string) => boolean {
  const problem = refNameProblem(glob, true);
  if (problem) throw new Error(problem);
  let depth = 0;
  for (const c of glob) {
    if (c === '[') depth++;
    if (c === ']') depth--;
    if (depth < 0 || depth > 1) throw new Error('its [ ] brackets do not pair up');
  }
  if (depth !== 0) throw new Error('its [ ] brackets do not pair up');
  try {
    // `[!…]` negates a class, as in shells and fnmatch; picomatch with extglobs off reads `!` literally.
    const re = picomatch.makeRe(glob.replace(/\[!/g, '[^'), {
      strictBrackets: true,
      dot: true,
      nobrace: true,
      noextglob: true,
    });
    return (name) => re.test(name);
  } catch (e) {
    throw new Error((e as Error).message);
  }
}

/** A concrete name the glob matches, used to detect two environments claiming the same tags. */
export function sampleOf(glob: string): string {
  return glob
    .replace(/\[!?\]?[^\]]*\]/g, (cls) => {
      const body = cls.slice(1, -1);
      if (body.startsWith('!') || body.startsWith('^')) return '\u0001';
      return body.charAt(0) || 'x';
    })
    .replace(/\*+/g, 'x')
    .replace(/\?/g, 'x');
}

/** The characters a deploy tag name may use (SPEC): none that a shell or a script template treats specially. */
export const DEPLOY_TAG_CHARACTERS = 'A-Z a-z 0-9 . _ - /';

/** A character outside DEPLOY_TAG_CHARACTERS in a name that outputs carry into scripts, or `undefined`. */
export function scriptUnsafeProblem(name: string, what: string): string | undefined {
  const bad = /[^A-Za-z0-9._/-]/.exec(name);
  return bad ? `it contains ${JSON.stringify(bad[0])}; ${what} use only ${DEPLOY_TAG_CHARACTERS}` : undefined;
}

/**
 * Why `name` cannot be a deploy tag, or `undefined`. Workflows paste the tag output into scripts, so `$(…)`,
 * quotes, spaces and the like would run there; a leading "-" would read as an option.
 */
export function deployTagProblem(name: string): string | undefined {
  const unsafe = scriptUnsafeProblem(name, 'deploy tag names');
  if (unsafe) return unsafe;
  if (name.startsWith('-')) return 'it starts with "-", which a script would read as an option';
  return refNameProblem(name);
}
