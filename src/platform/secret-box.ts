import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { AppError } from './errors.js';

/** Seals secrets kept at rest (a peer's password) with AES-256-GCM under the host's key. */
export type SecretBox = { seal(plain: string): string; open(sealed: string): string };

export function createSecretBox(key: Buffer): SecretBox {
  if (key.length !== 32) throw new Error('the host key must be 32 bytes');
  return {
    seal(plain) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const data = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return [
        'v1',
        iv.toString('base64'),
        cipher.getAuthTag().toString('base64'),
        data.toString('base64'),
      ].join('.');
    },
    open(sealed) {
      const [version, iv, tag, data] = sealed.split('.');
      if (version !== 'v1' || !iv || !tag || data === undefined) {
        throw new AppError('secret_unreadable', 'A stored secret is not in a format this host can read', {
          status: 500,
        });
      }
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64'));
        decipher.setAuthTag(Buffer.from(tag, 'base64'));
        return Buffer.concat([decipher.update(Buffer.from(data, 'base64')), decipher.final()]).toString(
          'utf8',
        );
      } catch {
        throw new AppError(
          'secret_unreadable',
          'A stored peer password cannot be decrypted with this host key (was the key file replaced?); enter the password again',
          { status: 500 },
        );
      }
    },
  };
}

/** The key from IBSYNC_SECRET_KEY (base64), else from a file created with a random key on first use. */
export function loadHostKey(file: string, env: NodeJS.ProcessEnv = process.env): Buffer {
  if (env.IBSYNC_SECRET_KEY) return Buffer.from(env.IBSYNC_SECRET_KEY, 'base64');
  if (!existsSync(file)) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, randomBytes(32).toString('base64'), { mode: 0o600, flag: 'wx' });
  }
  return Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
}
