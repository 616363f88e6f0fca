export * from './board';
export * from './commit';
export * from './poll';
export * from './promotion';
export * from './promotion-check';
