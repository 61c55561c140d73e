export * from './open-storage.js';
export * from './storage.js';
export * from './table-spec.js';
