// examples/kubestack/templates/install-terraform.yml: its script step run by bash as the agent runs it,
// with curl answered from a local copy of releases.hashicorp.com. It installs only an archive whose
// SHA-256 is the one HashiCorp publishes, and puts it on the PATH of the next steps.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ROOT } from './support/bundle';
import { tempDir } from './support/git';

const TEMPLATE = join(ROOT, 'examples', 'kubestack', 'templates', 'install-terraform.yml');
const VERSION = '1.11.4';

/** The script of the template's bash step, with its parameter filled in as Azure does at compile time. */
function script(version: string): string {
  const t = parse(readFileSync(TEMPLATE, 'utf8')) as { steps: { bash: string }[] };
  return t.steps[0]!.bash.replace(/\$\{\{\s*parameters\.version\s*\}\}/g, version);
}

const platform = () => {
  const arch = { x86_64: 'amd64', aarch64: 'arm64', arm64: 'arm64' }[
    execFileSync('uname', ['-m']).toString().trim()
  ];
  return `${execFileSync('uname', ['-s']).toString().trim().toLowerCase()}_${arch}`;
};

/** releases.hashicorp.com/terraform/<version>/ with an archive whose terraform prints its version. */
function releases(tamper: boolean) {
  const root = tempDir('gp-releases-');
  const dir = join(root, 'terraform', VERSION);
  mkdirSync(dir, { recursive: true });
  const build = tempDir('gp-tf-build-');
  writeFileSync(join(build, 'terraform'), `#!/bin/sh\necho "Terraform v${VERSION}"\n`);
  chmodSync(join(build, 'terraform'), 0o755);
  const zip = `terraform_${VERSION}_${platform()}.zip`;
  execFileSync('zip', ['-q', join(dir, zip), 'terraform'], { cwd: build });
  const sum = execFileSync('sha256sum', [zip], { cwd: dir }).toString();
  // HashiCorp's file lists every platform; the script must pick its own line only.
  writeFileSync(
    join(dir, `terraform_${VERSION}_SHA256SUMS`),
    `${'0'.repeat(64)}  terraform_${VERSION}_other_arch.zip\n${sum}`,
  );
  if (tamper) writeFileSync(join(dir, zip), Buffer.concat([readFileSync(join(dir, zip)), Buffer.from('x')]));
  return root;
}

/** A curl that answers https://releases.hashicorp.com/… from a folder, and logs what it was asked. */
function fakeCurl(releasesRoot: string) {
  const bin = tempDir('gp-bin-');
  writeFileSync(
    join(bin, 'curl'),
    `#!/bin/bash
out=""; url=""
while [ $# -gt 0 ]; do case "$1" in -o) out="$2"; shift 2 ;; --retry) shift 2 ;; -*) shift ;; *) url="$1"; shift ;; esac; done
echo "$url" >> "${releasesRoot}/asked"
path="\${url#https://releases.hashicorp.com/}"
[ "$path" != "$url" ] && [ -f "${releasesRoot}/$path" ] || exit 22
cp "${releasesRoot}/$path" "$out"
`,
  );
  chmodSync(join(bin, 'curl'), 0o755);
  return bin;
}

function install(tamper: boolean) {
  const root = releases(tamper);
  const agentTemp = tempDir('gp-agent-');
  const r = spawnSync('bash', ['-c', script(VERSION)], {
    env: { PATH: `${fakeCurl(root)}:${process.env.PATH}`, AGENT_TEMPDIRECTORY: agentTemp, HOME: agentTemp },
    encoding: 'utf8',
  });
  return { ...r, agentTemp, asked: readFileSync(join(root, 'asked'), 'utf8').trim().split('\n') };
}

describe('install-terraform.yml', () => {
  it('installs the archive HashiCorp published, checked against its SHA-256, onto the PATH of later steps', () => {
    const r = install(false);
    expect(r.status, r.stderr).toBe(0);
    expect(r.asked).toEqual([
      `https://releases.hashicorp.com/terraform/${VERSION}/terraform_${VERSION}_${platform()}.zip`,
      `https://releases.hashicorp.com/terraform/${VERSION}/terraform_${VERSION}_SHA256SUMS`,
    ]);
    expect(r.stdout).toContain(`terraform_${VERSION}_${platform()}.zip: OK`);
    const dir = join(r.agentTemp, `terraform-${VERSION}`);
    expect(r.stdout).toContain(`##vso[task.prependpath]${dir}`);
    expect(r.stdout).toContain(`Terraform v${VERSION}`);
    expect(existsSync(join(dir, 'terraform'))).toBe(true);
  });

  it('refuses an archive whose SHA-256 differs, and puts nothing on the PATH', () => {
    const r = install(true);
    expect(r.status).not.toBe(0);
    expect(r.stdout + r.stderr).toMatch(/FAILED/);
    expect(r.stdout).not.toContain('##vso[task.prependpath]');
    expect(existsSync(join(r.agentTemp, `terraform-${VERSION}`, 'terraform'))).toBe(false);
  });
});
