import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { proxyFetch } from '../packages/platform/src/providers/shared/proxy-request';

/**
 * The Azure tasks' small `fetch` through a CONNECT proxy, against a real server: what Octokit's request and
 * the Azure DevOps client use of `fetch` (bodies, headers, redirects, aborts, network errors).
 */

type Handler = (req: IncomingMessage, body: string, res: ServerResponse) => void;
const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((resolve) => s.close(resolve));
  }
});

async function listen(server: Server): Promise<number> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

/** A target answering with `handler`, behind a CONNECT proxy that records each tunnel's target. */
async function setUp(handler: Handler) {
  const target = await listen(
    createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c));
      req.on('end', () => handler(req, body, res));
    }),
  );
  const tunnels: string[] = [];
  const proxy = createServer((_, res) => res.writeHead(502).end());
  proxy.on('connect', (req, client, head) => {
    tunnels.push(`${req.url} ${req.headers['proxy-authorization'] ?? ''}`);
    const upstream = connect(target, '127.0.0.1', () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client).pipe(upstream);
    });
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  const proxyPort = await listen(proxy);
  const f = proxyFetch(new URL(`http://u%3Ax:p%40ss@127.0.0.1:${proxyPort}`));
  return { f, tunnels, base: `http://api.example.test:${target}` };
}

describe('proxyFetch (Node http over https-proxy-agent)', () => {
  it('sends method, headers and body through the tunnel, with the proxy credentials; the answer reads as a Response', async () => {
    const { f, tunnels, base } = await setUp((req, body, res) => {
      res.setHeader('x-echo', `${req.method} ${req.url} ${req.headers.authorization} ${body}`);
      res.setHeader('content-type', 'application/json');
      res.writeHead(201, 'Made').end(JSON.stringify({ ok: true }));
    });
    const res = await f(`${base}/a?b=1`, {
      method: 'post',
      headers: { authorization: 'Bearer t', 'content-type': 'application/json' },
      body: JSON.stringify({ x: 1 }),
    });
    expect([res.status, res.statusText, res.url]).toEqual([201, 'Made', `${base}/a?b=1`]);
    expect(res.headers.get('x-echo')).toBe('POST /a?b=1 Bearer t {"x":1}');
    expect(await res.json()).toEqual({ ok: true });
    expect(tunnels).toEqual([
      `api.example.test:${base.split(':').pop()} Basic ${Buffer.from('u:x:p@ss').toString('base64')}`,
    ]);
  });

  it('follows redirects (303 turns a POST into a GET without body), unless asked not to; a 204 has no body', async () => {
    const { f, base } = await setUp((req, body, res) => {
      if (req.url === '/post') res.writeHead(303, { location: '/done' }).end();
      else if (req.url === '/moved') res.writeHead(302, { location: `${base}/empty` }).end();
      else if (req.url === '/empty') res.writeHead(204).end();
      else res.end(`${req.method} ${req.url} [${body}]`);
    });
    const res = await f(`${base}/post`, { method: 'POST', body: 'data' });
    expect([res.status, res.url, await res.text()]).toEqual([200, `${base}/done`, 'GET /done []']);
    const empty = await f(`${base}/moved`);
    expect([empty.status, empty.url, await empty.text()]).toEqual([204, `${base}/empty`, '']);
    const manual = await f(`${base}/moved`, { redirect: 'manual' });
    expect([manual.status, manual.headers.get('location')]).toEqual([302, `${base}/empty`]);
  });

  it('an abort rejects with the signal’s reason, before or during a request', async () => {
    const controller = new AbortController();
    // The server never answers; the request is aborted once it has arrived.
    const { f, base } = await setUp(() => controller.abort(new DOMException('stop', 'TimeoutError')));
    await expect(f(`${base}/hang`, { signal: controller.signal })).rejects.toMatchObject({
      name: 'TimeoutError',
    });
    await expect(f(`${base}/hang`, { signal: controller.signal })).rejects.toMatchObject({
      name: 'TimeoutError',
    });
  });

  it('an unreachable proxy rejects as fetch does: a TypeError with the cause, no credentials in it', async () => {
    const closed = createServer();
    const port = await listen(closed);
    closed.close();
    const f = proxyFetch(new URL(`http://user:pw-secret@127.0.0.1:${port}`));
    const err = (await f('https://dev.azure.example/x').then(
      () => undefined,
      (e: unknown) => e,
    )) as TypeError;
    expect(err).toBeInstanceOf(TypeError);
    expect((err.cause as { code?: string }).code).toBe('ECONNREFUSED');
    expect(`${err.message} ${(err.cause as Error).message}`).not.toMatch(/pw-secret|user/);
  });
});
