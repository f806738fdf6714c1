// What a store location names: a postgres:// (or postgresql://) URL is the shared PostgreSQL
// store, anything else an SQLite file. Kept free of imports: the CLI asks this before it
// loads any store code (`evolab --help` stays fast).

export function isPostgresUrl(location: string): boolean {
  return /^postgres(ql)?:\/\//i.test(location);
}
