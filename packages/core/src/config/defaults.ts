import type { Node } from 'yaml';
import { DURATION_HINT, parseDuration } from '../duration';
import { compileGlob, sampleOf } from '../refs';
import { freezeWindows } from './freeze';
import { type Config, DEFAULT_CONTEXTS, type Environment, triggerText } from './model';
import type { Raw, RawEnvironment, Validator } from './validate';

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

/** The configuration: what the file gave, the defaults for the rest; cross-key problems reported on `v`. */
export function build(format: Config['format'], source: string, raw: Raw, v: Validator): Config {
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
    status: {
      timeoutMs,
      intervalMs,
      contexts: raw.contexts ?? DEFAULT_CONTEXTS,
      require: raw.require ?? 'all',
      soakMs: raw.soak?.[0] ?? 0,
    },
    freeze: freezeWindows(raw.freeze ?? [], environments, v),
    promotion: { prflow: raw.prflow ?? DEFAULTS.prflow, path: raw.path ?? DEFAULTS.path },
    parity: { mode: raw.parityMode ?? 'warn', ignore: raw.parityIgnore ?? [] },
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

function safeGlob(glob: string): ((name: string) => boolean) | undefined {
  try {
    return compileGlob(glob);
  } catch {
    return undefined;
  }
}
