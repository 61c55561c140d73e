import { randomUUID } from 'node:crypto';
import { readlinkSync } from 'node:fs';
import { hostname } from 'node:os';

/** This machine, as far as pids go: two containers may share a host name, never a pid namespace. */
function machine(): string {
  try {
    return `${hostname()}/${readlinkSync('/proc/self/ns/pid').replace(/\D/g, '')}`;
  } catch {
    return hostname();
  }
}

const MACHINE = machine();

/**
 * Names this host process in the rows it owns while it works (a node's lease, a running journal entry):
 * `<host>/<pid namespace>:<pid>:<random>`. Another process on the same machine can then tell that the
 * owner is gone — killed, crashed — and need not wait for a lease to run out or leave a session
 * "running" for ever.
 */
export const PROCESS_TOKEN = `${MACHINE}:${process.pid}:${randomUUID().slice(0, 8)}`;

/**
 * Whether the process that wrote `token` has certainly ended: it ran on this machine and its pid is gone
 * (or is this process, started after it). A token from another machine, or not in this form, is never
 * judged gone: only its lease running out frees it.
 */
export function isProcessGone(token: string): boolean {
  const [where, pidText, random] = token.split(':');
  const pid = Number(pidText);
  if (where !== MACHINE || !Number.isInteger(pid) || pid <= 0 || !random) return false;
  const own = PROCESS_TOKEN.split(':');
  if (pid === process.pid) return random.slice(0, 8) !== own[2];
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    // EPERM: the pid exists under another user, so it is not ours to judge gone.
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
