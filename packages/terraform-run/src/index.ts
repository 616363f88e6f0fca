import { terraformRun } from '@gitops-promote/core';
import { main } from '@gitops-promote/platform';

void main(terraformRun);
