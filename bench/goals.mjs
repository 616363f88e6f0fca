// The goals table of issue 16, each row computed from the sections measured in this run.
const KB = 1024;
const MB = 1024 * 1024;

const ratio = (x) => (x === undefined ? 'not measured' : `${x.toFixed(2)}×`);
const median = (row) => row?.subject.median;

function row(what, value, show, goal, ok) {
  return {
    what,
    measured: value === undefined ? 'not measured' : show(value),
    goal,
    met: value === undefined ? undefined : ok(value),
  };
}

export function goalRows(sections) {
  const startup = sections.startup ?? [];
  const de = startup.find((r) => r.step === 'determine-environment' && r.name.includes('GitHub'));
  const others = startup.filter((r) => r.step !== 'determine-environment' && r.step !== 'cli');
  const worst = others.length ? Math.max(...others.map((r) => r.ratio)) : undefined;
  const tf = sections.terraform ?? [];
  const tfWorst = (op) => {
    const rows = tf.filter((r) => r.name.startsWith(`${op} ·`));
    return rows.length ? Math.max(...rows.map((r) => r.ratio)) : undefined;
  };
  const summary = sections.summary ?? [];
  const big = summary.find((r) => /^summarisePlan\(text\), 10000/.test(r.name));
  const small = summary.find((r) => /^summarisePlan\(text\), 1000 /.test(r.name));
  const growth = big && small ? median(big) / median(small) : undefined;
  const parseGrowth = big && small ? big.baseline.median / small.baseline.median : undefined;
  const api = sections.api;
  const sizes = sections.sizes;
  const tags = api && [
    api['promote-tag git-tag, 0 earlier deploy tags'],
    api['promote-tag git-tag, 100 earlier deploy tags'],
  ];
  return [
    row(
      'determine-environment start, GitHub runtime, vs node -e 0',
      de?.ratio,
      ratio,
      '≤ 1.6×',
      (x) => x <= 1.6,
    ),
    row("any other step's start to its first decision (worst row)", worst, ratio, '≤ 2.0×', (x) => x <= 2),
    row(
      'bytes of files determine-environment opens (GitHub)',
      de?.loads.bytes,
      (b) => `${(b / KB).toFixed(0)} KB`,
      '≤ 600 KB',
      (b) => b <= 600 * KB,
    ),
    row(
      'dist/ total',
      sizes?.dist,
      (b) => `${(b / MB).toFixed(1)} MB (Azure task bundles ${(sizes.distAzure / MB).toFixed(1)} MB of it)`,
      '≤ 6 MB',
      (b) => b <= 6 * MB,
    ),
    row(
      'the .vsix',
      sizes?.vsix,
      (b) => `${(b / MB).toFixed(2)} MB`,
      '≤ 2 MB',
      (b) => b <= 2 * MB,
    ),
    row(
      'terraform-run vs the shell script, plan (worst row)',
      tfWorst('plan'),
      ratio,
      '≤ 1.3×',
      (x) => x <= 1.3,
    ),
    row(
      'terraform-run vs the shell script, apply (worst row)',
      tfWorst('apply'),
      ratio,
      '≤ 1.15×',
      (x) => x <= 1.15,
    ),
    row('plan summary of 10k changes vs JSON.parse', big?.ratio, ratio, '≤ 2×', (x) => x <= 2),
    row(
      'plan summary growth 1k → 10k',
      growth,
      (x) => `${x.toFixed(1)}× (JSON.parse ${parseGrowth.toFixed(1)}×)`,
      '≤ 11×',
      (x) => x <= 11,
    ),
    row(
      'promote-tag git-tag requests, 0 / 100 earlier deploy tags',
      tags?.[0] === undefined ? undefined : tags,
      (t) => `${t[0]} / ${t[1]}`,
      '≤ 8, flat',
      (t) => Math.max(...t) <= 8,
    ),
    row(
      'check-previous-env requests per poll, 250 statuses',
      api?.['check-previous-env, one poll, 250 statuses'],
      String,
      '≤ 4',
      (x) => x <= 4,
    ),
    row(
      'pull-request strategy new on the API double',
      api?.['promote-tag pull-request new, ms (API double)'],
      (x) => `${(x / 1000).toFixed(2)} s (${api['promote-tag pull-request new, requests']} requests)`,
      '≤ 1.5 s',
      (x) => x <= 1500,
    ),
  ];
}
