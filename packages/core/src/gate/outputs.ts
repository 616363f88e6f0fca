import type { Config } from '../config/model';
import { GitopsError } from '../errors';
import type { Outputs } from '../runtime';
import type { CheckPreviousEnvOutput } from '../steps/check-previous-env';
import type { EnvironmentResult } from './commit';
import { activeFreeze, frozenMessage } from './freeze';

/** Inside a freeze window of the environment about to receive the change: state `frozen`, and a failure. */
export function refuseFrozen(
  out: Outputs<CheckPreviousEnvOutput>,
  config: Config,
  environment: string,
  now = Date.now(),
): void {
  const freeze = activeFreeze(config.freeze, environment, now);
  if (!freeze) return;
  out.state = 'frozen';
  out.statuses = '[]';
  out['frozen-until'] = new Date(freeze.until).toISOString();
  throw new GitopsError(frozenMessage(environment, freeze));
}

/** Whole seconds the deciding success must still stand, e.g. `1500s`; `0s` when it has. */
export function soakRemaining(r: EnvironmentResult): string {
  return `${Math.ceil(r.soakLeftMs / 1000)}s`;
}

/** promote-tag into a frozen environment: refused before anything is written. */
export function refuseFrozenPromotion(config: Config, environment: string, now = Date.now()): void {
  const freeze = activeFreeze(config.freeze, environment, now);
  if (freeze) throw new GitopsError(`${frozenMessage(environment, freeze)} (nothing was created)`);
}
