/**
 * The typing mistakes of seed S3 that would later surface as an obscure connection error: spaces at
 * either end, and characters from another keyboard layout. The host warns about the same on save.
 */
export type CredentialHint = { kind: 'surrounding_spaces' | 'non_latin'; characters: string };

export function credentialHints(value: string): CredentialHint[] {
  const hints: CredentialHint[] = [];
  if (value !== value.trim()) hints.push({ kind: 'surrounding_spaces', characters: '' });
  const foreign = [...new Set([...value].filter((char) => char > '~' || char < ' '))];
  if (foreign.length > 0) hints.push({ kind: 'non_latin', characters: foreign.join('') });
  return hints;
}
