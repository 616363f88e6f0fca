import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { closest, distance } from 'fastest-levenshtein';
import { isMap, isScalar, isSeq, LineCounter, type Node, parseDocument, type YAMLMap } from 'yaml';
import { DURATION_HINT, parseDuration } from '../duration';
import { ConfigError, type ConfigIssue, InputError } from '../errors';
import { insideRepository, outsideProblem } from '../paths';
import { compileGlob, DEPLOY_TAG_CHARACTERS, refNameProblem, sampleOf } from '../refs';
import {
  CONFIG_FILES,
  type Config,
  DEFAULT_CONTEXTS,
  ENVIRONMENT_NAME,
  type Environment,
  type Trigger,
  triggerText,
  XKS_CONFIG_FILES,
} from './model';

const DEFAULTS = {
  mainBranch: 'main',
  binary: 'terraform',
  workingDirectory: '.',
  lockTimeout: '300s',
  timeout: '10m',
  interval: '15s',
  prflow: 'per-app' as const,
  path: '{group}/{env}',
};

/**
 * Finds and reads the configuration: `configPath` (the `config` input) when given, else
 * `gitops-promote.yaml` at the repository root, else XKS's `gitops-promotion.yaml`, else the defaults.
 * Its warnings (XKS keys this project does not act on) go to the step's log through `onConfigWarning`.
 */
export function loadConfig(root: string, configPath?: string): Config {
  const config = findConfig(root, configPath);
  for (const w of config.warnings) warn?.(w);
  return config;
}

function findConfig(root: string, configPath?: string): Config {
  if (configPath) {
    const file = insideConfig(root, configPath);
    if (!existsSync(file))
      throw new InputError(
        'config',
        configPath,
        `no such file under ${root}; give the path of a gitops-promote.yaml`,
      );
    const base = configPath.replace(/^.*[\\/]/, '');
    const xks = XKS_CONFIG_FILES.includes(base);
    return parseConfig(readFileSync(file), display(root, file), xks ? 'gitops-promotion' : 'gitops-promote', {
      root,
    });
  }
  // The default files too: a checked-in symbolic link may not lead the configuration out of the repository.
  for (const name of CONFIG_FILES) {
    const file = join(root, name);
    if (existsSync(file))
      return parseConfig(readFileSync(insideConfig(root, name)), name, 'gitops-promote', { root });
  }
  for (const name of XKS_CONFIG_FILES) {
    const file = join(root, name);
    if (existsSync(file))
      return parseConfig(readFileSync(insideConfig(root, name)), name, 'gitops-promotion', { root });
  }
  return defaultConfig();
}

function insideConfig(root: string, path: string): string {
  return insideRepository('config', path, {
    root,
    valid: 'give the path of a gitops-promote.yaml inside the repository',
  });
}

let warn: ((message: string) => void) | undefined;

/** Sends the warnings of every configuration loaded from now on to `sink` (a step's log); returns the undo. */
export function onConfigWarning(sink: ((message: string) => void) | undefined): () => void {
  const before = warn;
  warn = sink;
  return () => {
    warn = before;
  };
}

function display(root: string, file: string): string {
  const rel = relative(root, file);
  return rel.startsWith('..') ? file : rel;
}

export function defaultConfig(): Config {
  return parseConfig('', 'default', 'gitops-promote');
}

/**
 * Parses and validates a configuration (text, or the file's bytes, which must be UTF-8); throws one
 * ConfigError listing every problem found. With `root`, paths in it must stay inside that repository.
 */
export function parseConfig(
  content: string | Uint8Array,
  file: string,
  format: 'gitops-promote' | 'gitops-promotion',
  options: { root?: string } = {},
): Config {
  const text = typeof content === 'string' ? content : decodeUtf8(content, file);
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const issues: ConfigIssue[] = [];
  const at = (node: Node | null | undefined, key: string, message: string, offset?: number) => {
    const pos = lines.linePos(offset ?? node?.range?.[0] ?? 0);
    issues.push({ file, line: pos.line, column: pos.col, key, message });
  };
  for (const e of doc.errors) {
    const pos = lines.linePos(e.pos[0]);
    const first = e.message.split('\n')[0] ?? e.message;
    const key = e.code === 'DUPLICATE_KEY' ? keyPathAt(doc.contents, e.pos[0]) : undefined;
    const message =
      e.code === 'DUPLICATE_KEY'
        ? `duplicate key ${JSON.stringify(key?.name ?? '')}: it appears twice in one mapping; keep one`
        : `YAML syntax error: ${first}`;
    issues.push({ file, line: pos.line, column: pos.col, key: key?.path ?? '', message });
  }
  if (issues.length) throw new ConfigError(issues);

  const v = new Validator(at, options.root);
  const root = doc.contents;
  let config: Config;
  if (root == null || (isScalar(root) && (root.value == null || root.value === ''))) {
    config = build(file === 'default' ? 'default' : format, file, {}, v);
  } else if (!isMap(root)) {
    at(root, '', 'the file must be a mapping of keys (main-branch, environments, …)');
    throw new ConfigError(issues);
  } else {
    config = build(format, file, format === 'gitops-promotion' ? readXks(root, v) : readNative(root, v), v);
  }
  if (issues.length) throw new ConfigError(issues);
  if (v.ignored.length)
    config.warnings.push(
      `${file}: ignoring ${v.ignored.join(', ')}: gitops-promote does not act on ${v.ignored.length === 1 ? 'this XKS key' : 'these XKS keys'} (feature environments are not supported)`,
    );
  return config;
}

