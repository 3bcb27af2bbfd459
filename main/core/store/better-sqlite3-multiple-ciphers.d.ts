/**
 * better-sqlite3-multiple-ciphers ships its own typings but its package.json "exports" map hides
 * them from moduleResolution "bundler". Its API is better-sqlite3's plus key()/rekey(), so the
 * module is typed as better-sqlite3 (from @types/better-sqlite3) and connection.ts casts for key().
 */
declare module 'better-sqlite3-multiple-ciphers' {
  import Database from 'better-sqlite3';
  export default Database;
}
