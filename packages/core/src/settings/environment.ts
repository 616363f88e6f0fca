import type { Config, Environment } from '../config/model';
import { determineForRun } from '../determine';
import { InputError } from '../errors';
import type { Inputs } from '../inputs';
import type { RunContext } from '../runtime';

/**
 * How a step lists the environments when a name is unknown. Steps that take one name say "use one of …";
 * steps that take a list (or read the name as a key) say "… defines …". Both wordings are part of the output.
 */
export type Listing = 'use-one-of' | 'defines';

export function findEnvironment(config: Config, name: string): Environment | undefined {
  return config.environments.find((e) => e.name === name);
}

/** The environments of the configuration, as a hint after an unknown name. */
export function knownEnvironments(config: Config, listing: Listing = 'use-one-of'): string {
  const names = config.environments.map((e) => e.name).join(', ');
  // With no file, `default` would read as a file name.
  const where =
    config.source === 'default' ? 'the default configuration (no gitops-promote.yaml)' : config.source;
  return listing === 'defines'
    ? `${where} defines ${names}`
    : `use one of the environments in ${where}: ${names}`;
}

/** The environment an input names; an unknown name fails naming the input and the known environments. */
export function environmentInput(
  config: Config,
  input: string,
  name: string,
  listing: Listing = 'use-one-of',
): Environment {
  const env = findEnvironment(config, name);
  if (!env) throw new InputError(input, name, knownEnvironments(config, listing));
  return env;
}

/**
 * promote-tag: the environment to promote into. `environment` names it; else it is the one after
 * `from-environment`, else the one after the environment this run applied.
 */
export function promotionTarget(config: Config, inputs: Inputs, ctx: RunContext): Environment {
  const envName = inputs.string('environment');
  if (envName) {
    const env = environmentInput(config, 'environment', envName);
    if (env.index === 0)
      throw new InputError(
        'environment',
        envName,
        `${envName} is the first environment; nothing is promoted into it`,
      );
    return env;
  }
  const fromName = inputs.string('from-environment');
  let from: Environment;
  if (fromName) from = environmentInput(config, 'from-environment', fromName);
  else {
    const d = determineForRun(config, ctx);
    if (d.operation !== 'apply')
      throw new InputError(
        'environment',
        '',
        `this run applied no environment (${d.reason}); give environment or from-environment`,
      );
    from = findEnvironment(config, d.environment)!;
  }
  const next = config.environments[from.index + 1];
  if (!next)
    throw new InputError(
      fromName ? 'from-environment' : 'environment',
      fromName,
      `${from.name} is the last environment; there is nothing after it to promote to`,
    );
  return next;
}

/** What check-previous-env guards: the environment about to change, and the one before it. */
export interface GateTarget {
  name: string;
  previous?: Environment;
  /** The change reaches the target through a deploy tag: the commit must be on the main branch. */
  viaTag: boolean;
}

/**
 * check-previous-env: `environment`, else the one after `previous-environment`, else the environment
 * this run acts on, decided as determine-environment would.
 */
export function gateTarget(config: Config, inputs: Inputs, ctx: RunContext): GateTarget {
  const prevName = inputs.string('previous-environment');
  const envName = inputs.string('environment');
  const tagRun = ctx.ref?.startsWith('refs/tags/') === true;
  if (envName) {
    const env = environmentInput(config, 'environment', envName);
    const previous = config.environments[env.index - 1];
    if (prevName && previous?.name !== prevName)
      throw new InputError(
        'previous-environment',
        prevName,
        `${envName} comes after ${previous?.name ?? 'no environment'}; give environment or previous-environment, not both`,
      );
    return { name: env.name, previous, viaTag: 'tag' in env.on && tagRun };
  }
  if (prevName) {
    const previous = environmentInput(config, 'previous-environment', prevName);
    const next = config.environments[previous.index + 1];
    return { name: next?.name ?? '(after the last)', previous, viaTag: tagRun };
  }
  const d = determineForRun(config, ctx);
  // A schedule (drift) names every environment, none in particular.
  if (d.operation === 'none' || d.operation === 'drift')
    throw new InputError(
      'environment',
      '',
      `this run acts on no environment (${d.reason}); give environment`,
    );
  const env = findEnvironment(config, d.environment)!;
  return { name: env.name, previous: config.environments[env.index - 1], viaTag: d.trigger === 'tag' };
}

/**
 * render-manifests: the environments the `environment` input lists (one per line, duplicates once), else
 * the one this run acts on; none, with the reason, when the run acts on none.
 */
export function renderEnvironments(
  config: Config,
  inputs: Inputs,
  ctx: RunContext,
): { environments: Environment[]; reason: string } {
  const names = inputs.lines('environment');
  if (names.length) {
    const environments: Environment[] = [];
    for (const name of names) {
      const env = environmentInput(config, 'environment', name, 'defines');
      if (!environments.includes(env)) environments.push(env);
    }
    return { environments, reason: '' };
  }
  let d: ReturnType<typeof determineForRun>;
  try {
    d = determineForRun(config, ctx);
  } catch (e) {
    if (e instanceof InputError)
      throw new InputError(
        'environment',
        '',
        `give the environments to render (one per line; ${knownEnvironments(config, 'defines')}): this run's own event says none (${e.message})`,
      );
    throw e;
  }
  if (d.operation === 'none' || d.operation === 'drift') return { environments: [], reason: d.reason };
  return { environments: [findEnvironment(config, d.environment)!], reason: '' };
}