/** The text of a UTF-8 file; anything else is refused, naming the line of the first bad byte. */
function decodeUtf8(bytes: Uint8Array, file: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    const bad = firstInvalidUtf8(bytes);
    const before = bytes.subarray(0, bad);
    const lineStart = before.lastIndexOf(0x0a) + 1;
    const line = before.filter((b) => b === 0x0a).length + 1;
    const column = new TextDecoder().decode(bytes.subarray(lineStart, bad)).length + 1;
    const byte = `0x${(bytes[bad] ?? 0).toString(16).padStart(2, '0')}`;
    throw new ConfigError([
      {
        file,
        line,
        column,
        key: '',
        message: `the file is not valid UTF-8 (byte ${byte} on line ${line}); save it as UTF-8`,
      },
    ]);
  }
}

/** Offset of the first byte that does not start or continue a valid UTF-8 sequence. */
function firstInvalidUtf8(b: Uint8Array): number {
  let i = 0;
  while (i < b.length) {
    const c = b[i]!;
    const n =
      c < 0x80
        ? 0
        : c >= 0xc2 && c <= 0xdf
          ? 1
          : c >= 0xe0 && c <= 0xef
            ? 2
            : c >= 0xf0 && c <= 0xf4
              ? 3
              : -1;
    if (n < 0) return i;
    for (let k = 1; k <= n; k++) {
      const d = b[i + k];
      if (d === undefined || (d & 0xc0) !== 0x80) return i;
    }
    // Overlong forms, UTF-16 surrogates and code points past U+10FFFF.
    const d1 = b[i + 1] ?? 0;
    if (
      (c === 0xe0 && d1 < 0xa0) ||
      (c === 0xed && d1 > 0x9f) ||
      (c === 0xf0 && d1 < 0x90) ||
      (c === 0xf4 && d1 > 0x8f)
    )
      return i;
    i += n + 1;
  }
  return b.length;
}

