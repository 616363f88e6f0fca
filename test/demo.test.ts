import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './support/bundle';

/** `npm run demo` is the README's main command: it must play the whole flow and end with the board. */
describe('npm run demo', () => {
  it('plays the Kubestack flow with the built bundles and ends with where each environment is', async () => {
    const r = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
      execFile(
        process.execPath,
        [join(ROOT, 'scripts', 'demo.mjs')],
        { cwd: ROOT, timeout: 120_000 },
        (err, stdout, stderr) => resolve({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr }),
      ),
    );
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    for (const chapter of [
      '1. A feature branch',
      '2. Merged into main',
      '3. Promote',
      '4. The deploy tag run',
      '6. Drift',
      'Where each environment is',
    ])
      expect(r.stdout).toContain(chapter);
    expect(r.stdout).toContain('The plan matches the plan recorded for review');
    // The drift chapter: found once the resource is gone from the state, cleared after the re-apply.
    const drift = r.stdout.slice(r.stdout.indexOf('6. Drift'));
    expect(drift).toMatch(/drift=false[\s\S]*drift=true[\s\S]*drift=false/);
    expect(drift).toMatch(/apps runs refs\/tags\/apps-deploy-\d{14}; left out, never applied: apps-prod$/m);
    expect(r.stdout).toMatch(/^ops\s+[0-9a-f]{12}\s+main\s+success: applied \+3 ~0 -0 ±0/m);
    expect(r.stdout).toMatch(/^apps\s+[0-9a-f]{12}\s+apps-deploy-\d{14}\s+success: applied \+3 ~0 -0 ±0/m);
    expect(r.stdout).toMatch(/^apps-prod\s+—\s+apps-prod-deploy-\d{14}\s+not applied/m);
    expect(r.stdout).not.toContain('kubeconfig-for-');
    expect(r.stdout).toContain('7. Parity');
    expect(r.stdout).toContain('parity=differs');
    expect(r.stdout).toContain('unexercised: create terraform_data.debug_bastion[0] (ops: absent)');
    expect(r.stdout).toContain('inventory:   terraform_data.debug_bastion[0] only in apps');
  });
});
