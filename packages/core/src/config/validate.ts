import { isMap, isScalar, isSeq, type Node, type YAMLMap } from 'yaml';
import { DURATION_HINT, parseDuration } from '../duration';
import type { FreezeWindow } from '../gate/freeze';
import { outsideProblem } from '../paths';
import { compileGlob, refNameProblem, scriptUnsafeProblem } from '../refs';
import { suggest } from '../text';
import { ENVIRONMENT_NAME, type Trigger } from './model';

/** The dotted path and name of the map key that starts at `offset`, e.g. `environments[0].name`. */
export function keyPathAt(
  node: unknown,
  offset: number,
  path = '',
): { path: string; name: string } | undefined {
  if (isMap(node))
    for (const pair of node.items) {
      const key = pair.key as Node | null;
      const name = isScalar(key) ? String(key.value) : '';
      const here = path ? `${path}.${name}` : name;
      if (key?.range?.[0] === offset) return { path: here, name };
      const inner = keyPathAt(pair.value, offset, here);
      if (inner) return inner;
    }
  if (isSeq(node))
    for (const [i, item] of node.items.entries()) {
      const inner = keyPathAt(item, offset, `${path}[${i}]`);
      if (inner) return inner;
    }
  return undefined;
}

export interface RawEnvironment {
  name: string;
  node: Node;
  path: string;
  workspace?: string;
  on?: Trigger;
  onNode?: Node;
  auto?: boolean;
}

/** A freeze window as read; its environment names are checked once the environments are known. */
export interface RawFreeze {
  window: FreezeWindow;
  /** Each named environment with its node, for the position of an unknown name. */
  names: [string, Node][];
  path: string;
}

export interface Raw {
  mainBranch?: string;
  environments?: RawEnvironment[];
  environmentsNode?: Node;
  binary?: string;
  workingDirectory?: string;
  lockTimeout?: string;
  timeout?: [number, Node];
  interval?: [number, Node];
  contexts?: string[];
  require?: 'all' | 'any';
  soak?: [number, Node];
  freeze?: RawFreeze[];
  prflow?: 'per-app' | 'per-env';
  path?: string;
  parityMode?: 'off' | 'warn' | 'error';
  parityIgnore?: string[];
}

export type At = (node: Node | null | undefined, key: string, message: string, offset?: number) => void;

/** Reads typed values out of YAML nodes, reporting each problem at the node's position. */
export class Validator {
  /** Keys read as their format's own reader does: ignored (XKS), named in one warning. */
  readonly ignored: string[] = [];

  constructor(
    readonly at: At,
    /** The repository: paths in the file must stay inside it. */
    readonly root?: string,
  ) {}

  /**
   * The map's entries whose key is known; unknown keys are reported with a suggestion, or with `ignore`
   * (XKS files, read as XKS reads them) set aside for one warning.
   */
  entries(map: YAMLMap, path: string, known: string[], ignore = false): Map<string, Node> {
    const out = new Map<string, Node>();
    for (const pair of map.items) {
      const keyNode = pair.key as Node;
      const key = isScalar(keyNode) ? String(keyNode.value) : '';
      const where = path ? `${path}.${key}` : key;
      if (!known.includes(key) && ignore) {
        this.ignored.push(where);
        continue;
      }
      if (!known.includes(key)) {
        const guess = suggest(key, known);
        this.at(
          keyNode,
          where,
          `unknown key${guess ? `; did you mean "${guess}"?` : '.'} Valid keys here: ${known.join(', ')}`,
        );
        continue;
      }
      out.set(key, pair.value as Node);
    }
    return out;
  }

  map(node: Node | undefined, path: string): YAMLMap | undefined {
    if (isMap(node)) return node;
    this.at(node, path, `expected a mapping of keys, found ${describe(node)}`);
    return undefined;
  }

  string(node: Node | undefined, path: string, what = 'a string'): string | undefined {
    if (isScalar(node) && typeof node.value === 'string' && node.value !== '') return node.value;
    this.at(node, path, `expected ${what}, found ${describe(node)}`);
    return undefined;
  }

  boolean(node: Node | undefined, path: string): boolean | undefined {
    if (isScalar(node) && typeof node.value === 'boolean') return node.value;
    this.at(node, path, `expected true or false, found ${describe(node)}`);
    return undefined;
  }

  choice<T extends string>(node: Node | undefined, path: string, choices: readonly T[]): T | undefined {
    const s = isScalar(node) ? String(node.value) : undefined;
    if (s !== undefined && (choices as readonly string[]).includes(s)) return s as T;
    const guess = s === undefined ? undefined : suggest(s, choices);
    const hint = guess ? `; did you mean "${guess}"?` : '';
    this.at(node, path, `expected one of ${choices.join(', ')}, found ${describe(node)}${hint}`);
    return undefined;
  }

