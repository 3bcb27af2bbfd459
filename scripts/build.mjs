// Builds every bundle: the renderer with Vite; main, preload, the relay and the web host with
// esbuild. Main and preload are CommonJS: Electron's sandboxed preload cannot load ES modules,
// and one format for both keeps native-module loading simple.
import { build as esbuild } from 'esbuild';
import { rmSync } from 'node:fs';
import { build as vite } from 'vite';

const natives = ['electron', 'better-sqlite3', 'better-sqlite3-multiple-ciphers', 'bufferutil', 'utf-8-validate'];
const node = { bundle: true, platform: 'node', target: 'node22', format: 'cjs', external: natives, logLevel: 'warning', sourcemap: 'linked' };

for (const dir of ['dist/main', 'dist/preload', 'dist/harness', 'dist/server']) rmSync(dir, { recursive: true, force: true });

await vite({ configFile: 'vite.config.ts', logLevel: 'warn' });
await Promise.all([
  esbuild({ ...node, entryPoints: ['main/app/main.ts'], outfile: 'dist/main/index.cjs' }),
  // main/core runs in a worker thread, so the store and the engine never hold up the main process.
  esbuild({ ...node, entryPoints: ['main/core/host/worker-entry.ts'], outfile: 'dist/main/core-worker.cjs' }),
  // Argon2id runs in a worker thread so unlocking never freezes the main process (~0.4 s of KDF).
  esbuild({ ...node, entryPoints: ['main/core/vault/kdf-worker.ts'], outfile: 'dist/main/kdf-worker.cjs', sourcemap: false }),
  // WAL checkpoints (decrypt + re-encrypt every page copied) run beside the store, never in a commit.
  esbuild({ ...node, entryPoints: ['main/core/store/checkpoint/worker.ts'], outfile: 'dist/main/checkpoint-worker.cjs', sourcemap: false }),
  esbuild({ ...node, entryPoints: ['preload/index.ts'], outfile: 'dist/preload/index.cjs', sourcemap: false }),
  esbuild({ ...node, entryPoints: ['tests/harness/host.ts'], outfile: 'dist/harness/host.cjs' }),
  esbuild({ bundle: true, platform: 'browser', target: 'chrome140', format: 'iife', entryPoints: ['tests/harness/bridge.ts'], outfile: 'dist/harness/bridge.js', logLevel: 'warning' }),
]);
console.log('built dist/renderer, dist/main/index.cjs, dist/preload/index.cjs, dist/harness/{host.cjs,bridge.js}');
