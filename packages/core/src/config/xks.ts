import { isScalar, type YAMLMap } from 'yaml';
import type { Raw, Validator } from './validate';

/** XKS gitops-promotion.yaml: `prflow`, `status_timeout_minutes`, `environments: [{name, auto}]`. */
export function readXks(root: YAMLMap, v: Validator): Raw {
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

/** The one warning naming the XKS keys read and set aside, or `undefined` when there were none. */
export function ignoredKeysWarning(file: string, ignored: string[]): string | undefined {
  if (!ignored.length) return undefined;
  return `${file}: ignoring ${ignored.join(', ')}: gitops-promote does not act on ${ignored.length === 1 ? 'this XKS key' : 'these XKS keys'} (feature environments are not supported)`;
}
