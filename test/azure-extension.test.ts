// The Azure DevOps extension as Azure DevOps gets it: package it with the real script (and tfx), unpack
// the .vsix outside the repository (so nothing can be found in its node_modules), check every task
// folder stands alone, and run determine-environment from its unpacked folder the way the agent does.
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { DIST, parseVso, ROOT } from './support/bundle';
import { git, tempDir } from './support/git';

const SCRIPT = join(ROOT, 'scripts', 'package-azure.mjs');

interface TaskJson {
  id: string;
  name: string;
  version: { Major: number; Minor: number; Patch: number };
  inputs?: { name: string }[];
  outputVariables?: { name: string }[];
  execution: Record<string, { target: string }>;
}
interface Contribution {
  id: string;
  type: string;
  targets: string[];
  properties: { name: string };
}

/** The entries of a zip archive, read with zlib (central directory, then each local header). */
function readZip(buf: Buffer): Map<string, Buffer> {
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 0xffff); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error('not a zip archive: no end of central directory record');
  const count = buf.readUInt16LE(eocd + 10);
  let at = buf.readUInt32LE(eocd + 16);
  const entries = new Map<string, Buffer>();
  for (let n = 0; n < count; n++) {
    if (buf.readUInt32LE(at) !== 0x02014b50) throw new Error(`bad central directory entry at ${at}`);
    const method = buf.readUInt16LE(at + 10);
    const compressed = buf.readUInt32LE(at + 20);
    const size = buf.readUInt32LE(at + 24);
    const nameLength = buf.readUInt16LE(at + 28);
    const extraLength = buf.readUInt16LE(at + 30);
    const commentLength = buf.readUInt16LE(at + 32);
    const local = buf.readUInt32LE(at + 42);
    const name = buf.toString('utf8', at + 46, at + 46 + nameLength);
    at += 46 + nameLength + extraLength + commentLength;
    if (buf.readUInt32LE(local) !== 0x04034b50) throw new Error(`bad local header for ${name}`);
    const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    const raw = buf.subarray(start, start + compressed);
    const data = method === 0 ? Buffer.from(raw) : method === 8 ? inflateRawSync(raw) : undefined;
    if (!data) throw new Error(`${name}: compression method ${method} not supported`);
    if (data.length !== size) throw new Error(`${name}: ${data.length} bytes unpacked, ${size} expected`);
    entries.set(name, data);
  }
  return entries;
}

const hasUnzip = spawnSync('sh', ['-c', 'command -v unzip'], { encoding: 'utf8' }).status === 0;

/** Unpacks with `unzip` when the machine has it, else with zlib; returns the archive's files. */
function unpack(vsix: string, into: string): Map<string, Buffer> {
  const entries = new Map([...readZip(readFileSync(vsix))].filter(([name]) => !name.endsWith('/')));
  if (hasUnzip) execFileSync('unzip', ['-q', '-o', vsix, '-d', into]);
  else
    for (const [name, data] of entries) {
      mkdirSync(dirname(join(into, name)), { recursive: true });
      writeFileSync(join(into, name), data);
    }
  return entries;
}

function walk(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => statSync(join(dir, f)).isFile())
    .map((f) => f.split(sep).join('/'))
    .sort();
}

/** The modules named by the import statements a file starts with. */
function leadingImports(code: string): string[] {
  const found: string[] = [];
  const re = /^\s*import\s*(?:[\w$*{}\s,]+?\s*from\s*)?["']([^"']+)["']\s*;?/y;
  for (let m = re.exec(code); m; m = re.exec(code)) found.push(m[1]!);
  // CommonJS bundles name what they load in require("…") calls.
  for (const m of code.matchAll(/\brequire\(["']([^"']+)["']\)/g)) found.push(m[1]!);
  return found;
}

const readJson = <T>(file: string) => JSON.parse(readFileSync(file, 'utf8')) as T;

/** The README's headings as GitHub anchors them. */
function readmeAnchors(): Set<string> {
  return new Set(
    readFileSync(join(ROOT, 'README.md'), 'utf8')
      .split('\n')
      .filter((l) => /^#{1,6} /.test(l))
      .map((l) =>
        l
          .replace(/^#+ /, '')
          .trim()
          .toLowerCase()
          .replace(/[^\p{L}\p{N} _-]/gu, '')
          .replace(/ /g, '-'),
      ),
  );
}

function packageScript(args: string[], cwd = ROOT) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(process.execPath, args, { cwd, timeout: 60_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
    );
  });
}

