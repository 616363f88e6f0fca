// Shared helpers of the benchmarks: timing, interleaved comparisons, a clean environment, tables.
import { spawnSync } from 'node:child_process';

/** Linear-interpolated quantile (q in 0…1). */
export function quantile(xs, q) {
  const s = [...xs].sort((a, b) => a - b);
  const i = (s.length - 1) * q;
  const lo = Math.floor(i);
  const hi = Math.ceil(i);
  return s[lo] + (s[hi] - s[lo]) * (i - lo);
}

export function stats(xs) {
  return {
    median: quantile(xs, 0.5),
    p25: quantile(xs, 0.25),
    p75: quantile(xs, 0.75),
    min: Math.min(...xs),
    max: Math.max(...xs),
    runs: xs.length,
  };
}

/**
 * The ratio of a subject to its baseline as the median of the ratios of the runs that were paired in one
 * round of `interleave` (run back to back): a burst of load on a shared machine then moves one pair, not
 * the whole comparison. `times` and `base` are indexed by round.
 */
export function pairedRatio(times, base) {
  return quantile(
    times.map((t, i) => t / base[i]),
    0.5,
  );
}

/** Runs a command once with its output discarded; wall time in ms and exit status. */
export function timeProcess(cmd, args, options = {}) {
  const started = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { ...options, stdio: 'ignore' });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (r.error) throw r.error;
  return { ms, status: r.status };
}

/** Runs a command once with its output captured, for checking that it does what the benchmark claims. */
export function runCaptured(cmd, args, options = {}) {
  const r = spawnSync(cmd, args, { ...options, encoding: 'utf8', maxBuffer: 256 << 20 });
  if (r.error) throw r.error;
  return { status: r.status, output: `${r.stdout}\n${r.stderr}` };
}

/**
 * Times each variant `runs` times, interleaved (the order rotates every round) so that a machine busy
 * with other work slows every variant alike. `prepare` (untimed) runs before every timed call.
 * Returns each variant's times in ms.
 */
export function interleave(variants, runs, prepare = () => {}) {
  const times = variants.map(() => []);
  for (let round = 0; round < runs; round++) {
    for (let k = 0; k < variants.length; k++) {
      const i = (round + k) % variants.length;
      prepare(variants[i]);
      times[i].push(variants[i].time());
    }
  }
  return times;
}

/** The environment with no trace of a CI system the benchmark itself may run under. */
export function cleanEnv(extra = {}) {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(GITHUB_|RUNNER_|INPUT_|ACTIONS_|BUILD_|SYSTEM_|AGENT_|GITOPS_PROMOTE_)|^(TF_BUILD|CI)$/.test(k))
      continue;
    env[k] = v;
  }
  return { ...env, ...extra };
}

export const ms = (x) => (x >= 100 ? x.toFixed(0) : x.toFixed(1));

/** A table as aligned text, or as Markdown padded the way biome formats it. `align`: `l`/`r` per column. */
export function renderTable(headers, rows, align, markdown = false) {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const pad = (c, i) => (align[i] === 'r' ? String(c).padStart(widths[i]) : String(c).padEnd(widths[i]));
  if (markdown) {
    const sep = widths.map((w, i) => (align[i] === 'r' ? `${'-'.repeat(w - 1)}:` : '-'.repeat(w)));
    const line = (r) => `| ${r.map(pad).join(' | ')} |`;
    return [line(headers), `| ${sep.join(' | ')} |`, ...rows.map(line)].join('\n');
  }
  const line = (r) => r.map(pad).join('  ').trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}
