import type { FreezeWindow } from '../gate/freeze';
export type ParityMode = 'off' | 'warn' | 'error';

export type Trigger = { branch: string } | { tag: string };

export interface Environment {
  name: string;
  /** Terraform workspace; defaults to the name. */
  workspace: string;
  on: Trigger;
  /** `promote-tag` may promote here without a person. */
  auto: boolean;
  /** Position in promotion order, from 0. */
  index: number;
}

export interface Config {
  /** Where the configuration came from: a file path, or `default`. */
  source: string;
  format: 'gitops-promote' | 'gitops-promotion' | 'default';
  mainBranch: string;
  environments: Environment[];
  terraform: { binary: string; workingDirectory: string; lockTimeout: string };
  status: {
    timeoutMs: number;
    intervalMs: number;
    contexts: string[];
    /** Several clusters (Flux, one status each): all must report success, or any one. */
    require: 'all' | 'any';
    /** How long the previous environment's success must have stood. */
    soakMs: number;
  };
  /** Windows in which nothing is promoted into the environments they name. */
  freeze: FreezeWindow[];
  promotion: { prflow: 'per-app' | 'per-env'; path: string };
  /** Environment parity: how a plan that differs from the previous environment's record is treated. */
  parity: { mode: ParityMode; ignore: string[] };
  /** What the step should tell the user about the file (XKS keys it ignores), each printed once. */
  warnings: string[];
}

/** Our own result, and Flux's for a Kustomization named after the environment (or `<group>-<env>`, XKS style). */
export const DEFAULT_CONTEXTS = [
  'gitops-promote/{env}',
  'kustomization/{env}',
  'kustomization/{group}-{env}',
];
export const ENVIRONMENT_NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;
export const CONFIG_FILES = ['gitops-promote.yaml', 'gitops-promote.yml'];
export const XKS_CONFIG_FILES = ['gitops-promotion.yaml', 'gitops-promotion.yml'];

export function triggerText(on: Trigger): string {
  return 'branch' in on ? `branch ${on.branch}` : `tag ${on.tag}`;
}
