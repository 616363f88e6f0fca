export * from './board';
export * from './clusters';
export * from './commit';
export * from './freeze';
export * from './outputs';
export * from './poll';
export * from './promotion';
export * from './promotion-check';
