// Packages the Azure DevOps extension (.vsix) from the built bundles, offline.
//
//   node scripts/package-azure.mjs [--dist <dir>] [--out <dir>]
//
// --dist: the bundles (default: $GITOPS_PROMOTE_DIST, else dist/); --out: where the staged extension
// (azure-extension/) and gitops-promote.vsix go (default: .tmp/). The extension's page is marketplace/overview.md,
// its license LICENSE.
//
// Tasks are discovered now, not listed here: every packages/<step>/task.json (bundle dist/azure/<step>/) and the
// root task.json when it exists (the one-step recipe, bundle dist/azure/recipe/ or dist/azure/pipeline/). The
// dist/azure/ bundles are self-contained and hold one step each (the GitHub actions share dist/main/ instead). Each
// becomes a self-contained folder tasks/<name>/ (task.json, its 32×32 icon.png and dist/ copied from the bundle; the
// icon is icon.png beside the task.json, the root task's is images/task-icon.png: scripts/task-icons.mjs draws them). vss-extension.json holds
// what never changes; version (package.json), the task contributions and their files entries are added to the
// copy staged in .tmp/azure-extension/. Every task.json is checked before tfx runs, because tfx only warns.
import { execFileSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
/** Where the root task.json's bundle may be, in order. */
const ROOT_TASK_BUNDLES = ['recipe', 'pipeline'];
const HANDLERS = ['Node20_1', 'Node24'];
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const CAMEL = /^[a-z][a-zA-Z0-9]*$/;
/** A path as shown in messages: relative to the repository when inside it. */
const rel = (p) => {
  const r = relative(root, p);
  return r.startsWith('..') ? p : r.split(sep).join('/') || '.';
};

function fail(problems) {
  console.error(`package-azure: cannot package the extension:\n  ${problems.join('\n  ')}`);
  process.exit(1);
}

function args(argv) {
  const out = { dist: process.env.GITOPS_PROMOTE_DIST || join(root, 'dist'), out: join(root, '.tmp') };
  for (let i = 0; i < argv.length; i++) {
    if ((argv[i] === '--dist' || argv[i] === '--out') && argv[i + 1]) out[argv[i].slice(2)] = argv[++i];
    else
      fail([
        `unknown argument ${argv[i]} (usage: node scripts/package-azure.mjs [--dist <dir>] [--out <dir>])`,
      ]);
  }
  return { dist: resolve(out.dist), out: resolve(out.out) };
}

function readJson(file, problems) {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    problems.push(`${rel(file)}: ${existsSync(file) ? `not valid JSON: ${e.message}` : 'missing'}`);
    return undefined;
  }
}

/** Task folders to build: { name (folder under tasks/), taskJson (source), bundle (dir under dist) }. */
function discoverTasks(bundles) {
  const dist = join(bundles, 'azure');
  const tasks = [];
  const packages = join(root, 'packages');
  for (const dir of existsSync(packages) ? readdirSync(packages).sort() : []) {
    const taskJson = join(packages, dir, 'task.json');
    if (existsSync(taskJson))
      tasks.push({ name: dir, taskJson, bundle: join(dist, dir), icon: join(packages, dir, 'icon.png') });
  }
  const rootTask = join(root, 'task.json');
  if (existsSync(rootTask)) {
    const found =
      ROOT_TASK_BUNDLES.find((b) => existsSync(join(dist, b, 'index.cjs'))) ?? ROOT_TASK_BUNDLES[0];
    tasks.push({
      name: found,
      taskJson: rootTask,
      bundle: join(dist, found),
      icon: join(root, 'images', 'task-icon.png'),
      alternatives: ROOT_TASK_BUNDLES,
    });
  }
  return tasks;
}

