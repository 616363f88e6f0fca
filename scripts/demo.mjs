// npm run demo: the whole Kubestack flow on this machine, with no hosting service. A bare Git repository
// is the remote, statuses are Git notes, the real terraform plans and applies terraform_data resources.
// Every step is the built bundle, run from a terminal as `gitops-promote <step> …`.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cli = join(root, 'dist', 'cli', 'index.cjs');
const tty = process.stdout.isTTY;
const bold = (s) => (tty ? `\x1b[1m${s}\x1b[0m` : s);
const dim = (s) => (tty ? `\x1b[2m${s}\x1b[0m` : s);

const terraform = spawnSync('terraform', ['version'], { encoding: 'utf8' });
if (terraform.error || terraform.status !== 0) {
  console.error(
    'demo: terraform was not found on PATH; install Terraform 1.5 or newer (the demo runs offline) and run npm run demo again',
  );
  process.exit(1);
}

const env = {
  ...process.env,
  GIT_AUTHOR_NAME: 'Demo',
  GIT_AUTHOR_EMAIL: 'demo@example.com',
  GIT_COMMITTER_NAME: 'Demo',
  GIT_COMMITTER_EMAIL: 'demo@example.com',
  GITOPS_PROMOTE_SUMMARY: 'off',
};
for (const k of Object.keys(env)) if (/^(GITHUB_|INPUT_|TF_BUILD|BUILD_|SYSTEM_)/.test(k)) delete env[k];
// A CLI configuration file that is named but missing only makes terraform print a warning per command.
if (env.TF_CLI_CONFIG_FILE && !existsSync(env.TF_CLI_CONFIG_FILE)) delete env.TF_CLI_CONFIG_FILE;

const home = mkdtempSync(join(tmpdir(), 'gitops-promote-demo-'));
const remote = join(home, 'infrastructure.git');
const work = join(home, 'infrastructure');
const git = (...args) => execFileSync('git', args, { cwd: work, env, encoding: 'utf8' }).trim();

function chapter(title) {
  console.log(`\n${bold(`━━ ${title} `)}${'━'.repeat(Math.max(0, 72 - title.length))}`);
}

/** Runs one step as CI would, prints its log and outputs; stops the demo when it fails unexpectedly. */
function step(name, inputs = {}, { mayFail = false } = {}) {
  const args = [cli, name];
  for (const [k, v] of Object.entries(inputs)) args.push(`--${k}`, v);
  console.log(
    `\n${bold('$')} gitops-promote ${name}${Object.entries(inputs)
      .map(([k, v]) => ` --${k} ${v}`)
      .join('')}`,
  );
  const r = spawnSync(process.execPath, [...args, '--json'], { cwd: work, env, encoding: 'utf8' });
  const log = r.stderr.trimEnd();
  if (log) console.log(log.replace(/^/gm, dim('│ ')));
  if (r.status !== 0) {
    if (mayFail) return undefined;
    console.error(`demo: ${name} failed unexpectedly (exit ${r.status}); the repository is kept in ${home}`);
    process.exit(1);
  }
  const outputs = JSON.parse(r.stdout);
  const shown = Object.entries(outputs).filter(
    ([k, v]) => v !== '' && !['matrix', 'statuses', 'plan-file', 'plan-json-file'].includes(k),
  );
  console.log(shown.map(([k, v]) => `  ${k}=${v.length > 90 ? `${v.slice(0, 87)}…` : v}`).join('\n'));
  return outputs;
}

chapter('A Kubestack repository (examples/kubestack) with a bare Git remote');
execFileSync('git', ['init', '-q', '--bare', '-b', 'main', remote], { env });
cpSync(join(root, 'examples', 'kubestack'), work, { recursive: true });
execFileSync('git', ['init', '-q', '-b', 'main', work], { env });
git('remote', 'add', 'origin', remote);
git('add', '-A');
git('commit', '-q', '-m', 'Kubestack: ops, apps and apps-prod clusters');
git('push', '-q', 'origin', 'main');
console.log(`remote ${remote}\nclone  ${work}`);

chapter('1. A feature branch: plan ops');
git('checkout', '-q', '-b', 'feature/ingress');
writeFileSync(
  join(work, 'ingress.tf'),
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a Terraform interpolation, not JavaScript's
  'resource "terraform_data" "ingress" {\n  input = "ingress-${terraform.workspace}"\n}\n',
);
git('add', '-A');
git('commit', '-q', '-m', 'Add an ingress controller');
git('push', '-q', 'origin', 'feature/ingress');
step('determine-environment');
step('terraform-run', { environment: 'ops', operation: 'plan' });

chapter('2. Merged into main: apply ops, then plan apps for review');
git('checkout', '-q', 'main');
git('merge', '-q', '--no-ff', '-m', 'Merge feature/ingress', 'feature/ingress');
git('push', '-q', 'origin', 'main');
const merge = git('rev-parse', 'HEAD');
const decided = step('determine-environment');
step('terraform-run', { environment: decided.environment, operation: decided.operation });
const appsPlan = step('terraform-run', { environment: decided['next-environment'], operation: 'plan' });

chapter('3. Promote: the apps deploy tag, only once ops reported success');
const promoted = step('promote-tag', { 'from-environment': 'ops' });
step('promote-tag', { 'from-environment': 'ops' });
console.log(dim('  (run twice: the second run finds the tag and creates nothing)'));

