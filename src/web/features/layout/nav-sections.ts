import type { Me, Metadata } from '../../api/types';

export type NavItem = { to: string; label: string };
export type NavSection = { key: string; title: string; items: NavItem[] };

type Labels = {
  catalogs: string;
  documents: string;
  settings: string;
  users: string;
  sync: string;
  journal: string;
  pick: (label: { en: string; ru: string }) => string;
};

/**
 * What a user may open, grouped as the seed's applications group it: catalogs, documents, and the
 * settings (CRM: "Settings", Accounting: "Administration") with users and data synchronization.
 */
export function navSections(ib: string, metadata: Metadata | undefined, me: Me | undefined, labels: Labels) {
  const can = (permission: Me['permissions'][number]) => me?.permissions.includes(permission) ?? false;
  const sections: NavSection[] = [];
  if (metadata && can('data.read')) {
    for (const kind of ['catalog', 'document'] as const) {
      sections.push({
        key: kind,
        title: kind === 'catalog' ? labels.catalogs : labels.documents,
        items: metadata.types
          .filter((type) => type.kind === kind)
          .map((type) => ({ to: `/${ib}/data/${type.name}`, label: labels.pick(type.pluralLabel) })),
      });
    }
  }
  const admin: NavItem[] = [];
  if (can('users.read')) admin.push({ to: `/${ib}/users`, label: labels.users });
  if (can('settings.read') && (can('sync.read') || can('settings.write'))) {
    admin.push({ to: `/${ib}/sync`, label: labels.sync });
  }
  if (can('sync.read')) admin.push({ to: `/${ib}/sync/journal`, label: labels.journal });
  if (admin.length > 0) sections.push({ key: 'settings', title: labels.settings, items: admin });
  return sections;
}
