import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  configuredReferenceDir,
  REFERENCE_DIR_ENV,
  referenceDir,
  referencePackageFile,
  referenceStatus,
  repoRoot,
} from '../../src/format/reference-packages.js';

describe('where the reference packages are looked for', () => {
  it('finds the repository root from the module location', () => {
    const root = repoRoot();
    const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { name?: string };
    expect(manifest.name).toBe('ibsync');
  });

  it('uses ../shared/reference/enterprisedata beside the repository by default', () => {
    expect(configuredReferenceDir({})).toBe(
      resolve(repoRoot(), '..', 'shared', 'reference', 'enterprisedata'),
    );
  });

  it(`lets ${REFERENCE_DIR_ENV} point elsewhere`, () => {
    expect(configuredReferenceDir({ [REFERENCE_DIR_ENV]: '/opt/1c/enterprisedata' })).toBe(
      '/opt/1c/enterprisedata',
    );
  });

  it('names the Package.bin of a package inside XDTOPackages/', () => {
    expect(referencePackageFile('/ref', 'ExchangeMessage')).toBe(
      '/ref/XDTOPackages/ExchangeMessage/Ext/Package.bin',
    );
  });
});

describe('given a reference folder that does not exist', () => {
  const env = { [REFERENCE_DIR_ENV]: '/nonexistent/enterprisedata' };

  it('reports it missing and names the folder, so tests skip with that message', () => {
    expect(referenceDir(env)).toBeUndefined();
    const status = referenceStatus(env);
    expect(status).toMatchObject({ kind: 'missing', dir: '/nonexistent/enterprisedata', required: false });
    expect(status.kind === 'missing' && status.message).toContain('/nonexistent/enterprisedata');
  });

  it('requires it under CI=true, so tests fail instead of skipping', () => {
    const status = referenceStatus({ ...env, CI: 'true' });
    expect(status).toMatchObject({ kind: 'missing', required: true });
    expect(status.kind === 'missing' && status.message).toContain('CI=true');
  });
});

describe('given the reference folder is present', () => {
  const dir = referenceDir();

  it.runIf(dir !== undefined)('reports it present', () => {
    expect(referenceStatus()).toEqual({ kind: 'present', dir });
    expect(existsSync(referencePackageFile(dir!, 'EnterpriseData_1_8_6'))).toBe(true);
  });
});
