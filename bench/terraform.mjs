// terraform-run (terminal runtime) against bench/terraform-run.sh, the same Terraform commands in a shell
// script, on 200 `terraform_data` resources with the local backend. Every timed run starts from nothing:
// no .terraform, no state, so each one inits, creates the workspace and plans 200 creations.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cleanEnv, interleave, pairedRatio, runCaptured, stats, timeProcess } from './lib.mjs';

const SCRIPT = join(dirname(fileURLToPath(import.meta.url)), 'terraform-run.sh');
export const RESOURCES = 200;
const LOCK_TIMEOUT = '60s';

export function terraformVersion() {
  try {
    const out = execFileSync('terraform', ['version', '-json'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    return JSON.parse(out).terraform_version;
  } catch {
    return undefined;
  }
}

function makeRepo(work) {
  const repo = join(work, 'tf-repo');
  const origin = join(work, 'tf-origin.git');
  mkdirSync(join(repo, 'infra'), { recursive: true });
  execFileSync('git', ['init', '-q', '--bare', origin]);
  execFileSync('git', ['init', '-q', '-b', 'main', repo]);
  writeFileSync(
    join(repo, 'gitops-promote.yaml'),
    [
      'environments:',
      '  - name: ops',
      '  - name: apps',
      '    on: { tag: "apps-deploy-*" }',
      'terraform:',
      '  working-directory: infra',
      `  lock-timeout: ${LOCK_TIMEOUT}`,
      '',
    ].join('\n'),
  );
  writeFileSync(
    join(repo, 'infra', 'main.tf'),
    `resource "terraform_data" "r" {
  count = ${RESOURCES}
  input = { name = "resource-\${count.index}", tags = { team = "bench", index = count.index } }
}

output "ids" {
  value = terraform_data.r[*].id
}
`,
  );
  writeFileSync(join(repo, '.gitignore'), '.terraform/\nterraform.tfstate.d/\n');
  const git = (args) => execFileSync('git', args, { cwd: repo, stdio: 'ignore' });
  git(['add', '-A']);
  git(['-c', 'user.name=bench', '-c', 'user.email=bench@example.invalid', 'commit', '-qm', 'bench']);
  git(['remote', 'add', 'origin', origin]);
  git(['push', '-q', 'origin', 'main']);
  return repo;
}

export function terraformBench({ dist, work, runs, log }) {
  const bundle = join(dist, 'terraform-run', 'index.cjs');
  if (!existsSync(bundle)) throw new Error(`${bundle} missing: build the bundles first`);
  const repo = makeRepo(work);
  const infra = join(repo, 'infra');
  // The step's plan directories and the script's mktemp land here, emptied before every run.
  const tmp = join(work, 'tf-tmp');
  const env = cleanEnv({ TMPDIR: tmp });
  const reset = () => {
    for (const p of ['.terraform', '.terraform.lock.hcl', 'terraform.tfstate', 'terraform.tfstate.d'])
      rmSync(join(infra, p), { recursive: true, force: true });
    rmSync(tmp, { recursive: true, force: true });
    mkdirSync(tmp);
  };

  const rows = [];
  for (const operation of ['plan', 'apply']) {
    const done =
      operation === 'plan'
        ? /Plan: 200 to add, 0 to change, 0 to destroy/
        : /Apply complete! Resources: 200 added/;
    const shell = {
      name: `${operation} · shell script`,
      cmd: 'bash',
      args: [SCRIPT, operation, 'ops', LOCK_TIMEOUT],
      cwd: infra,
    };
    const step = [bundle, '--environment', 'ops', '--operation', operation, '--comment', 'off'];
    const variants = [
      shell,
      {
        name: `${operation} · terraform-run, no hosting service`,
        note: '--status false --require-reviewed-plan off',
        cmd: process.execPath,
        args: [...step, '--status', 'false', '--require-reviewed-plan', 'off'],
        cwd: repo,
      },
      {
        name: `${operation} · terraform-run, statuses in git notes on a local origin`,
        note:
          operation === 'apply'
            ? 'reads the recorded plan, writes pending + success statuses (git fetch/push)'
            : 'writes the plan status (git push)',
        cmd: process.execPath,
        args: step,
        cwd: repo,
        hosting: true,
      },
    ];
    for (const v of variants) {
      reset();
      const r = runCaptured(v.cmd, v.args, { cwd: v.cwd, env });
      const wrong =
        r.status !== 0
          ? `exit ${r.status}`
          : !done.test(r.output)
            ? `no ${done}`
            : v.hosting && /no hosting service|could not write|warning:/.test(r.output)
              ? 'a hosting warning'
              : undefined;
      if (wrong) throw new Error(`${v.name}: ${wrong}:\n${r.output.slice(-3000)}`);
      v.time = () => {
        const t = timeProcess(v.cmd, v.args, { cwd: v.cwd, env });
        if (t.status !== 0) throw new Error(`${v.name}: exit ${t.status}`);
        return t.ms;
      };
    }
    const times = interleave(variants, runs, reset);
    const base = stats(times[0]);
    for (let i = 1; i < variants.length; i++) {
      const row = {
        section: 'terraform',
        name: variants[i].name,
        note: variants[i].note,
        subject: stats(times[i]),
        baselineName: 'shell script',
        baseline: base,
      };
      row.ratio = pairedRatio(times[i], times[0]);
      row.ratioOfMedians = row.subject.median / base.median;
      log(`  ${row.name}: ${row.subject.median.toFixed(0)} ms (shell script: ${base.median.toFixed(0)} ms)`);
      rows.push(row);
    }
  }
  reset();
  return rows;
}