/** The dotted path and name of the map key that starts at `offset`, e.g. `environments[0].name`. */
function keyPathAt(node: unknown, offset: number, path = ''): { path: string; name: string } | undefined {
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

interface RawEnvironment {
  name: string;
  node: Node;
  path: string;
  workspace?: string;
  on?: Trigger;
  onNode?: Node;
  auto?: boolean;
}

interface Raw {
  mainBranch?: string;
  environments?: RawEnvironment[];
  environmentsNode?: Node;
  binary?: string;
  workingDirectory?: string;
  lockTimeout?: string;
  timeout?: [number, Node];
  interval?: [number, Node];
  contexts?: string[];
  prflow?: 'per-app' | 'per-env';
  path?: string;
}

type At = (node: Node | null | undefined, key: string, message: string, offset?: number) => void;

/** Reads typed values out of YAML nodes, reporting each problem at the node's position. */
class Validator {
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
        const guess = closest(key, known);
        const near = distance(key, guess) <= Math.max(2, Math.floor(key.length / 3));
        this.at(
          keyNode,
          where,
          `unknown key${near ? `; did you mean "${guess}"?` : '.'} Valid keys here: ${known.join(', ')}`,
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
    this.at(node, path, `expected one of ${choices.join(', ')}, found ${describe(node)}`);
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
    const bad = /[^A-Za-z0-9._/-]/.exec(s);
    const problem = bad
      ? `it contains ${JSON.stringify(bad[0])}; environment branches use only ${DEPLOY_TAG_CHARACTERS}`
      : refNameProblem(s);
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

function describe(node: Node | undefined | null): string {
  if (node == null) return 'nothing';
  if (isMap(node)) return 'a mapping';
  if (isSeq(node)) return 'a list';
  if (isScalar(node)) {
    if (node.value === null) return 'null';
    return `${typeof node.value === 'string' ? 'the string' : typeof node.value} ${JSON.stringify(node.value)}`;
  }
  return 'an alias';
}

const ROOT_KEYS = ['main-branch', 'environments', 'terraform', 'status', 'promotion'];
const ENV_KEYS = ['name', 'workspace', 'on', 'auto'];

function readNative(root: YAMLMap, v: Validator): Raw {
  const raw: Raw = {};
  const m = v.entries(root, '', ROOT_KEYS);
  if (m.has('main-branch')) raw.mainBranch = v.branch(m.get('main-branch'), 'main-branch');
  if (m.has('environments')) {
    raw.environmentsNode = m.get('environments');
    raw.environments = v.environments(m.get('environments'), 'environments', ENV_KEYS, (e, env) => {
      if (e.has('workspace')) {
        const ws = v.string(e.get('workspace'), `${env.path}.workspace`, 'a workspace name');
        if (ws !== undefined && !/^[A-Za-z0-9._-]{1,90}$/.test(ws))
          v.at(
            e.get('workspace'),
            `${env.path}.workspace`,
            `${JSON.stringify(ws)} is not a valid Terraform workspace name; use letters, digits, ".", "_" and "-"`,
          );
        else env.workspace = ws;
      }
      if (e.has('auto')) env.auto = v.boolean(e.get('auto'), `${env.path}.auto`);
      if (e.has('on')) {
        const onNode = e.get('on');
        env.onNode = onNode;
        const on = v.map(onNode, `${env.path}.on`);
        if (on) {
          const t = v.entries(on, `${env.path}.on`, ['branch', 'tag']);
          if (t.size !== 1) {
            if (on.items.length === t.size)
              v.at(on, `${env.path}.on`, 'give exactly one of branch: <name> or tag: <glob>');
          } else if (t.has('branch')) {
            const b = v.branch(t.get('branch'), `${env.path}.on.branch`);
            if (b !== undefined) env.on = { branch: b };
          } else {
            const g = v.tagGlob(t.get('tag'), `${env.path}.on.tag`);
            if (g !== undefined) env.on = { tag: g };
          }
        }
      }
    });
  }
  const tf = m.has('terraform') ? v.map(m.get('terraform'), 'terraform') : undefined;
  if (tf) {
    const t = v.entries(tf, 'terraform', ['binary', 'working-directory', 'lock-timeout']);
    if (t.has('binary'))
      raw.binary = v.string(t.get('binary'), 'terraform.binary', 'a command name such as terraform or tofu');
    if (t.has('working-directory'))
      raw.workingDirectory = v.directory(t.get('working-directory'), 'terraform.working-directory');
    if (t.has('lock-timeout')) {
      const d = v.duration(t.get('lock-timeout'), 'terraform.lock-timeout');
      if (d) raw.lockTimeout = `${Math.ceil(d[0] / 1000)}s`;
    }
  }
  const st = m.has('status') ? v.map(m.get('status'), 'status') : undefined;
  if (st) {
    const s = v.entries(st, 'status', ['timeout', 'interval', 'contexts']);
    if (s.has('timeout')) raw.timeout = v.duration(s.get('timeout'), 'status.timeout');
    if (s.has('interval')) raw.interval = v.duration(s.get('interval'), 'status.interval');
    if (s.has('contexts')) {
      const node = s.get('contexts');
      if (!isSeq(node) || node.items.length === 0) {
        v.at(
          node,
          'status.contexts',
          `expected a non-empty list of status context patterns such as "gitops-promote/{env}", found ${describe(node)}`,
        );
      } else {
        const list = node.items.map((c, i) =>
          v.template(c as Node, `status.contexts[${i}]`, ['env', 'group']),
        );
        if (list.every((c) => c !== undefined)) raw.contexts = list as string[];
      }
    }
  }
  const pr = m.has('promotion') ? v.map(m.get('promotion'), 'promotion') : undefined;
  if (pr) {
    const p = v.entries(pr, 'promotion', ['prflow', 'path']);
    if (p.has('prflow'))
      raw.prflow = v.choice(p.get('prflow'), 'promotion.prflow', ['per-app', 'per-env'] as const);
    if (p.has('path')) {
      const path = v.template(p.get('path'), 'promotion.path', ['group', 'env', 'app'], ['env']);
      if (path !== undefined && (path.startsWith('/') || /\\|^[A-Za-z]:|(^|\/)\.\.(\/|$)/.test(path)))
        v.at(
          p.get('path'),
          'promotion.path',
          `${JSON.stringify(path)} must stay inside the repository: a relative path with "/", no "..", e.g. "{group}/{env}"`,
        );
      else raw.path = path;
    }
  }
  return raw;
}

/** XKS gitops-promotion.yaml: `prflow`, `status_timeout_minutes`, `environments: [{name, auto}]`. */
function readXks(root: YAMLMap, v: Validator): Raw {
  const raw: Raw = {};
  const m = v.entries(root, '', ['prflow', 'status_timeout_minutes', 'environments'], true);
  if (m.has('prflow')) raw.prflow = v.choice(m.get('prflow'), 'prflow', ['per-app', 'per-env'] as const);
  if (m.has('status_timeout_minutes')) {
    const node = m.get('status_timeout_minutes');
    // The key says minutes, so a bare number means minutes here (XKS itself reads it as nanoseconds).
    if (isScalar(node) && typeof node.value === 'number' && Number.isInteger(node.value) && node.value > 0)
      raw.timeout = [node.value * 60_000, node];
    else raw.timeout = v.duration(node, 'status_timeout_minutes');
  }
  if (m.has('environments')) {
    raw.environmentsNode = m.get('environments');
    raw.environments = v.environments(
      m.get('environments'),
      'environments',
      ['name', 'auto'],
      (e, env) => {
        if (e.has('auto')) env.auto = v.boolean(e.get('auto'), `${env.path}.auto`);
      },
      true,
    );
  }
  return raw;
}

function build(format: Config['format'], source: string, raw: Raw, v: Validator): Config {
  const mainBranch = raw.mainBranch ?? DEFAULTS.mainBranch;
  const rawEnvs: RawEnvironment[] = raw.environments ?? [
    { name: 'ops', node: undefined as unknown as Node, path: 'environments[0]' },
    { name: 'apps', node: undefined as unknown as Node, path: 'environments[1]' },
  ];
  const environments: Environment[] = rawEnvs.map((e, index) => ({
    name: e.name,
    workspace: e.workspace ?? e.name,
    on: e.on ?? (index === 0 ? { branch: mainBranch } : { tag: `${e.name}-deploy-*` }),
    auto: e.auto ?? false,
    index,
  }));
  checkEnvironments(rawEnvs, environments, v);
  const timeoutMs = raw.timeout?.[0] ?? parseDuration(DEFAULTS.timeout)!;
  const intervalMs = raw.interval?.[0] ?? parseDuration(DEFAULTS.interval)!;
  if (raw.interval && intervalMs === 0)
    v.at(raw.interval[1], 'status.interval', `must be more than 0; ${DURATION_HINT}`);
  else if (raw.interval && intervalMs > timeoutMs)
    v.at(
      raw.interval[1],
      'status.interval',
      'must not be longer than status.timeout, or the status would be read only once',
    );
  return {
    source,
    format,
    mainBranch,
    environments,
    terraform: {
      binary: raw.binary ?? DEFAULTS.binary,
      workingDirectory: raw.workingDirectory ?? DEFAULTS.workingDirectory,
      lockTimeout: raw.lockTimeout ?? DEFAULTS.lockTimeout,
    },
    status: { timeoutMs, intervalMs, contexts: raw.contexts ?? DEFAULT_CONTEXTS },
    promotion: { prflow: raw.prflow ?? DEFAULTS.prflow, path: raw.path ?? DEFAULTS.path },
    warnings: [],
  };
}

/** Names unique; no two environments may be triggered by the same branch or by overlapping tags. */
function checkEnvironments(raw: RawEnvironment[], envs: Environment[], v: Validator): void {
  const seen = new Map<string, number>();
  envs.forEach((e, i) => {
    const first = seen.get(e.name);
    if (first !== undefined)
      v.at(
        raw[i]!.node,
        `${raw[i]!.path}.name`,
        `environment "${e.name}" is already defined at environments[${first}]; names must be unique`,
      );
    else seen.set(e.name, i);
  });
  const matchers = envs.map((e) => ('tag' in e.on ? safeGlob(e.on.tag) : undefined));
  for (let i = 0; i < envs.length; i++) {
    for (let j = 0; j < i; j++) {
      const a = envs[j]!.on;
      const b = envs[i]!.on;
      let clash = false;
      if ('branch' in a && 'branch' in b) clash = a.branch === b.branch;
      if ('tag' in a && 'tag' in b) {
        const ma = matchers[j];
        const mb = matchers[i];
        clash = a.tag === b.tag || !!(ma && mb && (ma(sampleOf(b.tag)) || mb(sampleOf(a.tag))));
      }
      if (clash) {
        const node = raw[i]!.onNode ?? raw[i]!.node;
        v.at(
          node,
          `${raw[i]!.path}.on`,
          `${triggerText(b)} of environment "${envs[i]!.name}" collides with ${triggerText(a)} of environment "${envs[j]!.name}"; each branch or tag may trigger one environment only`,
        );
      }
    }
  }
}

function globProblem(glob: string): string | undefined {
  try {
    compileGlob(glob);
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

function safeGlob(glob: string): ((name: string) => boolean) | undefined {
  try {
    return compileGlob(glob);
  } catch {
    return undefined;
  }
}
