// Only one process may run the queue of a database at a time (the desktop app or
// `evolab serve`): two schedulers would start the same run twice, and each would take the
// other's running runs for crashed ones. The lock is a row naming the holder's pid and host;
// a holder that no longer exists (killed, crashed) is taken over.

import { hostname } from 'node:os';
import { ApiError } from '../../src-shared/api-errors.ts';
import type { SqliteDatabase } from './database.ts';

/** Whether a process of this machine exists. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes the service lock for this process or throws ApiError('conflict') naming the holder. */
export function acquireServiceLock(db: SqliteDatabase, now: string): void {
  db.transaction(() => {
    const holder = db.prepare('SELECT pid, host, started_at AS startedAt FROM service_lock WHERE id = 1').get() as
      { pid: number; host: string; startedAt: string } | undefined;
    if (holder !== undefined && holder.pid !== process.pid && holder.host === hostname() && alive(holder.pid)) {
      throw new ApiError('conflict', `another Evolab service (pid ${holder.pid}, since ${holder.startedAt}) is running the queue of this database`);
    }
    db.prepare('INSERT OR REPLACE INTO service_lock (id, pid, host, started_at) VALUES (1, ?, ?, ?)').run(process.pid, hostname(), now);
  }).immediate();
}

/** The process holding the queue of this database, if any is alive on this machine. */
export interface ServiceHolder {
  readonly pid: number;
  readonly host: string;
  readonly startedAt: string;
  /** Its HTTP address, when it serves the AppApi. */
  readonly url: string | null;
}

export function serviceHolder(db: SqliteDatabase): ServiceHolder | null {
  const holder = db.prepare('SELECT pid, host, started_at AS startedAt, url FROM service_lock WHERE id = 1').get() as ServiceHolder | undefined;
  if (holder === undefined || holder.host !== hostname() || !alive(holder.pid)) return null;
  return holder;
}

/** Records where this process serves the AppApi (it must hold the lock). */
export function setServiceUrl(db: SqliteDatabase, url: string): void {
  db.prepare('UPDATE service_lock SET url = ? WHERE id = 1 AND pid = ? AND host = ?').run(url, process.pid, hostname());
}

export function releaseServiceLock(db: SqliteDatabase): void {
  db.prepare('DELETE FROM service_lock WHERE id = 1 AND pid = ? AND host = ?').run(process.pid, hostname());
}
