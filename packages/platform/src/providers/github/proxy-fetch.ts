/**
 * A `fetch` through a proxy (undici's ProxyAgent, set up as @actions/http-client sets it up: the proxy
 * URL's credentials as a Basic `proxy-authorization`). Only the GitHub-action and terminal bundles import
 * it (hub.ts); the Azure DevOps task bundles carry a smaller one (../shared/proxy-request.ts).
 */
import { ProxyAgent, fetch as undiciFetch } from 'undici';

export function proxyFetch(proxy: URL): typeof fetch {
  const credentials = proxy.username || proxy.password;
  const dispatcher = new ProxyAgent({
    uri: proxy.href,
    ...(credentials && {
      token: `Basic ${Buffer.from(`${proxy.username}:${proxy.password}`).toString('base64')}`,
    }),
  });
  return ((url: string | URL, init?: RequestInit) =>
    undiciFetch(url, { ...(init as object), dispatcher })) as unknown as typeof fetch;
}
