import { renderManifests } from '@gitops-promote/core';
import { main } from '@gitops-promote/platform';

await main(renderManifests);
