import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';

const ASSETS = join('dist', 'renderer', 'assets');
/** The budget: 300 KB, read strictly as 300,000 bytes of gzipped JavaScript. */
const BUDGET_BYTES = 300_000;

describe('renderer bundle', () => {
  it('ships at most 300 KB of gzipped JavaScript', () => {
    if (!existsSync(ASSETS)) {
      throw new Error(`${ASSETS} is missing: run \`npm run build\` before this test; it measures the built renderer.`);
    }
    const scripts = readdirSync(ASSETS).filter((name) => name.endsWith('.js'));
    expect(scripts.length, `no .js files in ${ASSETS}: run \`npm run build\``).toBeGreaterThan(0);

    const sizes = scripts.map((name) => {
      const bytes = readFileSync(join(ASSETS, name));
      return { name, raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
    });
    const total = sizes.reduce((sum, s) => sum + s.gzip, 0);
    for (const s of sizes) console.log(`renderer ${s.name}: ${(s.raw / 1000).toFixed(1)} kB, ${(s.gzip / 1000).toFixed(1)} kB gzipped`);
    console.log(`renderer JavaScript total: ${(total / 1000).toFixed(1)} kB gzipped of a ${BUDGET_BYTES / 1000} kB budget`);

    expect(total).toBeLessThanOrEqual(BUDGET_BYTES);
  });
});