chapter('4. The deploy tag run: gate on ops, apply exactly the reviewed apps plan');
git('fetch', '-q', 'origin', '--tags');
git('checkout', '-q', '--detach', `refs/tags/${promoted.tag}`);
step('determine-environment');
step('check-previous-env');
const applied = step('terraform-run', { environment: 'apps', operation: 'apply' });
if (applied.fingerprint !== appsPlan.fingerprint) {
  console.error('demo: the applied apps plan is not the reviewed one');
  process.exit(1);
}

chapter('5. apps-prod is not next in line until apps reports success… which it now does');
git('checkout', '-q', 'main');
const prod = step('promote-tag', { environment: 'apps-prod' });

chapter("6. Drift: a resource removed behind Terraform's back, found by the schedule, cleared by a re-apply");
const tf = (...args) => execFileSync('terraform', args, { cwd: work, env, stdio: 'ignore' });
const schedule = step('determine-environment', { event: 'schedule' });
const entries = JSON.parse(schedule.matrix).include;
const appsEntry = entries.find((m) => m.environment === 'apps');
const leftOut = ['ops', 'apps', 'apps-prod'].filter((e) => !entries.some((m) => m.environment === e));
console.log(dim(`  apps runs ${appsEntry.ref}; left out, never applied: ${leftOut.join(', ') || 'none'}`));
git('checkout', '-q', '--detach', appsEntry.sha);
step('terraform-run', { environment: 'apps', operation: 'drift' });
console.log(dim('  $ terraform state rm terraform_data.node_pool   (someone deletes the node pool by hand)'));
tf('workspace', 'select', 'apps');
tf('state', 'rm', 'terraform_data.node_pool');
const drifted = step('terraform-run', { environment: 'apps', operation: 'drift' });
console.log(dim('  $ terraform apply   (the deployed commit, applied again)'));
tf('apply', '-auto-approve', '-input=false');
const cleared = step('terraform-run', { environment: 'apps', operation: 'drift' });
if (drifted.drift !== 'true' || cleared.drift !== 'false') {
  console.error('demo: the drift run did not find the removed resource, or found it after the repair');
  process.exit(1);
}
git('checkout', '-q', 'main');

chapter('Where each environment is');
git('fetch', '-q', 'origin', '+refs/notes/*:refs/notes/*');
const notes = (sha) => {
  try {
    return execFileSync('git', ['notes', '--ref=refs/notes/gitops-promote', 'show', sha], {
      cwd: work,
      env,
      encoding: 'utf8',
    })
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l));
  } catch {
    return [];
  }
};
const statuses = notes(merge);
const tags = git('tag', '--points-at', merge).split('\n').filter(Boolean);
const config = readFileSync(join(work, 'gitops-promote.yaml'), 'utf8');
const envs = [...config.matchAll(/- name: ([\w-]+)/g)].map((m) => m[1]);
const rows = envs.map((e) => {
  const mine = statuses.filter((s) => s.context === `gitops-promote/${e}`);
  const last = mine[mine.length - 1];
  const tag = tags.find((t) => t.startsWith(`${e}-deploy-`));
  const state = last ? `${last.state}: ${last.description}` : 'not applied';
  const waiting = !last && tag ? `tag ${tag} waits for its run` : !last ? 'waits for promotion' : '';
  return [e, last ? merge.slice(0, 12) : '—', tag ?? (e === envs[0] ? 'main' : '—'), state, waiting];
});
const widths = [0, 1, 2, 3].map((i) =>
  Math.max(...rows.map((r) => r[i].length), ['environment', 'commit', 'from', 'state'][i].length),
);
const line = (cells) => cells.map((c, i) => (i < 4 ? c.padEnd(widths[i]) : c)).join('  ');
console.log(bold(line(['environment', 'commit', 'from', 'state', 'next'])));
for (const r of rows) console.log(line(r));
console.log(
  `\nThe demo repository stays in ${home} (statuses: git notes --ref=refs/notes/gitops-promote show ${merge.slice(0, 12)}).`,
);
console.log(`Created tags: ${promoted.tag}, ${prod.tag}`);

chapter('7. Parity: a change that apps would make differently from ops, flagged at plan time');
writeFileSync(
  join(work, 'debug.tf'),
  // A resource only apps gets: what ops validates is then not what apps will run (Kubestack's second pitfall).
  'resource "terraform_data" "debug_bastion" {\n  count = terraform.workspace == "apps" ? 1 : 0\n  input = "ssh"\n}\n',
);
git('add', '-A');
git('commit', '-q', '-m', 'A debugging bastion, for apps only');
git('push', '-q', 'origin', 'main');
step('terraform-run', { environment: 'ops', operation: 'apply' });
const parity = step('terraform-run', { environment: 'apps', operation: 'plan' });
const found = JSON.parse(parity['parity-report']);
for (const u of found.unexercised)
  console.log(`  unexercised: ${u.action} ${u.address} (ops: ${u.previous})`);
for (const d of found.inventory) console.log(`  inventory:   ${d.address} only in ${d.onlyIn}`);
console.log(
  dim(
    '  (parity: error in gitops-promote.yaml would fail this plan; parity.ignore lists intended differences)',
  ),
);
