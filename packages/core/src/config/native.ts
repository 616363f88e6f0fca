import { isScalar, isSeq, type Node, type YAMLMap } from 'yaml';
import { addressGlobProblem } from '../terraform/parity';
import { readFreeze } from './freeze';
import { describe, type Raw, type RawEnvironment, type Validator } from './validate';

const ROOT_KEYS = ['main-branch', 'environments', 'terraform', 'status', 'promotion', 'parity', 'freeze'];
const ENV_KEYS = ['name', 'workspace', 'on', 'auto'];

/** gitops-promote.yaml: every key is checked, unknown ones refused with a suggestion. */
export function readNative(root: YAMLMap, v: Validator): Raw {
  const raw: Raw = {};
  const m = v.entries(root, '', ROOT_KEYS);
  if (m.has('main-branch')) raw.mainBranch = v.branch(m.get('main-branch'), 'main-branch');
  if (m.has('environments')) {
    raw.environmentsNode = m.get('environments');
    raw.environments = v.environments(m.get('environments'), 'environments', ENV_KEYS, (e, env) =>
      readEnvironment(e, env, v),
    );
  }
  if (m.has('terraform')) readTerraform(m.get('terraform'), raw, v);
  if (m.has('status')) readStatus(m.get('status'), raw, v);
  if (m.has('promotion')) readPromotion(m.get('promotion'), raw, v);
  if (m.has('parity')) readParity(m.get('parity'), raw, v);
  if (m.has('freeze')) raw.freeze = readFreeze(m.get('freeze'), v);
  return raw;
}

function readEnvironment(e: Map<string, Node>, env: RawEnvironment, v: Validator): void {
  if (e.has('workspace')) {
    const ws = v.string(e.get('workspace'), `${env.path}.workspace`, 'a workspace name');
    if (ws !== undefined && !/^[A-Za-z0-9._-]{1,90}$/.test(ws))
      v.at(
        e.get('workspace'),
        `${env.path}.workspace`,
        `${JSON.stringify(ws)} is not a valid Terraform workspace name; use letters, digits, ".", "_" and "-"`,
      );
    else env.workspace = ws;
  }
  if (e.has('auto')) env.auto = v.boolean(e.get('auto'), `${env.path}.auto`);
  if (e.has('on')) {
    const onNode = e.get('on');
    env.onNode = onNode;
    const on = v.map(onNode, `${env.path}.on`);
    if (on) {
      const t = v.entries(on, `${env.path}.on`, ['branch', 'tag']);
      if (t.size !== 1) {
        if (on.items.length === t.size)
          v.at(on, `${env.path}.on`, 'give exactly one of branch: <name> or tag: <glob>');
      } else if (t.has('branch')) {
        const b = v.branch(t.get('branch'), `${env.path}.on.branch`);
        if (b !== undefined) env.on = { branch: b };
      } else {
        const g = v.tagGlob(t.get('tag'), `${env.path}.on.tag`);
        if (g !== undefined) env.on = { tag: g };
      }
    }
  }
}

function readTerraform(node: Node | undefined, raw: Raw, v: Validator): void {
  const tf = v.map(node, 'terraform');
  if (!tf) return;
  const t = v.entries(tf, 'terraform', ['binary', 'working-directory', 'lock-timeout']);
  if (t.has('binary'))
    raw.binary = v.string(t.get('binary'), 'terraform.binary', 'a command name such as terraform or tofu');
  if (t.has('working-directory'))
    raw.workingDirectory = v.directory(t.get('working-directory'), 'terraform.working-directory');
  if (t.has('lock-timeout')) {
    const d = v.duration(t.get('lock-timeout'), 'terraform.lock-timeout');
    if (d) raw.lockTimeout = `${Math.ceil(d[0] / 1000)}s`;
  }
}

function readStatus(node: Node | undefined, raw: Raw, v: Validator): void {
  const st = v.map(node, 'status');
  if (!st) return;
  const s = v.entries(st, 'status', ['timeout', 'interval', 'contexts', 'require', 'soak']);
  if (s.has('require')) raw.require = v.choice(s.get('require'), 'status.require', ['all', 'any'] as const);
  if (s.has('soak')) raw.soak = v.duration(s.get('soak'), 'status.soak');
  if (s.has('timeout')) raw.timeout = v.duration(s.get('timeout'), 'status.timeout');
  if (s.has('interval')) raw.interval = v.duration(s.get('interval'), 'status.interval');
  if (s.has('contexts')) {
    const node = s.get('contexts');
    if (!isSeq(node) || node.items.length === 0) {
      v.at(
        node,
        'status.contexts',
        `expected a non-empty list of status context patterns such as "gitops-promote/{env}", found ${describe(node)}`,
      );
    } else {
      const list = node.items.map((c, i) => v.template(c as Node, `status.contexts[${i}]`, ['env', 'group']));
      if (list.every((c) => c !== undefined)) raw.contexts = list as string[];
    }
  }
}

function readPromotion(node: Node | undefined, raw: Raw, v: Validator): void {
  const pr = v.map(node, 'promotion');
  if (!pr) return;
  const p = v.entries(pr, 'promotion', ['prflow', 'path']);
  if (p.has('prflow'))
    raw.prflow = v.choice(p.get('prflow'), 'promotion.prflow', ['per-app', 'per-env'] as const);
  if (p.has('path')) {
    const path = v.template(p.get('path'), 'promotion.path', ['group', 'env', 'app'], ['env']);
    if (path !== undefined && (path.startsWith('/') || /\\|^[A-Za-z]:|(^|\/)\.\.(\/|$)/.test(path)))
      v.at(
        p.get('path'),
        'promotion.path',
        `${JSON.stringify(path)} must stay inside the repository: a relative path with "/", no "..", e.g. "{group}/{env}"`,
      );
    else raw.path = path;
  }
}

function readParity(node: Node | undefined, raw: Raw, v: Validator): void {
  const pa = v.map(node, 'parity');
  if (!pa) return;
  const p = v.entries(pa, 'parity', ['mode', 'ignore']);
  if (p.has('mode'))
    raw.parityMode = v.choice(p.get('mode'), 'parity.mode', ['off', 'warn', 'error'] as const);
  if (!p.has('ignore')) return;
  const list = p.get('ignore');
  if (!isSeq(list)) {
    v.at(
      list,
      'parity.ignore',
      `expected a list of resource address globs such as "terraform_data.extra*", found ${describe(list)}`,
    );
    return;
  }
  const globs = list.items.map((item, i) => {
    const where = `parity.ignore[${i}]`;
    const glob = isScalar(item) ? v.string(item as Node, where, 'a resource address glob') : undefined;
    if (!isScalar(item))
      v.at(item as Node, where, `expected a resource address glob, found ${describe(item as Node)}`);
    const problem = glob === undefined ? undefined : addressGlobProblem(glob);
    if (problem)
      v.at(item as Node, where, `${JSON.stringify(glob)} is not a resource address glob: ${problem}`);
    return problem ? undefined : glob;
  });
  if (globs.every((g) => g !== undefined)) raw.parityIgnore = globs as string[];
}
