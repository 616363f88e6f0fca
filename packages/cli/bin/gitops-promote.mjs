#!/usr/bin/env node
// The terminal entry runs the committed bundle, so `npx gitops-promote` needs no build step.
await import('../../../dist/cli/index.cjs');
