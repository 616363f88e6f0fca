/**
 * The Azure Pipelines agent's own proxy (`config --proxyurl --proxyusername --proxypassword` and the
 * `.proxybypass` file), as the agent hands it to every task and azure-pipelines-task-lib's
 * getHttpProxyConfiguration reads it: Agent.ProxyUrl, Agent.ProxyUsername, Agent.ProxyPassword (a secret
 * variable) and Agent.ProxyBypassList (a JSON array of regular expressions, matched case-insensitively
 * against the whole request URL).
 */
import { GitopsError } from '@gitops-promote/core';
import type { ProxyChoice } from '../github/proxy';

/** Reads an agent variable by its name (`Agent.ProxyUrl`), secret ones included. */
export type AgentVariable = (name: string) => string | undefined;

/** The agent's proxy for `target`; undefined when none is configured or the bypass list matches. */
export function agentProxyFor(target: string, variable: AgentVariable): ProxyChoice | undefined {
  const proxyUrl = variable('Agent.ProxyUrl')?.trim();
  if (!proxyUrl) return undefined;
  if (bypassList(variable('Agent.ProxyBypassList')).some((re) => re.test(target))) return undefined;
  let url: URL;
  try {
    url = new URL(proxyUrl);
  } catch {
    throw new GitopsError(
      `AGENT_PROXYURL is not a URL (the agent's --proxyurl); give it as http://host:port`,
    );
  }
  const username = variable('Agent.ProxyUsername') ?? '';
  if (username) {
    // Encoded whole: the setters leave `%` as it is, and the proxy client decodes once.
    url.username = encodeURIComponent(username);
    url.password = encodeURIComponent(variable('Agent.ProxyPassword') ?? '');
  }
  return { url, variable: 'AGENT_PROXYURL' };
}

function bypassList(json: string | undefined): RegExp[] {
  let patterns: unknown;
  try {
    patterns = JSON.parse(json || '[]');
  } catch {
    patterns = undefined;
  }
  if (!Array.isArray(patterns) || patterns.some((p) => typeof p !== 'string'))
    throw new GitopsError(
      `AGENT_PROXYBYPASSLIST is ${JSON.stringify(json)}; it must be a JSON array of regular expressions (the agent writes it from its .proxybypass file)`,
    );
  return patterns.map((p: string) => {
    try {
      return new RegExp(p, 'i');
    } catch {
      throw new GitopsError(
        `AGENT_PROXYBYPASSLIST holds ${JSON.stringify(p)}, which is no regular expression (ECMAScript syntax)`,
      );
    }
  });
}
