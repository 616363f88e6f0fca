import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type GitHubApiDouble, startGitHubDouble } from './doubles/github-api';
import { type BundleRun, DIST, runAzure, runGitHub } from './support/bundle';
import { gitFixture } from './support/git';

/**
 * The GitHub provider behind a proxy, through the built bundles: HTTP(S)_PROXY and NO_PROXY decided as
 * @actions/http-client decides (which bypasses loopback hosts, so the API double is named otherwise here);
 * the Azure DevOps task bundles carry no proxy client and go direct, with one warning.
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
afterEach(async () => {
  await api?.close();
  await proxy?.close();
  api = proxy = undefined;
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

describe('the GitHub provider behind a proxy (GitHub action bundle)', () => {
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
});

describe('the Azure DevOps task bundles', () => {
  it('provider github with a proxy variable set: requests go direct, one warning names the variable', async () => {
    const { fx, sha, proxyAt, env, inputs } = await setUp();
    const r = await runAzure('azure/check-previous-env', {
      cwd: fx.work,
      sha,
      env: { ...env('0.0.0.0'), http_proxy: `http://${proxyAt}` },
      inputs: { ...inputs, provider: 'github' },
    });
    expect(r.result, `${r.failure}\n${r.stdout}\n${r.stderr}`).not.toBe('Failed');
    expect(r.outputs.state).toBe('success');
    expect(proxy!.tunnels).toEqual([]);
    expect(api!.requests.length).toBeGreaterThan(0);
    const about = r.warnings.filter((w) => /proxy/i.test(w));
    expect(about).toHaveLength(1);
    expect(about[0]).toMatch(/^http_proxy is set, but .*directly, not through the proxy/);
  });

  it('carry no proxy client: neither undici nor its ProxyAgent is in any task folder', () => {
    const folders = readdirSync(join(DIST, 'azure'));
    expect(folders.length).toBeGreaterThan(0);
    const carrying = folders.flatMap((folder) =>
      readdirSync(join(DIST, 'azure', folder))
        .filter((file) => /ProxyAgent|undici/.test(readFileSync(join(DIST, 'azure', folder, file), 'utf8')))
        .map((file) => `${folder}/${file}`),
    );
    expect(carrying).toEqual([]);
    // The GitHub actions' shared bundle does carry it.
    const main = readdirSync(join(DIST, 'main')).map((f) => readFileSync(join(DIST, 'main', f), 'utf8'));
    expect(main.some((t) => t.includes('ProxyAgent'))).toBe(true);
  });
});
