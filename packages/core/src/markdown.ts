/** Escapes text for a Markdown table cell or inline position: user data must not become markup. */
export function md(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+!|<>~]/g, '\\$&').replace(/\r?\n/g, ' ');
}

/** The summary section of a step, titled by the step and the environment(s) it acted on. */
export function summarySection(step: string, environment?: string): string {
  return environment ? `${step} · ${environment}` : step;
}

export function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}
