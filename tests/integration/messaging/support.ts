import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApi } from '../../../main/core/api';
import type { Dispatch } from '../../../main/core/api';
import { createCore } from '../../../main/core/core';
import type { Core, CoreOptions } from '../../../main/core/core';
import { createPolicyProvider } from '../../../main/core/policy';
import { InsecureFileDeviceSecretProvider } from '../../../main/core/vault';
import type { MethodName } from '../../../protocol/channels';
import type { InputOf, OutputOf } from '../../../protocol/contract';
import { eventually } from '../../support/eventually';

/**
 * A clinician's workstation for tests: the real core (vault with Argon2id, SQLCipher store,
 * messaging engine, relay connection) driven through the same API the renderer uses.
 */
export class Workstation {
  readonly core: Core;
  readonly api: Dispatch;
  readonly log: { event: string; fields?: Record<string, unknown> }[] = [];

  constructor(
    readonly dataDir: string,
    options: Pick<CoreOptions, 'policy'> & { runtime?: CoreOptions['runtime']; showNotification?: NonNullable<CoreOptions['workstation']>['showNotification'] } = {},
  ) {
    this.core = createCore({
      dataDir,
      host: 'web-host',
      version: 'test',
      deviceSecrets: new InsecureFileDeviceSecretProvider(dataDir),
      allowInsecureDeviceSecret: true,
      policy: options.policy ?? createPolicyProvider({ log: { warn: () => undefined }, registry: null, files: null }),
      runtime: { reconnectDelayMs: 100, ...options.runtime },
      ...(options.showNotification ? { workstation: { showNotification: options.showNotification } } : {}),
      log: (event, fields) => {
        this.log.push({ event, fields });
        if (process.env.WARDLINE_DEBUG) console.log(dataDir.slice(-12), event, JSON.stringify(fields ?? {}));
      },
    });
    this.api = createApi(this.core, { log: (message, err) => this.log.push({ event: 'api.error', fields: { message, err: String(err) } }) });
  }

  /** Calls a contract method; throws with the error's code when it fails. */
  async call<M extends MethodName>(method: M, input: InputOf<M>): Promise<OutputOf<M>> {
    const result = await this.api(method, input);
    if (!result.ok) throw Object.assign(new Error(`${method}: ${result.error.code}: ${result.error.message}`), { code: result.error.code });
    return result.value as OutputOf<M>;
  }

  get engine() {
    return this.core.runtime.requireOpen().engine;
  }

  get store() {
    return this.core.runtime.requireOpen().store;
  }

  async close(): Promise<void> {
    await this.core.runtime.lock('user');
  }
}

export function tempDir(prefix: string): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), `wardline-${prefix}-`));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Shared with the other suites (tests/support/eventually.ts); kept here for this suite's imports. */
export { eventually };

/** Enrols each workstation with its code and PIN in turn, then waits until every one is authenticated with the relay. */
export async function enrolAll(relayUrl: string, enrolments: readonly [w: Workstation, code: string, pin: string][]): Promise<void> {
  for (const [w, code, pin] of enrolments) await w.call('profiles.enrol', { relayUrl, code, pin });
  for (const [w] of enrolments) await eventually('relay authentication', () => w.engine.relay.state === 'authenticated');
}

/** A colleague's direct conversation, once it is in the workstation's list. */
export async function conversationWith(w: Workstation, userId: string) {
  return eventually('conversation', async () => (await w.call('conversations.list', {})).find((c) => c.peerUserId === userId));
}

/** The lines the workstation wrote into a conversation itself (group changes, timers), oldest first. */
export async function systemLines(w: Workstation, conversationId: string): Promise<string[]> {
  const page = await w.call('messages.page', { conversationId, limit: 200 });
  return page.messages.filter((m) => m.kind === 'system').map((m) => m.text).reverse();
}

/** The typed error a call fails with; throws if it succeeds. */
export async function failure(run: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await run;
  } catch (err) {
    return { code: (err as { code: string }).code, message: (err as Error).message };
  }
  throw new Error('expected the call to fail');
}