/** Every task.json of the repository, as the packaging is meant to find them. */
function sourceTasks(): { source: string; task: TaskJson }[] {
  const found = readdirSync(join(ROOT, 'packages'))
    .sort()
    .map((dir) => join('packages', dir, 'task.json'))
    .filter((p) => existsSync(join(ROOT, p)));
  if (existsSync(join(ROOT, 'task.json'))) found.push('task.json');
  return found.map((source) => ({ source, task: readJson<TaskJson>(join(ROOT, source)) }));
}

describe('the Azure DevOps extension (.vsix)', () => {
  const version = readJson<{ version: string }>(join(ROOT, 'package.json')).version;
  const expected = sourceTasks();
  const out = tempDir('gp-vsix-');
  let run: { code: number; stdout: string; stderr: string };
  let entries = new Map<string, Buffer>();
  let vsomanifest: { contributions: Contribution[] };
  /** tasks/<name> → its unpacked task.json */
  const unpacked = new Map<string, TaskJson>();

  /** Each check below starts here, so a failed packaging fails every one of them with its message. */
  const packaged = () => expect(run.code, `npm run package:azure failed:\n${run.stderr}`).toBe(0);

  beforeAll(async () => {
    run = await packageScript([SCRIPT, '--dist', DIST]);
    if (run.code !== 0) return;
    const vsix = /^vsix: (.+?) \(/m.exec(run.stdout)?.[1];
    entries = unpack(join(ROOT, vsix ?? '.tmp/gitops-promote.vsix'), out);
    vsomanifest = readJson(join(out, 'extension.vsomanifest'));
    for (const dir of readdirSync(join(out, 'tasks')))
      unpacked.set(`tasks/${dir}`, readJson(join(out, 'tasks', dir, 'task.json')));
  }, 90_000);

  it('is packaged by npm run package:azure, which prints its path and size', () => {
    packaged();
    expect(run.stderr).toBe('');
    expect(run.stdout).toMatch(/^vsix: \.tmp\/gitops-promote\.vsix \(\d+\.\d KiB, \d+ bytes, version /m);
    expect(expected.length).toBeGreaterThanOrEqual(4);
  });

  it('lists every task.json of the repository as a task contribution, with its own folder', () => {
    packaged();
    const contributions = vsomanifest.contributions;
    expect(contributions).toHaveLength(expected.length);
    for (const c of contributions) {
      expect(c.type).toBe('ms.vss-distributed-task.task');
      expect(c.targets).toEqual(['ms.vss-distributed-task.tasks']);
      expect(c.properties.name).toBe(`tasks/${c.id}`);
    }
    expect(contributions.map((c) => c.properties.name).sort()).toEqual([...unpacked.keys()].sort());
    // Each source task.json is shipped unchanged (same id, so pipelines keep finding the task).
    for (const { source, task } of expected) {
      const shipped = [...unpacked.entries()].filter(([, t]) => t.id === task.id);
      expect(
        shipped.map(([folder]) => folder),
        source,
      ).toHaveLength(1);
      expect(shipped[0]![1], source).toEqual(task);
    }
    for (const { source } of expected.filter((e) => e.source.startsWith('packages/'))) {
      const step = source.split('/')[1]!;
      expect(unpacked.has(`tasks/${step}`), step).toBe(true);
    }
  });

  it('names the extension, its version and target in extension.vsixmanifest, with a 128×128 icon', () => {
    packaged();
    const xml = readFileSync(join(out, 'extension.vsixmanifest'), 'utf8');
    expect(xml).toContain(
      `<Identity Language="en-US" Id="gitops-promote" Publisher="gitops-promote" Version="${version}"/>`,
    );
    expect(xml).toContain('<InstallationTarget Id="Microsoft.VisualStudio.Services"/>');
    expect(xml).toContain('<Categories>Azure Pipelines</Categories>');
    const icon = readFileSync(join(out, 'images', 'icon.png'));
    expect(icon.subarray(1, 4).toString()).toBe('PNG');
    expect([icon.readUInt32BE(16), icon.readUInt32BE(20)]).toEqual([128, 128]);
    expect(readFileSync(join(out, 'overview.md'), 'utf8')).toContain('# gitops-promote');
  });

  it('links the repository, its home, getting started, support and license, and ships the license', () => {
    packaged();
    const xml = readFileSync(join(out, 'extension.vsixmanifest'), 'utf8');
    const repo = 'https://github.com/gitops-promote/gitops-promote';
    for (const [link, uri] of [
      ['GitHub', repo],
      ['Home', repo],
      ['Getstarted', `${repo}#use-it-on-azure-devops`],
      ['Support', `${repo}/issues`],
      ['License', `${repo}/blob/main/LICENSE`],
    ])
      expect(xml).toContain(`<Property Id="Microsoft.VisualStudio.Services.Links.${link}" Value="${uri}"/>`);
    expect(xml).toContain('<License>LICENSE</License>');
    expect(readFileSync(join(out, 'LICENSE'), 'utf8')).toMatch(/^MIT License/);
    // Each link into the README lands on a section that exists.
    const anchors = readmeAnchors();
    for (const m of xml.matchAll(/Value="https:\/\/github\.com\/gitops-promote\/gitops-promote#([\w-]+)"/g))
      expect([...anchors]).toContain(m[1]);
  });

  it('shows Azure DevOps users a page written for them: tasks, YAML, permissions, no broken links, no demo', () => {
    packaged();
    const page = readFileSync(join(out, 'overview.md'), 'utf8');
    for (const { task } of expected) expect(page).toContain(`\`${task.name}@${task.version.Major}\``);
    expect(page).toContain('SYSTEM_ACCESSTOKEN: $(System.AccessToken)');
    for (const permission of ['Contribute', 'Create tag', 'Contribute to pull requests'])
      expect(page).toContain(`| ${permission} `);
    expect(page).not.toMatch(/npm run demo|npm test|uses: /);
    // The Marketplace shows the page alone: every link must be absolute, every README anchor must exist.
    const anchors = readmeAnchors();
    const links = [...page.matchAll(/\]\(([^)]+)\)/g)].map((m) => m[1]!);
    expect(links.length).toBeGreaterThan(3);
    for (const link of links) {
      expect(link, 'a relative link breaks on the Marketplace').toMatch(/^https:\/\//);
      const anchor = /^https:\/\/github\.com\/gitops-promote\/gitops-promote#(.+)$/.exec(link)?.[1];
      if (anchor) expect([...anchors], link).toContain(anchor);
    }
    // Its YAML examples are YAML.
    const blocks = [...page.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]!);
    expect(blocks.length).toBeGreaterThanOrEqual(2);
    for (const block of blocks) expect(() => parse(block)).not.toThrow();
  });

  it('gives every task folder its own 32×32 icon', () => {
    packaged();
    const seen = new Set<string>();
    for (const folder of unpacked.keys()) {
      const icon = entries.get(`${folder}/icon.png`);
      expect(icon, `${folder}/icon.png`).toBeDefined();
      expect(icon!.subarray(1, 4).toString(), folder).toBe('PNG');
      expect([icon!.readUInt32BE(16), icon!.readUInt32BE(20)], folder).toEqual([32, 32]);
      seen.add(icon!.toString('base64'));
    }
    expect(seen.size, 'each task has an icon of its own').toBe(unpacked.size);
  });

  it(`unpacks to exactly the files the zip lists (${hasUnzip ? 'unzip and the zlib reader agree' : 'zlib reader'})`, () => {
    packaged();
    expect(walk(out)).toEqual([...entries.keys()].sort());
    for (const [name, data] of entries) expect(readFileSync(join(out, name)).equals(data), name).toBe(true);
  });

  it('gives each task a self-contained folder: task.json, both handlers, every chunk, the same version', () => {
    packaged();
    expect(unpacked.size).toBe(expected.length);
    for (const [folder, task] of unpacked) {
      const dir = join(out, folder);
      expect(`${task.version.Major}.${task.version.Minor}.${task.version.Patch}`, folder).toBe(version);
      expect(Object.keys(task.execution).sort(), folder).toEqual(['Node20_1', 'Node24']);
      for (const { target } of Object.values(task.execution)) {
        expect(relative(dir, join(dir, target)).startsWith('..'), `${folder}: ${target}`).toBe(false);
        expect(existsSync(join(dir, target)), `${folder}: ${target}`).toBe(true);
      }
      expect(readJson<{ type: string }>(join(dir, 'dist', 'package.json')).type).toBe('commonjs');
      const bundle = walk(join(dir, 'dist'));
      for (const file of bundle.filter((f) => /\.(m?js|cjs)$/.test(f))) {
        const code = readFileSync(join(dir, 'dist', file), 'utf8');
        for (const m of code.matchAll(/\.e\((\d+)\)/g))
          expect(bundle, `${folder}/dist/${file} loads chunk ${m[1]}`).toContain(`${m[1]}.index.js`);
        // The static imports ncc leaves at the top may only name Node's own modules or files beside them.
        for (const from of leadingImports(code))
          expect(from, `${folder}/dist/${file} imports ${from}`).toMatch(
            /^((node:)?[a-z_]+(\/[a-z_]+)?|\.\/[^/]+)$/,
          );
      }
      const names = [...(task.inputs ?? []), ...(task.outputVariables ?? [])].map((i) => i.name);
      for (const name of names) expect(name, folder).toMatch(/^[a-z][a-zA-Z0-9]*$/);
    }
    // The per-step folders hold the very files of the step's bundle.
    for (const folder of unpacked.keys()) {
      const step = folder.slice('tasks/'.length);
      // A missing bundle is a failure, not a skip: the test command builds first.
      expect(
        existsSync(join(DIST, 'azure', step)),
        `${folder}: no bundle at dist/azure/${step}; run npm run build`,
      ).toBe(true);
      expect(walk(join(out, folder, 'dist')), folder).toEqual(walk(join(DIST, 'azure', step)));
    }
  });

  it('runs determine-environment from its unpacked folder as the agent does (Node20_1 handler)', async () => {
    packaged();
    const [folder, task] = [...unpacked.entries()].find(
      ([, t]) => t.name === 'GitopsPromoteDetermineEnvironment',
    )!;
    const repo = tempDir('gp-az-repo-');
    git(repo, 'init', '-q', '-b', 'main');
    writeFileSync(join(repo, 'README.md'), '# repo\n');
    git(repo, 'add', '-A');
    git(repo, 'commit', '-q', '-m', 'initial');
    const sha = git(repo, 'rev-parse', 'HEAD');
    const agentTemp = tempDir('gp-az-agent-');
    const env: NodeJS.ProcessEnv = {};
    for (const [k, v] of Object.entries(process.env))
      if (!/^(GITHUB_|RUNNER_|INPUT_|ACTIONS_|TF_BUILD|BUILD_|SYSTEM_|AGENT_|CI$|GITOPS_PROMOTE)/.test(k))
        env[k] = v;
    Object.assign(env, {
      TF_BUILD: 'True',
      BUILD_SOURCEBRANCH: 'refs/tags/apps-deploy-1',
      BUILD_SOURCEVERSION: sha,
      BUILD_REASON: 'IndividualCI',
      BUILD_SOURCESDIRECTORY: repo,
      AGENT_TEMPDIRECTORY: agentTemp,
    });
    const target = join(out, folder, task.execution.Node20_1!.target);
    const r = spawnSync(process.execPath, [target], { cwd: repo, env, encoding: 'utf8', timeout: 30_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^##vso\[task\.setvariable variable=operation;isOutput=true;[^\]]*\]apply$/m);
    expect(r.stdout).toMatch(/^##vso\[task\.complete result=Succeeded;\]/m);
    const vso = parseVso(r.stdout);
    const outputs = Object.fromEntries(
      vso
        .filter((c) => c.command === 'task.setvariable' && c.props.isOutput === 'true')
        .map((c) => [c.props.variable, c.message]),
    );
    expect(outputs).toMatchObject({ environment: 'apps', operation: 'apply', trigger: 'tag', sha });
    expect(vso.filter((c) => c.command === 'task.complete').map((c) => c.props.result)).toEqual([
      'Succeeded',
    ]);
  });
});

describe('package:azure refuses what Azure DevOps would refuse, naming each problem', () => {
  /** A small repository holding a copy of the script, so its checks run on task.json files made here. */
  function fakeRepo(tasks: Record<string, unknown>, bundles: string[]) {
    const root = tempDir('gp-pkg-');
    mkdirSync(join(root, 'scripts'));
    copyFileSync(SCRIPT, join(root, 'scripts', 'package-azure.mjs'));
    copyFileSync(join(ROOT, 'vss-extension.json'), join(root, 'vss-extension.json'));
    mkdirSync(join(root, 'images'));
    copyFileSync(join(ROOT, 'images', 'icon.png'), join(root, 'images', 'icon.png'));
    writeFileSync(join(root, 'README.md'), '# x\n');
    mkdirSync(join(root, 'marketplace'));
    writeFileSync(join(root, 'marketplace', 'overview.md'), '# x\n');
    writeFileSync(join(root, 'LICENSE'), 'MIT License\n');
    writeFileSync(join(root, 'package.json'), JSON.stringify({ version: '1.2.3' }));
    for (const [path, task] of Object.entries(tasks)) {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), JSON.stringify(task, null, 2));
      const icon =
        path === 'task.json' ? join(root, 'images', 'task-icon.png') : join(root, path, '..', 'icon.png');
      // packages/c gets the extension's 128×128 icon, which is no task icon.
      copyFileSync(
        join(ROOT, path.includes('/c/') ? 'images/icon.png' : 'packages/terraform-run/icon.png'),
        icon,
      );
    }
    for (const b of bundles) {
      mkdirSync(join(root, 'dist', 'azure', b), { recursive: true });
      writeFileSync(join(root, 'dist', 'azure', b, 'index.cjs'), 'require("./"+n.u(7));n.e(7);\n');
      writeFileSync(join(root, 'dist', 'azure', b, 'package.json'), '{"type":"commonjs"}\n');
    }
    return root;
  }
  const good = (id: string, name: string) => ({
    id,
    name,
    friendlyName: name,
    instanceNameFormat: name,
    version: { Major: 1, Minor: 2, Patch: 3 },
    inputs: [{ name: 'workingDirectory' }],
    outputVariables: [{ name: 'planNext' }],
    execution: { Node20_1: { target: 'dist/index.cjs' }, Node24: { target: 'dist/index.cjs' } },
  });
  const ID = '11111111-2222-4333-8444-555555555555';

  it('lists every problem at once: ids, names, versions, handlers, camelCase, missing bundles and chunks', async () => {
    const root = fakeRepo(
      {
        'packages/a/task.json': good(ID, 'A'),
        'packages/b/task.json': {
          ...good(ID.toUpperCase(), 'A'),
          friendlyName: 'x'.repeat(41),
          version: { Major: 1, Minor: 3, Patch: 0 },
          inputs: [{ name: 'working-directory' }],
          outputVariables: [{ name: 'PlanNext' }],
          execution: { Node20_1: { target: 'dist/main.mjs' } },
        },
        'packages/c/task.json': good('22222222-2222-4333-8444-555555555555', 'C'),
        'task.json': good('not-a-guid', 'Recipe'),
      },
      ['a', 'b'],
    );
    const r = await packageScript([join(root, 'scripts', 'package-azure.mjs')], root);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    const lines = r.stderr.split('\n');
    expect(lines[0]).toBe('package-azure: cannot package the extension:');
    for (const want of [
      `packages/b/task.json: id ${ID.toUpperCase()} is also the id of packages/a/task.json`,
      'packages/b/task.json: name A is also the name of packages/a/task.json',
      'packages/b/task.json: friendlyName must be 1 to 40 characters',
      "packages/b/task.json: version 1.3.0 differs from package.json's 1.2.3",
      'packages/b/task.json: execution.Node24.target is required',
      'packages/b/task.json: execution.Node20_1.target dist/main.mjs is not in the task folder tasks/b/',
      'packages/b/task.json: input "working-directory" must be camelCase',
      'packages/b/task.json: output variable "PlanNext" must be camelCase',
      'packages/c/task.json: its bundle dist/azure/c/index.cjs is missing; run npm run build',
      'task.json: id must be a GUID (got not-a-guid)',
      'task.json: its bundle dist/azure/recipe/index.cjs or dist/azure/pipeline/index.cjs is missing; run npm run build',
      'dist/azure/a: chunks the bundle loads are missing: 7.index.js',
      'packages/c/icon.png: a task icon must be a 32×32 PNG (got 128,128)',
    ])
      expect(r.stderr).toContain(want);
    expect(existsSync(join(root, '.tmp', 'gitops-promote.vsix'))).toBe(false);
  });

  it('refuses a task id that changed since the last commit or the last release', async () => {
    const root = fakeRepo({ 'packages/a/task.json': good(ID, 'A') }, []);
    git(root, 'init', '-q', '-b', 'main');
    git(root, 'add', '-A');
    git(root, 'commit', '-q', '-m', 'initial');
    const changed = '33333333-2222-4333-8444-555555555555';
    writeFileSync(join(root, 'packages/a/task.json'), JSON.stringify(good(changed, 'A')));
    const r = await packageScript([join(root, 'scripts', 'package-azure.mjs')], root);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      `packages/a/task.json: id changed from ${ID} (at HEAD) to ${changed}; a task's id must never change`,
    );
    // Committed: the last release still has the old id.
    git(root, 'tag', 'v1.2.3');
    git(root, 'commit', '-q', '-am', 'new id');
    const released = await packageScript([join(root, 'scripts', 'package-azure.mjs')], root);
    expect(released.code).toBe(1);
    expect(released.stderr).toContain(
      `packages/a/task.json: id changed from ${ID} (at v1.2.3) to ${changed}`,
    );
    expect(released.stderr).not.toContain('(at HEAD)');
  });
});
