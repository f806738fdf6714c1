// Where the database lives unless --db or EVOLAB_DB says otherwise: the user's data folder,
// the same for the desktop app and the CLI, so both see the same experiments.
//   Linux:   $XDG_DATA_HOME/evolab/evolab.db (default ~/.local/share/evolab/evolab.db)
//   macOS:   ~/Library/Application Support/Evolab/evolab.db
//   Windows: %APPDATA%\Evolab\evolab.db

import { homedir } from 'node:os';
import { join } from 'node:path';

export const DATABASE_ENV = 'EVOLAB_DB';

export function defaultDatabasePath(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  const fromEnv = env[DATABASE_ENV];
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  if (platform === 'win32') return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), 'Evolab', 'evolab.db');
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'Evolab', 'evolab.db');
  const dataHome = env.XDG_DATA_HOME !== undefined && env.XDG_DATA_HOME !== '' ? env.XDG_DATA_HOME : join(homedir(), '.local', 'share');
  return join(dataHome, 'evolab', 'evolab.db');
}