/** The task.json ids at a Git revision (the last release tag, HEAD), to catch an id that changed. */
function idsAt(revision, tasks) {
  const ids = new Map();
  for (const t of tasks) {
    try {
      const text = execFileSync('git', ['show', `${revision}:${rel(t.taskJson)}`], {
        cwd: root,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      });
      ids.set(t.taskJson, JSON.parse(text).id);
    } catch {
      // Not in that revision (a new task), not a Git checkout, or no such revision: nothing to compare.
    }
  }
  return ids;
}

/** The newest release tag before this commit (HEAD^: on a release run HEAD carries the new tag itself). */
function lastReleaseTag() {
  try {
    return execFileSync(
      'git',
      ['describe', '--tags', '--abbrev=0', '--match', 'v[0-9]*.[0-9]*.[0-9]*', 'HEAD^'],
      {
        cwd: root,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      },
    ).trim();
  } catch {
    return undefined;
  }
}

function files(dir) {
  const out = [];
  const walk = (d) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.push(p);
    }
  };
  walk(dir);
  return out;
}

/** ncc loads chunks as `<id>.index.js` through `.e(<id>)`: each one the bundle asks for must be in the folder. */
function missingChunks(distDir) {
  const missing = new Set();
  for (const file of files(distDir).filter((f) => /\.(m?js|cjs)$/.test(f))) {
    for (const m of readFileSync(file, 'utf8').matchAll(/\.e\((\d+)\)/g)) {
      if (!existsSync(join(distDir, `${m[1]}.index.js`))) missing.add(`${m[1]}.index.js`);
    }
  }
  return [...missing];
}

function validateTask(t, task, version, problems) {
  const where = rel(t.taskJson);
  if (typeof task.id !== 'string' || !GUID.test(task.id))
    problems.push(`${where}: id must be a GUID (got ${task.id})`);
  if (typeof task.name !== 'string' || !/^[A-Za-z0-9-]+$/.test(task.name))
    problems.push(`${where}: name must be letters, digits and hyphens (got ${JSON.stringify(task.name)})`);
  if (typeof task.friendlyName !== 'string' || task.friendlyName.length < 1 || task.friendlyName.length > 40)
    problems.push(
      `${where}: friendlyName must be 1 to 40 characters (${JSON.stringify(task.friendlyName)} has ${task.friendlyName?.length ?? 0}); Azure DevOps rejects longer ones`,
    );
  if (!task.instanceNameFormat) problems.push(`${where}: instanceNameFormat is required`);
  const v = task.version ?? {};
  if (![v.Major, v.Minor, v.Patch].every((n) => Number.isInteger(n) && n >= 0))
    problems.push(
      `${where}: version must be {Major, Minor, Patch} integers (got ${JSON.stringify(task.version)})`,
    );
  else if (`${v.Major}.${v.Minor}.${v.Patch}` !== version)
    problems.push(
      `${where}: version ${v.Major}.${v.Minor}.${v.Patch} differs from package.json's ${version}; give both the same version`,
    );
  for (const handler of HANDLERS) {
    const target = task.execution?.[handler]?.target;
    if (typeof target !== 'string' || !target)
      problems.push(`${where}: execution.${handler}.target is required`);
  }
  for (const [key, label] of [
    ['inputs', 'input'],
    ['outputVariables', 'output variable'],
  ]) {
    const seen = new Set();
    for (const item of task[key] ?? []) {
      if (typeof item?.name !== 'string' || !CAMEL.test(item.name))
        problems.push(
          `${where}: ${label} ${JSON.stringify(item?.name)} must be camelCase (e.g. previousEnvironment)`,
        );
      else if (seen.has(item.name)) problems.push(`${where}: ${label} ${item.name} is declared twice`);
      seen.add(item.name);
    }
  }
}

