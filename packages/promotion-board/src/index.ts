import { promotionBoard } from '@gitops-promote/core';
import { main } from '@gitops-promote/platform';

await main(promotionBoard);
