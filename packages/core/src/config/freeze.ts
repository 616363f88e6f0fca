import { isScalar, isSeq, type Node } from 'yaml';
import { type FreezeWindow, parseInstant, parseWeekly, timeZoneProblem } from '../gate/freeze';
import type { Environment } from './model';
import { describe, type RawFreeze, type Validator } from './validate';

const KEYS = ['environments', 'from', 'until', 'weekly', 'timezone'];
const INSTANT_HINT = 'an ISO 8601 date-time such as "2026-12-20T00:00:00Z" (no offset: read in timezone)';

/** `freeze:` entries: a one-off window (from, until) or a weekly one, each for named environments. */
export function readFreeze(node: Node | undefined, v: Validator): RawFreeze[] | undefined {
  if (!isSeq(node)) {
    v.at(node, 'freeze', `expected a list of windows (- environments: [apps] …), found ${describe(node)}`);
    return undefined;
  }
  const out: RawFreeze[] = [];
  node.items.forEach((item, i) => {
    const path = `freeze[${i}]`;
    const map = v.map(item as Node, path);
    if (!map) return;
    const e = v.entries(map, path, KEYS);
    const names = readNames(e.get('environments'), `${path}.environments`, map, v);
    let zone = 'UTC';
    if (e.has('timezone')) {
      const z = v.string(e.get('timezone'), `${path}.timezone`, 'an IANA time zone such as Europe/Stockholm');
      const problem = z === undefined ? undefined : timeZoneProblem(z);
      if (problem) v.at(e.get('timezone'), `${path}.timezone`, problem);
      if (z === undefined || problem) return;
      zone = z;
    }
    const window = readWindow(e, path, zone, map, v);
    if (window && names)
      out.push({ window: { ...window, environments: names.map(([n]) => n) }, names, path });
  });
  return out;
}

function readNames(
  node: Node | undefined,
  path: string,
  entry: Node,
  v: Validator,
): [string, Node][] | undefined {
  if (node === undefined) {
    v.at(entry, path, 'every freeze window names the environments it freezes, e.g. environments: [apps]');
    return undefined;
  }
  if (!isSeq(node) || node.items.length === 0) {
    v.at(node, path, `expected a non-empty list of environment names, found ${describe(node)}`);
    return undefined;
  }
  const names = node.items.map((n, i) => [v.string(n as Node, `${path}[${i}]`, 'an environment name'), n]);
  return names.every(([n]) => n !== undefined) ? (names as [string, Node][]) : undefined;
}

/** The window, its environments filled in by the caller. */
type Window = FreezeWindow | undefined;

function readWindow(e: Map<string, Node>, path: string, zone: string, entry: Node, v: Validator): Window {
  const once = e.has('from') || e.has('until');
  if (once === e.has('weekly')) {
    v.at(
      entry,
      path,
      'give either from and until (one window) or weekly (every week, e.g. weekly: "fri 16:00 - mon 08:00")',
    );
    return undefined;
  }
  if (e.has('weekly')) {
    const text = v.string(
      e.get('weekly'),
      `${path}.weekly`,
      'a weekly window such as "fri 16:00 - mon 08:00"',
    );
    if (text === undefined) return undefined;
    const w = parseWeekly(text);
    if ('problem' in w) return void v.at(e.get('weekly'), `${path}.weekly`, w.problem);
    return {
      kind: 'weekly',
      environments: [],
      ...w,
      timezone: zone,
      label: `${path} (weekly ${text.trim()} ${zone})`,
    };
  }
  const [from, until] = (['from', 'until'] as const).map((k) => instant(e, k, path, zone, entry, v));
  if (from === undefined || until === undefined) return undefined;
  if (until[0] <= from[0]) {
    v.at(
      e.get('until'),
      `${path}.until`,
      `${until[1]} is not after from (${from[1]}); the window would be empty`,
    );
    return undefined;
  }
  return {
    kind: 'once',
    environments: [],
    from: from[0],
    until: until[0],
    label: `${path} (${from[1]} to ${until[1]})`,
  };
}

function instant(
  e: Map<string, Node>,
  key: 'from' | 'until',
  path: string,
  zone: string,
  entry: Node,
  v: Validator,
): [number, string] | undefined {
  const node = e.get(key);
  if (!node) return void v.at(entry, `${path}.${key}`, `a one-off window needs ${key}: ${INSTANT_HINT}`);
  const text =
    isScalar(node) && node.value instanceof Date
      ? node.value.toISOString()
      : v.string(node, `${path}.${key}`, INSTANT_HINT);
  if (text === undefined) return undefined;
  const t = parseInstant(text, zone);
  if (t === undefined)
    return void v.at(node, `${path}.${key}`, `${JSON.stringify(text)} is not ${INSTANT_HINT}`);
  return [t, text];
}

/** The windows, each naming only environments the configuration has. */
export function freezeWindows(raw: RawFreeze[], envs: Environment[], v: Validator): FreezeWindow[] {
  const known = envs.map((e) => e.name);
  for (const f of raw)
    for (const [name, node] of f.names)
      if (!known.includes(name))
        v.at(
          node,
          `${f.path}.environments`,
          `unknown environment ${JSON.stringify(name)}; the environments are ${known.join(', ')}`,
        );
  return raw.map((f) => f.window);
}