/** Copies a task into STAGE/tasks/<name>/ and checks that the folder holds everything it runs. */
function stageTask(t, task, problems) {
  const folder = join(STAGE, 'tasks', t.name);
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, 'task.json'), readFileSync(t.taskJson));
  // The task editor and the task list show icon.png of the task folder; without one, a grey default.
  if (!existsSync(t.icon))
    problems.push(`${rel(t.taskJson)}: its icon ${rel(t.icon)} is missing (node scripts/task-icons.mjs)`);
  else if (String(pngSize(t.icon)) !== '32,32')
    problems.push(`${rel(t.icon)}: a task icon must be a 32×32 PNG (got ${pngSize(t.icon) ?? 'no PNG'})`);
  else cpSync(t.icon, join(folder, 'icon.png'));
  if (!existsSync(join(t.bundle, 'index.cjs'))) {
    const tried = (t.alternatives ?? [t.name]).map((b) => rel(join(dirname(t.bundle), b, 'index.cjs')));
    problems.push(`${rel(t.taskJson)}: its bundle ${tried.join(' or ')} is missing; run npm run build`);
    return;
  }
  cpSync(t.bundle, join(folder, 'dist'), { recursive: true });
  for (const handler of HANDLERS) {
    const target = task.execution?.[handler]?.target;
    if (typeof target !== 'string' || !target) continue;
    const file = resolve(folder, target);
    if (relative(folder, file).startsWith('..'))
      problems.push(`${rel(t.taskJson)}: execution.${handler}.target ${target} is outside the task folder`);
    else if (!existsSync(file))
      problems.push(
        `${rel(t.taskJson)}: execution.${handler}.target ${target} is not in the task folder tasks/${t.name}/`,
      );
  }
  const pkg = readJson(join(folder, 'dist', 'package.json'), []);
  if (pkg?.type !== 'commonjs')
    problems.push(
      `${rel(t.bundle)}/package.json with "type": "commonjs" is missing (the chunks are CommonJS .js files)`,
    );
  const missing = missingChunks(join(folder, 'dist'));
  if (missing.length)
    problems.push(`${rel(t.bundle)}: chunks the bundle loads are missing: ${missing.join(', ')}`);
}

function pngSize(file) {
  const b = readFileSync(file);
  if (b.length < 24 || b.toString('latin1', 1, 4) !== 'PNG' || b.toString('latin1', 12, 16) !== 'IHDR')
    return undefined;
  return [b.readUInt32BE(16), b.readUInt32BE(20)];
}

const { dist, out: outDir } = args(process.argv.slice(2));
const STAGE = join(outDir, 'azure-extension');
const VSIX = join(outDir, 'gitops-promote.vsix');
const problems = [];
const pkg = readJson(join(root, 'package.json'), problems);
const manifest = readJson(join(root, 'vss-extension.json'), problems);
if (!pkg || !manifest) fail(problems);
const version = pkg.version;
if (!/^\d+\.\d+\.\d+$/.test(version ?? ''))
  fail([`package.json: version ${version} is not MAJOR.MINOR.PATCH`]);

const tasks = discoverTasks(dist);
if (!tasks.length) fail(['no task.json found (packages/*/task.json, task.json)']);

rmSync(STAGE, { recursive: true, force: true });
rmSync(VSIX, { force: true });
mkdirSync(STAGE, { recursive: true });

const ids = new Map();
const names = new Map();
const folders = new Set();
const release = lastReleaseTag();
const before = [...(release ? [[release, idsAt(release, tasks)]] : []), ['HEAD', idsAt('HEAD', tasks)]];
for (const t of tasks) {
  const task = readJson(t.taskJson, problems);
  if (!task) continue;
  validateTask(t, task, version, problems);
  for (const [revision, old] of before) {
    if (old.has(t.taskJson) && old.get(t.taskJson) !== task.id)
      problems.push(
        `${rel(t.taskJson)}: id changed from ${old.get(t.taskJson)} (at ${revision}) to ${task.id}; a task's id must never change (Azure DevOps would see a new task and every pipeline using it would break)`,
      );
  }
  const lower = String(task.id).toLowerCase();
  if (ids.has(lower)) problems.push(`${rel(t.taskJson)}: id ${task.id} is also the id of ${ids.get(lower)}`);
  ids.set(lower, rel(t.taskJson));
  if (names.has(task.name))
    problems.push(`${rel(t.taskJson)}: name ${task.name} is also the name of ${names.get(task.name)}`);
  names.set(task.name, rel(t.taskJson));
  if (folders.has(t.name))
    problems.push(`${rel(t.taskJson)}: a second task would be packaged as tasks/${t.name}/`);
  folders.add(t.name);
  stageTask(t, task, problems);
}

