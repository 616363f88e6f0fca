import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type AzureDevOpsApi, startAzureApi } from './doubles/azure-api';
import { type GitHubApiDouble, startGitHubDouble } from './doubles/github-api';
import { type BundleRun, DIST, runAzure, runGitHub } from './support/bundle';
import { gitFixture } from './support/git';

/**
 * The GitHub provider behind a proxy, through the built bundles: HTTP(S)_PROXY and NO_PROXY decided as
 * @actions/http-client decides (which bypasses loopback hosts, so the API double is named otherwise here).
 * The Azure DevOps task bundles carry a small client of their own (no undici) for both providers, and also
 * follow the agent's proxy settings (AGENT_PROXYURL, …, AGENT_PROXYBYPASSLIST).
 */

const CONFIG = 'environments:\n  - name: ops\n  - name: apps\nstatus: { timeout: 2s, interval: 1s }\n';

/** A forward proxy that tunnels CONNECT (what undici's ProxyAgent sends, http:// targets included) to the API double. */
class ProxyDouble {
  readonly tunnels: { target: string; authorization?: string }[] = [];
  /** Requests in absolute form (not expected: answered 502). */
  readonly plain: string[] = [];
  readonly #server: Server;
  constructor(apiPort: () => number) {
    this.#server = createServer((req, res) => {
      this.plain.push(`${req.method} ${req.url}`);
      res.writeHead(502).end();
    });
    this.#server.on('connect', (req, client, head) => {
      this.tunnels.push({ target: req.url ?? '', authorization: req.headers['proxy-authorization'] });
      // Whatever host was asked for, the API double answers (as a proxy that resolves a name the runner cannot).
      const upstream = connect(apiPort(), '127.0.0.1', () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        upstream.write(head);
        upstream.pipe(client).pipe(upstream);
      });
      upstream.on('error', () => client.destroy());
      client.on('error', () => upstream.destroy());
    });
  }
  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    return `127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }
  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}

let api: GitHubApiDouble | undefined;
let proxy: ProxyDouble | undefined;
let azureApi: AzureDevOpsApi | undefined;
afterEach(async () => {
  await api?.close();
  await azureApi?.close();
  await proxy?.close();
  api = proxy = azureApi = undefined;
});

/** check-previous-env on a commit with 250 statuses (three pages), ops among them; the API named by `host`. */
async function setUp() {
  const fx = gitFixture({ 'gitops-promote.yaml': CONFIG });
  const sha = fx.git('rev-parse', 'HEAD');
  api = await startGitHubDouble(fx.remote);
  for (let i = 0; i < 249; i++) api.addStatus(sha, { context: `ci/job-${i}`, state: 'success' });
  api.addStatus(sha, { context: 'gitops-promote/ops', state: 'success', description: 'applied' });
  const port = Number(new URL(api.apiUrl).port);
  proxy = new ProxyDouble(() => port);
  const proxyAt = await proxy.listen();
  const a = api;
  /** The API double's environment with its host renamed. */
  const env = (host: string) =>
    Object.fromEntries(Object.entries(a.env()).map(([k, v]) => [k, v.replace('127.0.0.1', host)]));
  const inputs = { token: a.token, environment: 'apps', sha };
  return { fx, sha, proxyAt, env, inputs, port };
}

function ok(r: BundleRun): void {
  expect(r.code, `exit ${r.code}: ${r.failure}\n${r.stdout}\n${r.stderr}`).toBe(0);
  expect(r.outputs.state).toBe('success');
}

/** check-previous-env with the azure provider against the Azure DevOps double, named by `host`. */
async function setUpAzure(platform: 'azure' | 'github' = 'azure') {
  const fx = gitFixture({ 'gitops-promote.yaml': CONFIG });
  const sha = fx.git('rev-parse', 'HEAD');
  const devops = await startAzureApi({ repo: fx.remote });
  azureApi = devops;
  devops.addStatus(sha, {
    genre: 'gitops-promote',
    name: 'ops',
    state: 'succeeded',
    description: 'applied',
  });
  const port = Number(new URL(devops.collectionUri).port);
  proxy = new ProxyDouble(() => port);
  const proxyAt = await proxy.listen();
  const run = (host: string, extra: Record<string, string>) =>
    (platform === 'azure' ? runAzure : runGitHub)(
      `${platform === 'azure' ? 'azure/' : ''}check-previous-env`,
      {
        cwd: fx.work,
        sha,
        env: {
          ...Object.fromEntries(
            Object.entries(devops.env()).map(([k, v]) => [k, v.replace('127.0.0.1', host)]),
          ),
          ...extra,
        },
        inputs: { environment: 'apps', sha, provider: 'azure' },
      },
    );
  return { devops, proxyAt, port, run };
}

describe('the providers behind a proxy (GitHub action bundle)', () => {
  it('HTTP_PROXY: every request reaches the API through the proxy, with its credentials; auth, user-agent, retries and pagination as without', async () => {
    const { fx, sha, proxyAt, env, inputs, port } = await setUp();
    // A name only the proxy can resolve: an answer proves the request went through it.
    const host = 'api.github.test';
    api!.failNext({ path: '/statuses', status: 502, headers: { 'retry-after': '0' } });
    const r = await runGitHub('check-previous-env', {
      cwd: fx.work,
      sha,
      env: { ...env(host), HTTP_PROXY: `http://robot:s%40cret@${proxyAt}`, NO_PROXY: 'example.com' },
      inputs,
    });
    ok(r);
    expect(proxy!.plain).toEqual([]);
    expect(proxy!.tunnels.length).toBeGreaterThan(0);
    for (const t of proxy!.tunnels) {
      expect(t.target).toBe(`${host}:${port}`);
      expect(t.authorization).toBe(`Basic ${Buffer.from('robot:s@cret').toString('base64')}`);
    }
    const reads = api!.requests;
    for (const q of reads) {
      expect(q.headers.authorization).toBe(`token ${api!.token}`);
      expect(q.headers['user-agent']).toMatch(/^gitops-promote octokit-core\.js\//);
    }
    // The 502 was retried, and the statuses were read page by page to the end.
    expect(r.stdout).toMatch(/statuses[^\n]*: HTTP 502; retrying/);
    const pages = reads
      .filter((q) => q.path.includes('/statuses') && q.status === 200)
      .map((q) => q.query.page ?? '1');
    expect(pages).toEqual(['1', '2', '3']);
  });

  it('NO_PROXY naming the API host: requests go direct; without it the same host goes through the proxy', async () => {
    const { fx, sha, proxyAt, env, inputs } = await setUp();
    // 0.0.0.0 reaches the double directly but is no loopback name to @actions/http-client.
    const run = (extra: Record<string, string>) =>
      runGitHub('check-previous-env', {
        cwd: fx.work,
        sha,
        env: { ...env('0.0.0.0'), HTTP_PROXY: `http://${proxyAt}`, ...extra },
        inputs,
      });
    ok(await run({ NO_PROXY: 'example.com, 0.0.0.0' }));
    expect(proxy!.tunnels).toEqual([]);
    expect(api!.requests.length).toBeGreaterThan(0);
    ok(await run({}));
    expect(proxy!.tunnels.length).toBeGreaterThan(0);
  });

  it('HTTPS_PROXY does not apply to an http:// API (the scheme picks the variable)', async () => {
    const { fx, sha, proxyAt, env, inputs } = await setUp();
    const r = await runGitHub('check-previous-env', {
      cwd: fx.work,
      sha,
      env: { ...env('0.0.0.0'), HTTPS_PROXY: `http://${proxyAt}` },
      inputs,
    });
    ok(r);
    expect(proxy!.tunnels).toEqual([]);
  });

  it('provider azure, HTTP_PROXY: the Azure DevOps API is reached through the proxy too (undici), with its credentials', async () => {
    const { devops, proxyAt, port, run } = await setUpAzure('github');
    const r = await run('dev.azure.test', { HTTP_PROXY: `http://robot:s%40cret@${proxyAt}` });
    expect(r.code, `${r.failure}\n${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.outputs.state).toBe('success');
    expect(proxy!.tunnels.length).toBeGreaterThan(0);
    for (const t of proxy!.tunnels) {
      expect(t.target).toBe(`dev.azure.test:${port}`);
      expect(t.authorization).toBe(`Basic ${Buffer.from('robot:s@cret').toString('base64')}`);
    }
    expect(devops.requests.every((q) => q.auth === 'bearer')).toBe(true);
  });
});

describe('the Azure DevOps task bundles (their own proxy client, without undici)', () => {
  const secret = 's%40cr3t-pw';
  /** The password's text and its encoded forms, none of which may reach the log but the agent's setsecret. */
  const leaks = (r: BundleRun, ...words: string[]) =>
    r.stdout
      .split('\n')
      .filter((line) => !line.startsWith('##vso[task.setsecret]'))
      .concat(r.stderr.split('\n'))
      .filter((line) => words.some((w) => line.includes(w)));

  it('provider github, HTTP_PROXY with credentials: every request goes through the proxy; nothing of the credentials is printed', async () => {
    const { fx, sha, proxyAt, env, inputs, port } = await setUp();
    const host = 'api.github.test';
    api!.failNext({ path: '/statuses', status: 502, headers: { 'retry-after': '0' } });
    const r = await runAzure('azure/check-previous-env', {
      cwd: fx.work,
      sha,
      env: { ...env(host), HTTP_PROXY: `http://proxy-robot:${secret}@${proxyAt}`, NO_PROXY: 'example.com' },
      inputs: { ...inputs, provider: 'github' },
    });
    expect(r.result, `${r.failure}\n${r.stdout}\n${r.stderr}`).not.toBe('Failed');
    expect(r.outputs.state).toBe('success');
    expect(r.warnings.filter((w) => /proxy/i.test(w))).toEqual([]);
    expect(proxy!.plain).toEqual([]);
    expect(proxy!.tunnels.length).toBeGreaterThan(0);
    for (const t of proxy!.tunnels) {
      expect(t.target).toBe(`${host}:${port}`);
      expect(t.authorization).toBe(`Basic ${Buffer.from('proxy-robot:s@cr3t-pw').toString('base64')}`);
    }
    for (const q of api!.requests) expect(q.headers.authorization).toBe(`token ${api!.token}`);
    expect(r.stdout).toMatch(/statuses[^\n]*: HTTP 502; retrying/);
    const pages = api!.requests.filter((q) => q.path.includes('/statuses') && q.status === 200);
    expect(pages.map((q) => q.query.page ?? '1')).toEqual(['1', '2', '3']);
    expect(r.stdout).toContain('##vso[task.setsecret]s@cr3t-pw');
    expect(
      leaks(r, 's@cr3t-pw', secret, 'proxy-robot', Buffer.from('proxy-robot:s@cr3t-pw').toString('base64')),
    ).toEqual([]);
  });

  it('provider github, NO_PROXY naming the API host: direct; without it through the proxy', async () => {
    const { fx, sha, proxyAt, env, inputs } = await setUp();
    const run = (extra: Record<string, string>) =>
      runAzure('azure/check-previous-env', {
        cwd: fx.work,
        sha,
        env: { ...env('0.0.0.0'), HTTP_PROXY: `http://${proxyAt}`, ...extra },
        inputs: { ...inputs, provider: 'github' },
      });
    const direct = await run({ NO_PROXY: 'example.com,0.0.0.0' });
    expect(direct.outputs.state, direct.stdout).toBe('success');
    expect(proxy!.tunnels).toEqual([]);
    expect(api!.requests.length).toBeGreaterThan(0);
    const proxied = await run({});
    expect(proxied.outputs.state, proxied.stdout).toBe('success');
    expect(proxy!.tunnels.length).toBeGreaterThan(0);
  });

  it("provider azure, the agent's proxy (AGENT_PROXYURL, user name, secret password): every request goes through it with Basic credentials; nothing of them is printed", async () => {
    const { devops, proxyAt, port, run } = await setUpAzure();
    const host = 'dev.azure.test';
    const r = await run(host, {
      AGENT_PROXYURL: `http://${proxyAt}`,
      AGENT_PROXYUSERNAME: 'agent-proxy-user',
      // A secret variable, as the agent passes Agent.ProxyPassword.
      SECRET_AGENT_PROXYPASSWORD: 'p@ss:w0rd%',
      AGENT_PROXYBYPASSLIST: JSON.stringify(['github\\.com', 'example\\.com']),
      HTTP_PROXY: 'http://127.0.0.1:9',
    });
    expect(r.result, `${r.failure}\n${r.stdout}\n${r.stderr}`).not.toBe('Failed');
    expect(r.outputs.state).toBe('success');
    expect(proxy!.plain).toEqual([]);
    expect(proxy!.tunnels.length).toBeGreaterThan(0);
    for (const t of proxy!.tunnels) {
      expect(t.target).toBe(`${host}:${port}`);
      expect(t.authorization).toBe(`Basic ${Buffer.from('agent-proxy-user:p@ss:w0rd%').toString('base64')}`);
    }
    expect(devops.requests.length).toBeGreaterThan(0);
    for (const q of devops.requests) expect(q.auth).toBe('bearer');
    expect(r.stdout).toContain('##vso[task.setsecret]p@ss:w0rd%AZP25');
    const words = [
      'p@ss',
      'w0rd',
      'agent-proxy-user',
      Buffer.from('agent-proxy-user:p@ss:w0rd%').toString('base64'),
    ];
    expect(leaks(r, ...words)).toEqual([]);
  });

  it('provider azure, AGENT_PROXYBYPASSLIST matching the collection URL: direct; without it through the proxy', async () => {
    const { devops, proxyAt, run } = await setUpAzure();
    const agent = { AGENT_PROXYURL: `http://${proxyAt}` };
    const direct = await run('0.0.0.0', {
      ...agent,
      AGENT_PROXYBYPASSLIST: JSON.stringify(['^HTTP://0\\.0\\.0\\.0:']),
    });
    expect(direct.outputs.state, direct.stdout).toBe('success');
    expect(proxy!.tunnels).toEqual([]);
    expect(devops.requests.length).toBeGreaterThan(0);
    const proxied = await run('0.0.0.0', agent);
    expect(proxied.outputs.state, proxied.stdout).toBe('success');
    expect(proxy!.tunnels.length).toBeGreaterThan(0);
  });

  it('carry no undici: each task folder has the small client (https-proxy-agent) instead', () => {
    const folders = readdirSync(join(DIST, 'azure'));
    expect(folders.length).toBeGreaterThan(0);
    const text = (folder: string) =>
      readdirSync(join(DIST, 'azure', folder)).map((f) =>
        readFileSync(join(DIST, 'azure', folder, f), 'utf8'),
      );
    expect(folders.filter((folder) => text(folder).some((t) => /undici/.test(t)))).toEqual([]);
    expect(folders.filter((folder) => !text(folder).some((t) => t.includes('HttpsProxyAgent')))).toEqual([]);
    // The GitHub actions' shared bundle carries undici's ProxyAgent.
    const main = readdirSync(join(DIST, 'main')).map((f) => readFileSync(join(DIST, 'main', f), 'utf8'));
    expect(main.some((t) => /\bProxyAgent\b/.test(t) && t.includes('undici'))).toBe(true);
  });
});
