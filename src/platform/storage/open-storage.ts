import { createPostgresStorage } from './postgres-storage.js';
import { createSqliteStorage } from './sqlite-storage.js';
import type { Storage, StorageConfig } from './storage.js';

export function openStorage(config: StorageConfig): Storage {
  return config.dialect === 'sqlite' ? createSqliteStorage(config) : createPostgresStorage(config);
}