  duration(node: Node | undefined, path: string): [number, Node] | undefined {
    if (isScalar(node) && typeof node.value === 'number') {
      this.at(node, path, `${node.value} is a bare number; ${DURATION_HINT}`);
      return undefined;
    }
    const s = this.string(node, path, 'a duration');
    if (s === undefined) return undefined;
    const ms = parseDuration(s);
    if (ms === undefined) {
      this.at(node, path, `${JSON.stringify(s)} is not a duration; ${DURATION_HINT}`);
      return undefined;
    }
    return [ms, node as Node];
  }

  branch(node: Node | undefined, path: string): string | undefined {
    const s = this.string(node, path, 'a branch name');
    if (s === undefined) return undefined;
    // Environment branches end up in outputs (promote-tag's branch) that workflows paste into scripts.
    const problem = scriptUnsafeProblem(s, 'environment branches') ?? refNameProblem(s);
    if (problem) {
      this.at(node, path, `${JSON.stringify(s)} is not a valid branch name: ${problem}`);
      return undefined;
    }
    return s;
  }

  template(
    node: Node | undefined,
    path: string,
    allowed: string[],
    required: string[] = [],
  ): string | undefined {
    const s = this.string(node, path);
    if (s === undefined) return undefined;
    for (const m of s.matchAll(/\{([^}]*)\}/g)) {
      if (!allowed.includes(m[1] ?? '')) {
        this.at(
          node,
          path,
          `unknown placeholder {${m[1]}} in ${JSON.stringify(s)}; allowed: ${allowed.map((a) => `{${a}}`).join(', ')}`,
        );
        return undefined;
      }
    }
    for (const r of required) {
      if (!s.includes(`{${r}}`)) {
        this.at(
          node,
          path,
          `${JSON.stringify(s)} must contain {${r}}, or every environment would share one path`,
        );
        return undefined;
      }
    }
    return s;
  }

  /** A directory path that stays inside the repository (after `..` and symbolic links). */
  directory(node: Node | undefined, path: string): string | undefined {
    const s = this.string(node, path, 'a directory path');
    if (s === undefined || !this.root) return s;
    const problem = outsideProblem(s, { root: this.root });
    if (!problem) return s;
    this.at(node, path, `${JSON.stringify(s)}: ${problem}; give a directory inside the repository`);
    return undefined;
  }

  /** A deploy tag glob: the characters of deploy tag names (A-Z a-z 0-9 . _ - /) and * ? [ ] ! only. */
  tagGlob(node: Node | undefined, path: string): string | undefined {
    const g = this.string(node, path, 'a tag glob');
    if (g === undefined) return undefined;
    const bad = /[^A-Za-z0-9._\-/*?[\]!]/.exec(g) ?? /(?<!\[)!/.exec(g);
    const problem = bad
      ? `it contains ${JSON.stringify(bad[0])}; deploy tags use only A-Z a-z 0-9 . _ - / (and * ? [ ] in the glob, ! only as [!…])`
      : globProblem(g);
    if (!problem) return g;
    this.at(node, path, `${JSON.stringify(g)} is not a valid tag glob: ${problem}; e.g. "apps-deploy-*"`);
    return undefined;
  }

  environments(
    node: Node | undefined,
    path: string,
    keys: string[],
    read: (m: Map<string, Node>, e: RawEnvironment) => void,
    ignore = false,
  ): RawEnvironment[] | undefined {
    if (!isSeq(node)) {
      this.at(node, path, `expected a list of environments (- name: ops …), found ${describe(node)}`);
      return undefined;
    }
    if (node.items.length === 0) {
      this.at(
        node,
        path,
        'the list is empty; name at least one environment, or leave the key out for the defaults',
      );
      return undefined;
    }
    const out: RawEnvironment[] = [];
    node.items.forEach((item, i) => {
      const p = `${path}[${i}]`;
      const map = this.map(item as Node, p);
      if (!map) return;
      const m = this.entries(map, p, keys, ignore);
      const nameNode = m.get('name');
      if (!nameNode) {
        this.at(map, `${p}.name`, 'every environment needs a name, e.g. name: ops');
        return;
      }
      const name = this.string(nameNode, `${p}.name`, 'an environment name');
      if (name === undefined) return;
      if (!ENVIRONMENT_NAME.test(name)) {
        this.at(
          nameNode,
          `${p}.name`,
          `${JSON.stringify(name)} is not a valid environment name; use 1-63 of a-z, 0-9 and -, starting with a letter or digit`,
        );
        return;
      }
      const env: RawEnvironment = { name, node: nameNode, path: p };
      read(m, env);
      out.push(env);
    });
    return out;
  }
}

export function describe(node: Node | undefined | null): string {
  if (node == null) return 'nothing';
  if (isMap(node)) return 'a mapping';
  if (isSeq(node)) return 'a list';
  if (isScalar(node)) {
    if (node.value === null) return 'null';
    return `${typeof node.value === 'string' ? 'the string' : typeof node.value} ${JSON.stringify(node.value)}`;
  }
  return 'an alias';
}

function globProblem(glob: string): string | undefined {
  try {
    compileGlob(glob);
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}
