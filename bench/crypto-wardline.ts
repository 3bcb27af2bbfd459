/** Wardline side of the crypto benchmark. */
import { randomBytes } from '@noble/hashes/utils.js';
import {
  acceptInitialMessage,
  bundleFor,
  decryptMessage,
  encryptMessage,
  generateDeviceKeys,
  generateIdentityKeyPair,
  initiateSession,
  messageKind,
  serializeSession,
  type DeviceKeys,
  type IdentityKeyPair,
  type Session,
} from '../main/core/crypto/index';
import type { Conversation, Driver, Party } from './crypto-driver';

interface PreparedSetUp {
  readonly alice: IdentityKeyPair;
  readonly bob: DeviceKeys;
  readonly oneTimePreKeyId: number;
  readonly pqPreKeyId: number;
}

export function wardlineDriver(): Driver {
  let prepared: PreparedSetUp[] = [];
  return {
    name: 'wardline',
    async prepareSetUps(count) {
      const alice = generateIdentityKeyPair(randomBytes);
      const bob = generateDeviceKeys(randomBytes, { oneTimePreKeys: count, oneTimePqPreKeys: count });
      const ecIds = [...bob.oneTimePreKeys.keys()];
      const pqIds = [...bob.oneTimePqPreKeys.keys()];
      prepared = ecIds.map((id, i) => ({ alice, bob, oneTimePreKeyId: id, pqPreKeyId: pqIds[i] ?? 0 }));
    },
    async setUp(index) {
      const p = prepared[index];
      if (!p) throw new Error('setUp: not prepared');
      const bundle = bundleFor(p.bob, { oneTimePreKeyId: p.oneTimePreKeyId, pqPreKeyId: p.pqPreKeyId });
      const session = initiateSession(p.alice, bundle, p.bob.identity.publicKey, randomBytes);
      const sent = encryptMessage(session, new Uint8Array(32), randomBytes);
      serializeSession(sent.session);
      const accepted = acceptInitialMessage(p.bob, sent.message, p.alice.publicKey);
      serializeSession(accepted.session);
    },
    async conversation() {
      const alice = generateIdentityKeyPair(randomBytes);
      const bob = generateDeviceKeys(randomBytes, { oneTimePreKeys: 1, oneTimePqPreKeys: 1 });
      const choice = { oneTimePreKeyId: [...bob.oneTimePreKeys.keys()][0], pqPreKeyId: [...bob.oneTimePqPreKeys.keys()][0] };
      const first = encryptMessage(
        initiateSession(alice, bundleFor(bob, choice), bob.identity.publicKey, randomBytes),
        new Uint8Array(1),
        randomBytes,
      );
      const accepted = acceptInitialMessage(bob, first.message, alice.publicKey);
      const reply = encryptMessage(accepted.session, new Uint8Array(1), randomBytes);
      const sessions: Record<Party, Session> = { alice: decryptMessage(first.session, reply.message).session, bob: reply.session };
      const stored: Record<Party, Uint8Array> = { alice: serializeSession(sessions.alice), bob: serializeSession(sessions.bob) };
      return {
        async send(from, plaintext) {
          const out = encryptMessage(sessions[from], plaintext, randomBytes);
          sessions[from] = out.session;
          stored[from] = serializeSession(out.session);
          return out.message;
        },
        async receive(to, message) {
          if (messageKind(message) !== 'ratchet') throw new Error('unexpected initial message');
          const out = decryptMessage(sessions[to], message);
          sessions[to] = out.session;
          stored[to] = serializeSession(out.session);
          return out.plaintext;
        },
        persistedSize: (party) => stored[party].length,
      } satisfies Conversation;
    },
  };
}
