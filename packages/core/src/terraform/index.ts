export * from './args';
export * from './diagnostics';
export * from './fingerprint';
export * from './plan-json';
export * from './plan-record';
export * from './plan-summary';
export * from './report';
export * from './runner';
