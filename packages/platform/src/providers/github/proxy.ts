/**
 * Whether the GitHub API is reached through a proxy: decided by @actions/http-client's own rules (the
 * `https_proxy`/`HTTPS_PROXY` or `http_proxy`/`HTTP_PROXY` variable by the URL's scheme, bypassed by
 * `no_proxy`/`NO_PROXY` and for loopback hosts), read from `process.env` as that library reads it. Small,
 * so every bundle can tell; each entry injects its proxy client (./proxy-fetch, ../shared/proxy-request).
 */
import { getProxyUrl } from '@actions/http-client/lib/proxy';

export interface ProxyChoice {
  /** The proxy's URL (credentials decoded, as @actions/http-client gives them). */
  url: URL;
  /** The variable that named it, for messages. */
  variable: string;
}

/** The proxy requests to `target` go through, or undefined for a direct connection. */
export function proxyFor(target: string): ProxyChoice | undefined {
  let parsed: URL;
  try {
    parsed = new URL(target);
  } catch {
    return undefined;
  }
  const url = getProxyUrl(parsed);
  if (!url?.hostname) return undefined;
  const names = parsed.protocol === 'https:' ? ['https_proxy', 'HTTPS_PROXY'] : ['http_proxy', 'HTTP_PROXY'];
  const variable = names.find((n) => process.env[n]) ?? names[1]!;
  return { url, variable };
}

/** Loads the proxy-aware `fetch` (injected by the bundles that carry it). */
export type ProxyFetchLoader = () => Promise<{ proxyFetch(proxy: URL): typeof fetch }>;
