export * from './branch';
export * from './files';
export * from './gate';
export * from './manifest';
export * from './metadata';
export * from './pull-request';
