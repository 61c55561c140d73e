import { existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadXdtoPackage, type XdtoPackage } from './xdto-package.js';

/**
 * Where the real 1C XDTO packages are. They stay outside the project (licence and size): code and
 * tests read them in place, from `IBSYNC_REFERENCE_DIR` or `<repo root>/../shared/reference/enterprisedata`.
 */
export const REFERENCE_DIR_ENV = 'IBSYNC_REFERENCE_DIR';

export type ReferencePackageName =
  | 'EnterpriseData_1_8_6'
  | 'EnterpriseData_1_17_3'
  | 'EnterpriseData_1_21_1'
  | 'ExchangeMessage'
  | 'EnterpriseDataExchange_1_0_1_1';

export const REFERENCE_PACKAGE_NAMES: readonly ReferencePackageName[] = [
  'EnterpriseData_1_8_6',
  'EnterpriseData_1_17_3',
  'EnterpriseData_1_21_1',
  'ExchangeMessage',
  'EnterpriseDataExchange_1_0_1_1',
];

type Env = Readonly<Record<string, string | undefined>>;

export type ReferenceStatus =
  | { readonly kind: 'present'; readonly dir: string }
  | {
      readonly kind: 'missing';
      readonly dir: string;
      /** Under CI the packages must be there: a test run without them proves nothing. */
      readonly required: boolean;
      readonly message: string;
    };

/** The nearest folder above this module with a package.json: the repository root, from src/ or dist/. */
export function repoRoot(): string {
  const start = dirname(fileURLToPath(import.meta.url));
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) return resolve(start, '..', '..');
  }
}

/** The folder the packages are expected in, whether or not it exists. */
export function configuredReferenceDir(env: Env = process.env): string {
  const fromEnv = env[REFERENCE_DIR_ENV];
  if (fromEnv) return resolve(fromEnv);
  return resolve(repoRoot(), '..', 'shared', 'reference', 'enterprisedata');
}

export function referenceDir(env: Env = process.env): string | undefined {
  const dir = configuredReferenceDir(env);
  return isDirectory(join(dir, 'XDTOPackages')) ? dir : undefined;
}

export function referenceStatus(env: Env = process.env): ReferenceStatus {
  const dir = configuredReferenceDir(env);
  if (referenceDir(env) !== undefined) return { kind: 'present', dir };
  const required = env.CI === 'true' || env.CI === '1';
  const message =
    `EnterpriseData reference packages not found in ${dir} (no XDTOPackages/ there); ` +
    `set ${REFERENCE_DIR_ENV} to the folder that holds them` +
    (required ? ' — CI=true, so this is a failure' : ' — skipping the tests that read them');
  return { kind: 'missing', dir, required, message };
}

export function referencePackageFile(dir: string, name: ReferencePackageName): string {
  return join(dir, 'XDTOPackages', name, 'Ext', 'Package.bin');
}

export function loadReferencePackage(dir: string, name: ReferencePackageName): Promise<XdtoPackage> {
  return loadXdtoPackage(referencePackageFile(dir, name));
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
