/**
 * The environment for a command the step starts (Terraform, a renderer): the step's own, less its inputs.
 * Runners hand a step its inputs as `INPUT_*` variables, the token among them; Terraform code from a pull
 * request (an external data source, a provisioner) or a render command must not be able to read them.
 */
export function childProcessEnv(
  base: NodeJS.ProcessEnv = process.env,
  extra: Record<string, string> = {},
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(base)) if (!/^INPUT_/i.test(name)) env[name] = value;
  return { ...env, ...extra };
}
