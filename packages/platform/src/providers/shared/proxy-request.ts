/**
 * A `fetch` through a proxy without undici, for the Azure DevOps task bundles: Node's http(s).request over
 * https-proxy-agent (a CONNECT tunnel, http:// targets included, as undici's ProxyAgent does; the proxy
 * URL's credentials sent as a Basic `proxy-authorization`). Enough of `fetch` for Octokit's request and the
 * Azure DevOps client: method, headers, a string or byte body, redirects followed, an AbortSignal, and the
 * answer read whole into a standard Response.
 */
import { request as httpRequest, type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { HttpsProxyAgent } from 'https-proxy-agent';

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
/** Statuses a Response may not carry a body with. */
const NULL_BODY = new Set([101, 204, 205, 304]);
const MAX_REDIRECTS = 20;

interface Outgoing {
  method: string;
  headers: Record<string, string>;
  body?: Buffer;
  signal?: AbortSignal;
}

export function proxyFetch(proxy: URL): typeof fetch {
  // href keeps the credentials percent-encoded; the agent decodes them once.
  const agent = new HttpsProxyAgent(new URL(proxy.href), { keepAlive: true });
  return (async (input: string | URL | Request, init: RequestInit = {}) => {
    let url = new URL(input instanceof Request ? input.url : input);
    let req: Outgoing = {
      method: (init.method ?? 'GET').toUpperCase(),
      headers: Object.fromEntries(new Headers(init.headers)),
      body: toBuffer(init.body),
      signal: init.signal ?? undefined,
    };
    for (let hop = 0; ; hop++) {
      const res = await send(url, req, agent);
      const location = res.headers.get('location');
      if (init.redirect === 'manual' || !REDIRECTS.has(res.status) || !location || hop >= MAX_REDIRECTS)
        return Object.defineProperty(res, 'url', { value: url.href });
      const next = new URL(location, url);
      req = redirected(req, res.status, next.origin !== url.origin);
      url = next;
    }
  }) as typeof fetch;
}

/** The request a redirect asks for: a GET without body after 303 (and 301/302 of a POST), no credentials to another origin. */
function redirected(req: Outgoing, status: number, otherOrigin: boolean): Outgoing {
  const headers = { ...req.headers };
  if (otherOrigin) delete headers.authorization;
  if (status === 303 || ((status === 301 || status === 302) && req.method === 'POST')) {
    delete headers['content-type'];
    delete headers['content-length'];
    return { ...req, method: req.method === 'HEAD' ? 'HEAD' : 'GET', headers, body: undefined };
  }
  return { ...req, headers };
}

function toBuffer(body: RequestInit['body']): Buffer | undefined {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string') return Buffer.from(body);
  if (body instanceof ArrayBuffer) return Buffer.from(body);
  if (ArrayBuffer.isView(body)) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  throw new TypeError('this fetch sends a string or bytes as the body');
}

/** One request and its whole answer; rejects as `fetch` does (the abort reason, or a TypeError with the cause). */
function send(url: URL, req: Outgoing, agent: HttpsProxyAgent<string>): Promise<Response> {
  const { signal } = req;
  if (signal?.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const headers: OutgoingHttpHeaders = { ...req.headers };
    if (req.body) headers['content-length'] = req.body.length;
    const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const out = request(url, { method: req.method, headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        signal?.removeEventListener('abort', onAbort);
        resolve(toResponse(res, Buffer.concat(chunks)));
      });
      res.on('error', fail);
    });
    function fail(cause: Error) {
      signal?.removeEventListener('abort', onAbort);
      reject(signal?.aborted ? signal.reason : new TypeError('fetch failed', { cause }));
    }
    function onAbort() {
      out.destroy(signal?.reason);
    }
    signal?.addEventListener('abort', onAbort, { once: true });
    out.on('error', fail);
    out.end(req.body);
  });
}

function toResponse(res: IncomingMessage, body: Buffer): Response {
  const headers = new Headers();
  const raw = res.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) headers.append(raw[i]!, raw[i + 1]!);
  const status = res.statusCode ?? 502;
  return new Response(NULL_BODY.has(status) ? null : new Uint8Array(body), {
    status,
    statusText: res.statusMessage ?? '',
    headers,
  });
}
