import { GitopsError, type GitProvider, InputError, type Runtime, type Services } from '@gitops-promote/core';
import { type ProxyFetchLoader, proxyFor } from './providers/github/proxy';
import { type AgentVariable, agentProxyFor } from './providers/shared/agent-proxy';
import { variableKey } from './runtimes/azure-commands';

const PROVIDERS = ['auto', 'github', 'azure', 'git'] as const;
type ProviderKind = (typeof PROVIDERS)[number];

/** What the entry bundle brings: its proxy client (undici's in hub.ts; a small one in the Azure task entries, index.ts). */
export interface ServiceOptions {
  proxyFetch?: ProxyFetchLoader;
}

/**
 * Services for a run. The provider is built on first use from the `provider` input (default `auto`:
 * GitHub under GitHub Actions, Azure DevOps under Azure Pipelines, plain Git elsewhere) and the `token`
 * input; its module is imported only then, so steps that never call an API never load a client.
 */
export function createServices(
  rt: Runtime,
  env: NodeJS.ProcessEnv = process.env,
  options: ServiceOptions = {},
): Services {
  let provider: Promise<GitProvider> | undefined;
  return {
    provider() {
      provider ??= createProvider(rt, env, options).then((p) => masking(p, rt));
      return provider;
    },
  };
}

async function createProvider(
  rt: Runtime,
  env: NodeJS.ProcessEnv,
  options: ServiceOptions,
): Promise<GitProvider> {
  const chosen = (rt.input('provider').trim() || 'auto') as ProviderKind;
  if (!PROVIDERS.includes(chosen))
    throw new InputError('provider', chosen, `use one of ${PROVIDERS.join(', ')}`);
  const kind = chosen === 'auto' ? (rt.platform === 'terminal' ? 'git' : rt.platform) : chosen;
  const token = rt.input('token').trim();
  if (token) rt.setSecret(token);

  if (kind === 'github') {
    const t = token || env.GITHUB_TOKEN || '';
    if (!t)
      throw new InputError(
        'token',
        '',
        "the github provider needs a token: the action's default is the workflow's github.token; give a GitHub App token or a PAT to trigger further workflows",
      );
    const repository = env.GITHUB_REPOSITORY ?? '';
    if (!/^[^/\s]+\/[^/\s]+$/.test(repository))
      throw new GitopsError(
        `GITHUB_REPOSITORY is ${JSON.stringify(repository)}; the github provider needs owner/name (it is set on GitHub Actions runners)`,
      );
    const { GitHubProvider } = await import('./providers/github');
    return new GitHubProvider({
      token: t,
      repository,
      apiUrl: env.GITHUB_API_URL,
      fetch: await proxiedFetch(rt, env, 'github', env.GITHUB_API_URL || 'https://api.github.com', options),
      serverUrl: env.GITHUB_SERVER_URL,
      // A run's own writes are not paced (the provider's default); retries keep the hosts' advice.
      log: (line) => rt.info(line),
    });
  }
  if (kind === 'azure') {
    const t = token || env.SYSTEM_ACCESSTOKEN || '';
    if (!t)
      throw new InputError(
        'token',
        '',
        'the azure provider needs a token: map it in the pipeline (env: SYSTEM_ACCESSTOKEN: $(System.AccessToken)) or give token: $(System.AccessToken)',
      );
    const collectionUri = env.SYSTEM_COLLECTIONURI || env.SYSTEM_TEAMFOUNDATIONCOLLECTIONURI || '';
    const project = env.SYSTEM_TEAMPROJECT || env.SYSTEM_TEAMPROJECTID || '';
    const repositoryId = env.BUILD_REPOSITORY_ID || '';
    const missing = Object.entries({
      SYSTEM_COLLECTIONURI: collectionUri,
      SYSTEM_TEAMPROJECT: project,
      BUILD_REPOSITORY_ID: repositoryId,
    })
      .filter(([, v]) => !v)
      .map(([k]) => k);
    if (missing.length)
      throw new GitopsError(`the azure provider needs ${missing.join(', ')} (set on Azure Pipelines agents)`);
    const { AzureDevOpsProvider } = await import('./providers/azure');
    return new AzureDevOpsProvider({
      token: t,
      collectionUri,
      project,
      repositoryId,
      log: (line) => rt.info(line),
      fetch: await proxiedFetch(rt, env, 'azure', collectionUri, options),
    });
  }
  const { GitRemoteProvider } = await import('./providers/git');
  return new GitRemoteProvider({ cwd: rt.context.workspace });
}

/**
 * The proxy-aware `fetch` when a proxy applies to the API (an Azure agent's own proxy settings when it has
 * them, else HTTP(S)_PROXY and NO_PROXY) and this bundle carries a proxy client; else direct, with one
 * warning when a proxy was asked for. The proxy's password is registered as a secret and never logged.
 */
async function proxiedFetch(
  rt: Runtime,
  env: NodeJS.ProcessEnv,
  kind: 'github' | 'azure',
  apiUrl: string,
  options: ServiceOptions,
): Promise<typeof fetch | undefined> {
  const agent = (rt as Runtime & { variable?: AgentVariable }).variable?.bind(rt);
  const variable: AgentVariable = agent ?? ((name) => env[variableKey(name)]);
  const proxy = variable('Agent.ProxyUrl')?.trim() ? agentProxyFor(apiUrl, variable) : proxyFor(apiUrl);
  if (!proxy) return undefined;
  rt.setSecret(passwordOf(proxy.url));
  if (options.proxyFetch) {
    rt.debug(
      `the ${kind} provider reaches ${apiUrl} through the proxy ${proxy.url.host} (${proxy.variable})`,
    );
    return (await options.proxyFetch()).proxyFetch(proxy.url);
  }
  rt.warning(
    `${proxy.variable} is set, but this run sends the ${kind} provider's requests to ${apiUrl} directly, not through the proxy; allow direct access to the API, or add its host to NO_PROXY`,
  );
  return undefined;
}

/** The proxy URL's password, decoded (a URL keeps it percent-encoded). */
function passwordOf(url: URL): string {
  const encoded = new URL(url.href).password;
  try {
    return decodeURIComponent(encoded);
  } catch {
    return encoded;
  }
}

/**
 * Comments are text the platforms do not mask: a secret registered with the runtime (a password in a
 * render command, say) is hidden in them too, whatever step writes the comment.
 */
function masking(provider: GitProvider, rt: Runtime): GitProvider {
  const mask = (rt as Runtime & { mask?: (text: string) => string }).mask?.bind(rt);
  if (!mask) return provider;
  const upsert = provider.upsertComment.bind(provider);
  provider.upsertComment = (number, marker, body) => upsert(number, marker, mask(body));
  // Drift issues carry the plan report like a comment does.
  const create = provider.createIssue.bind(provider);
  provider.createIssue = (issue) => create({ ...issue, body: mask(issue.body) });
  const update = provider.updateIssue.bind(provider);
  provider.updateIssue = (number, change) =>
    update(number, change.body === undefined ? change : { ...change, body: mask(change.body) });
  const comment = provider.commentOnIssue.bind(provider);
  provider.commentOnIssue = (number, body) => comment(number, mask(body));
  return provider;
}
