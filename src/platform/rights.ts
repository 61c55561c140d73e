/** Roles of seed S4/S8: `sync` may run synchronization and read its journal, nothing more. */
export const ROLES = ['admin', 'sync', 'user', 'readonly'] as const;
export type Role = (typeof ROLES)[number];

export const PERMISSIONS = [
  'data.read',
  'data.write',
  'data.purge',
  'users.read',
  'users.manage',
  'settings.read',
  'settings.write',
  'sync.read',
  'sync.run',
  'sync.setup',
  'exchange',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

const GRANTS: Record<Role, readonly Permission[]> = {
  admin: PERMISSIONS,
  sync: ['settings.read', 'sync.read', 'sync.run', 'exchange'],
  user: ['data.read', 'data.write', 'settings.read'],
  readonly: ['data.read', 'settings.read'],
};

export function can(role: Role, permission: Permission): boolean {
  return GRANTS[role].includes(permission);
}

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}
