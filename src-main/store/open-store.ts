// Opens the store a location names: a postgres:// (or postgresql://) URL opens the shared
// PostgreSQL store, anything else is an SQLite file path. The PostgreSQL driver is loaded
// only when a URL asks for it, so the embedded default starts as fast as before.

import type { Store } from './contract.ts';
import { isPostgresUrl } from './location.ts';
import { openStore, type StoreOptions } from './store.ts';

export async function openAnyStore(location: string, options: StoreOptions = {}): Promise<Store> {
  if (!isPostgresUrl(location)) return openStore(location, options);
  const { openPostgresStore } = await import('./postgres/pg-store.ts');
  return await openPostgresStore(location);
}
