// Queue settings on PostgreSQL, as ../settings.ts (SQLite): one JSON row that every process
// sharing the store reads; a change is merged into what is stored, in one transaction.

import { z } from 'zod';
import type { SettingsRepository } from '../contract.ts';
import type { QueueSettings } from '../settings.ts';
import type { PostgresDatabase } from './database.ts';

const queueSettings = z.object({ paused: z.boolean(), slots: z.number().int().min(1).nullable() });

export class PostgresSettingsRepository implements SettingsRepository {
  private readonly db: PostgresDatabase;

  constructor(db: PostgresDatabase) {
    this.db = db;
  }

  async queue(): Promise<QueueSettings> {
    const row = await this.db.one<{ value: string }>("SELECT value FROM settings WHERE key = 'queue'");
    if (row === null) return { paused: false, slots: null };
    // A hand-edited, unreadable value falls back to the defaults rather than stopping the app.
    const parsed = queueSettings.safeParse(JSON.parse(row.value));
    return parsed.success ? parsed.data : { paused: false, slots: null };
  }

  setQueue(change: Partial<QueueSettings>): Promise<void> {
    // Read and written in one (serializable) transaction: two processes changing different
    // settings at once do not undo each other's change.
    return this.db.atomic(async () => {
      const next = { ...(await this.queue()), ...change };
      await this.db.execute("INSERT INTO settings (key, value) VALUES ('queue', $1) ON CONFLICT (key) DO UPDATE SET value = excluded.value", [
        JSON.stringify(next),
      ]);
    });
  }
}
