import type { Connection } from '../connection';

export type SettingValue = string | number | boolean | null | SettingValue[] | { [k: string]: SettingValue };

/** Per-profile preferences as JSON values (inside the encrypted database: they can reveal habits). */
export class SettingsRepo {
  constructor(private readonly c: Connection) {}

  get(key: string): SettingValue | undefined {
    const r = this.c.get<{ value: string }>('SELECT value FROM settings WHERE key = ?', key);
    return r ? (JSON.parse(r.value) as SettingValue) : undefined;
  }

  set(key: string, value: SettingValue): void {
    this.c.run(
      'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
      key, JSON.stringify(value),
    );
  }

  remove(key: string): boolean {
    return this.c.run('DELETE FROM settings WHERE key = ?', key).changes > 0;
  }

  all(): Record<string, SettingValue> {
    const out: Record<string, SettingValue> = {};
    for (const r of this.c.all<{ key: string; value: string }>('SELECT key, value FROM settings ORDER BY key')) {
      out[r.key] = JSON.parse(r.value) as SettingValue;
    }
    return out;
  }
}
