import { it } from 'vitest';
import { referenceStatus } from '../../src/format/reference-packages.js';

/**
 * The folder of the real EnterpriseData packages, or undefined. When it is missing, registers a test that
 * fails under CI=true and is skipped (with the folder named) elsewhere; call it at the top of a test file.
 */
export function referenceDirOrSkip(): string | undefined {
  const reference = referenceStatus();
  if (reference.kind === 'present') return reference.dir;
  if (!reference.required) console.warn(reference.message);
  it.skipIf(!reference.required)(reference.message, () => {
    throw new Error(reference.message);
  });
  return undefined;
}
