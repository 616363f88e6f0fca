export * from './branch';
export * from './dispatch';
export * from './files';
export * from './manifest';
export * from './metadata';
export * from './pull-request';
export * from './tag';
