// Queue settings that every process sharing the database sees: whether the queue is
// paused and how many runs may run at once. The CLI changes them; the service re-reads them.

import { z } from 'zod';
import type { SqliteDatabase } from './database.ts';

export interface QueueSettings {
  readonly paused: boolean;
  /** null: the default for this machine (see queue/slots.ts). */
  readonly slots: number | null;
}

export interface SettingsRepositorySync {
  queue(): QueueSettings;
  setQueue(change: Partial<QueueSettings>): void;
}

const queueSettings = z.object({ paused: z.boolean(), slots: z.number().int().min(1).nullable() });

export class SqliteSettingsRepository implements SettingsRepositorySync {
  private readonly db: SqliteDatabase;

  constructor(db: SqliteDatabase) {
    this.db = db;
  }

  queue(): QueueSettings {
    const row = this.db.prepare("SELECT value FROM settings WHERE key = 'queue'").get() as { value: string } | undefined;
    if (row === undefined) return { paused: false, slots: null };
    // A hand-edited, unreadable value falls back to the defaults rather than stopping the app.
    const parsed = queueSettings.safeParse(JSON.parse(row.value));
    return parsed.success ? parsed.data : { paused: false, slots: null };
  }

  setQueue(change: Partial<QueueSettings>): void {
    const next = { ...this.queue(), ...change };
    this.db.prepare("INSERT INTO settings (key, value) VALUES ('queue', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value").run(JSON.stringify(next));
  }
}
