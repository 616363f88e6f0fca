import { GitopsError, type Runtime, type Services } from '@gitops-promote/core';

/** Services for a run; the provider is built on first use from the `provider` and `token` inputs. */
export function createServices(_rt: Runtime): Services {
  return {
    async provider() {
      throw new GitopsError('no hosting-service provider is wired into this build yet');
    },
  };
}
