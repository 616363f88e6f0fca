import { promotionBoard } from '@gitops-promote/core';
import { main } from '@gitops-promote/platform';

void main(promotionBoard);
