import { Worker } from 'node:worker_threads';
import { assertKdfParams } from './kdf';
import type { Argon2idFn } from './kdf';

/**
 * Argon2idFn that runs each derivation in a short-lived worker thread, keeping the main process's
 * event loop free during unlock. `workerUrl` defaults to the sibling source (tsx); a bundled app
 * passes the URL of its built kdf-worker file.
 */
export function argon2idInWorker(opts: { workerUrl?: URL } = {}): Argon2idFn {
  return async (password, salt, params) => {
    assertKdfParams(params);
    const url = opts.workerUrl ?? new URL('./kdf-worker.ts', import.meta.url);
    const pw = new Uint8Array(password);
    const worker = new Worker(url, {
      ...(url.pathname.endsWith('.ts') ? { execArgv: ['--import', 'tsx'] } : {}),
      workerData: { password: pw, salt: new Uint8Array(salt), params },
      transferList: [pw.buffer],
    });
    try {
      return await new Promise<Uint8Array>((resolve, reject) => {
        worker.once('message', (m: { ok: true; out: Uint8Array } | { ok: false; message: string }) =>
          m.ok ? resolve(m.out) : reject(new Error(m.message)));
        worker.once('error', reject);
        worker.once('exit', (code) => reject(new Error(`kdf worker exited with code ${code}`)));
      });
    } finally {
      await worker.terminate();
    }
  };
}