const icon = manifest.icons?.default;
if (!icon || !existsSync(join(root, icon)))
  problems.push(`vss-extension.json: icons.default ${icon} is missing`);
else if (String(pngSize(join(root, icon))) !== '128,128')
  problems.push(
    `${icon}: the extension icon must be a 128×128 PNG (got ${pngSize(join(root, icon)) ?? 'no PNG'})`,
  );
else cpSync(join(root, icon), join(STAGE, icon));
// The Marketplace page is written for Azure DevOps users (marketplace/overview.md), not the GitHub README.
for (const [part, source] of [
  ['details', join(root, 'marketplace', 'overview.md')],
  ['license', join(root, 'LICENSE')],
]) {
  const target = manifest.content?.[part]?.path;
  if (!target) problems.push(`vss-extension.json: content.${part}.path is missing`);
  else if (!existsSync(source)) problems.push(`${rel(source)} (the extension's ${part}) is missing`);
  else cpSync(source, join(STAGE, target));
}
for (const f of manifest.files ?? []) {
  if (!existsSync(join(STAGE, f.path)))
    problems.push(`vss-extension.json: files entry ${f.path} was not staged`);
}
if (problems.length) fail(problems);

const staged = {
  ...manifest,
  version,
  files: [...(manifest.files ?? []), ...tasks.map((t) => ({ path: `tasks/${t.name}` }))],
  contributions: tasks.map((t) => ({
    id: t.name,
    type: 'ms.vss-distributed-task.task',
    targets: ['ms.vss-distributed-task.tasks'],
    // The task folder, relative to the extension root: tfx and Azure DevOps load <name>/task.json from it.
    properties: { name: `tasks/${t.name}` },
  })),
};
writeFileSync(join(STAGE, 'vss-extension.json'), `${JSON.stringify(staged, null, 2)}\n`);

const tfx = join(
  dirname(createRequire(import.meta.url).resolve('tfx-cli/package.json')),
  '_build',
  'tfx-cli.js',
);
let tfxOut;
try {
  tfxOut = execFileSync(
    process.execPath,
    [
      tfx,
      'extension',
      'create',
      '--manifest-globs',
      'vss-extension.json',
      '--root',
      STAGE,
      '--output-path',
      VSIX,
      '--no-prompt',
    ],
    {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NO_COLOR: '1' },
    },
  );
} catch (e) {
  const text = `${e.stdout ?? ''}${e.stderr ?? ''}`.replace(/\x1b\[[0-9;]*m/g, '');
  fail([`tfx extension create failed (exit ${e.status}):\n${text || e.message}`.trimEnd()]);
}
// tfx reports a task.json it dislikes as a warning and packages it anyway: treat that as an error.
const plain = tfxOut.replace(/\x1b\[[0-9;]*m/g, '');
const warnings = plain.split('\n').filter((l) => /^\s*warning\b/i.test(l));
if (warnings.length) fail([`tfx extension create warned:\n    ${warnings.join('\n    ')}`]);
if (!existsSync(VSIX)) fail([`tfx extension create wrote no ${rel(VSIX)}:\n${plain}`]);

const size = statSync(VSIX).size;
console.log(`tasks: ${tasks.map((t) => `tasks/${t.name} (${rel(t.taskJson)})`).join(', ')}`);
console.log(`vsix: ${rel(VSIX)} (${(size / 1024).toFixed(1)} KiB, ${size} bytes, version ${version})`);
