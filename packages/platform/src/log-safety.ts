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
