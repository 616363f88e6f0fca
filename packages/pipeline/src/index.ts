import { pipeline } from '@gitops-promote/core';
import { main } from '@gitops-promote/platform';

void main(pipeline);
