/**
 * Log lines are parsed by the platforms for commands (`::set-env::` on GitHub, `##vso[` on Azure DevOps).
 * Text that comes from refs, files or APIs is data: it must never start a command.
 */
export function neutraliseGitHubCommands(text: string): string {
  return text.replace(/^(\s*)::/gm, '$1:\u200b:');
}

export function neutraliseAzureCommands(text: string): string {
  return text.replace(/##(vso)?\[/g, '#\u200b#$1[');
}

/** Inputs that are credentials as a whole: registered as secrets before anything is logged. */
export const SECRET_INPUTS = ['token', 'workflow-token'] as const;

/**
 * Inputs that may hold credentials inside (backend access keys, a URL with user-info, `--set password=…`):
 * read without any echo of their value; their credential parts are registered as secrets.
 */
export const CREDENTIAL_INPUTS = ['backend-config', 'init-args', 'target-repository', 'command'] as const;

/** Environment variables a provider falls back to when the token input is empty. */
export const TOKEN_VARIABLES = ['GITHUB_TOKEN', 'SYSTEM_ACCESSTOKEN'] as const;

const CREDENTIAL_KEY =
  /secret|token|password|passwd|pwd|credential|access_?key|private_?key|encryption_?key|api_?key|sas|conn_?str|client_?certificate/i;

/**
 * The credential parts of an input: values of `key=value` words whose key names a credential
 * (`access_key=…`, `-backend-config=sas_token=…`), and the user-info of URLs (`https://user:token@host`).
 * Booleans are left out: masking every `true` would ruin the log and hide nothing.
 */
export function credentialsIn(text: string): string[] {
  const found = new Set<string>();
  for (const m of text.matchAll(/[a-z][\w+.-]*:\/\/([^/@\s]+)@/gi)) {
    const info = m[1]!;
    const colon = info.indexOf(':');
    found.add(colon >= 0 ? info.slice(colon + 1) : info);
  }
  for (const word of text.split(/\s+/)) {
    const parts = word.split('=');
    for (let i = 0; i < parts.length - 1; i++) {
      if (!CREDENTIAL_KEY.test(parts[i]!)) continue;
      found.add(
        parts
          .slice(i + 1)
          .join('=')
          .replace(/^(["'])(.*)\1$/, '$2'),
      );
      break;
    }
  }
  return [...found].filter((v) => v !== '' && !/^(true|false)$/i.test(v));
}

/** Files (job summaries, uploaded summaries) are not masked by the platforms: hide the secrets in them. */
export function maskSecrets(text: string, secrets: Iterable<string>): string {
  let t = text;
  for (const s of [...secrets].sort((a, b) => b.length - a.length)) if (s) t = t.split(s).join('***');
  return t;
}

/** The secrets a runtime was told about: each kept once, all hidden in text that leaves the log. */
export class SecretSet {
  readonly #values = new Set<string>();

  /** Keeps `value`; true when it is new (and not empty), so the platform is to be told of it. */
  add(value: string): boolean {
    if (!value || this.#values.has(value)) return false;
    this.#values.add(value);
    return true;
  }

  mask(text: string): string {
    return maskSecrets(text, this.#values);
  }
}
