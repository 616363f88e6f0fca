import { runCli } from '@gitops-promote/platform/cli';

// The terminal goes through HTTPS_PROXY like the GitHub actions do (NO_PROXY respected).
process.exitCode = await runCli(process.argv.slice(2), {
  proxyFetch: () => import('@gitops-promote/platform/providers/github/proxy-fetch'),
});
