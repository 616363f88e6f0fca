import { runCli } from '@gitops-promote/platform/cli';

process.exitCode = await runCli(process.argv.slice(2));
