import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  applyChange,
  createGroup,
  createSenderKey,
  CryptoError,
  deserializeSenderKey,
  deserializeSenderKeyReceiver,
  generateIdentityKeyPair,
  groupDecrypt,
  groupEncrypt,
  isCryptoError,
  MAX_FORWARD_JUMP,
  needsRotation,
  acceptsSenderKeyEpoch,
  parseGroupMessage,
  processSenderKeyDistribution,
  senderKeyDistribution,
  serializeSenderKey,
  serializeSenderKeyReceiver,
  signChange,
  type SenderKeyReceiverState,
  type SenderKeyState,
} from '../../../main/core/crypto/index';
import { Kind } from '../../../main/core/crypto/constants';
import { SenderKeyKind } from '../../../main/core/crypto/sender-keys';
import { expectCryptoError, flip, seededRng, str, text } from './helpers';

const AD = text('sender alice/desk-1');
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const snap = (s: SenderKeyReceiverState): string => hex(serializeSenderKeyReceiver(s));

function setup(label: string): { alice: SenderKeyState; bob: SenderKeyReceiverState; rng: ReturnType<typeof seededRng> } {
  const rng = seededRng(label);
  const alice = createSenderKey({ groupId: rng(32), epoch: 3 }, rng);
  const bob = processSenderKeyDistribution(senderKeyDistribution(alice));
  return { alice, bob, rng };
}

function sendAll(alice: SenderKeyState, count: number): { state: SenderKeyState; messages: Uint8Array[] } {
  const messages: Uint8Array[] = [];
  let state = alice;
  for (let i = 0; i < count; i++) {
    const out = groupEncrypt(state, text(`message ${i}`), AD);
    state = out.state;
    messages.push(out.message);
  }
  return { state, messages };
}

describe('sender keys', () => {
  it('round-trips messages in order, with both states persisted between messages', () => {
    const { alice, bob } = setup('sk-order');
    let sender = alice;
    let receiver = bob;
    for (let i = 0; i < 20; i++) {
      const out = groupEncrypt(deserializeSenderKey(serializeSenderKey(sender)), text(`hello ${i}`), AD);
      sender = out.state;
      const got = groupDecrypt(deserializeSenderKeyReceiver(serializeSenderKeyReceiver(receiver)), out.message, AD);
      receiver = got.state;
      expect(str(got.plaintext)).toBe(`hello ${i}`);
    }
    expect(receiver.iteration).toBe(20);
    expect(receiver.skipped.size).toBe(0);
  });

  it('decrypts each delivered message exactly once under loss, reordering and duplication', () => {
    const { alice, bob } = setup('sk-schedule');
    const { messages } = sendAll(alice, 40);
    fc.assert(
      fc.property(fc.array(fc.nat(messages.length - 1), { maxLength: 80 }), (schedule) => {
        let receiver = bob;
        const seen = new Set<number>();
        for (const index of schedule) {
          const message = messages[index] as Uint8Array;
          const before = snap(receiver);
          if (seen.has(index)) {
            expectCryptoError(() => groupDecrypt(receiver, message, AD), 'duplicate');
            expect(snap(receiver)).toBe(before);
            continue;
          }
          const got = groupDecrypt(receiver, message, AD);
          expect(str(got.plaintext)).toBe(`message ${index}`);
          receiver = deserializeSenderKeyReceiver(serializeSenderKeyReceiver(got.state));
          seen.add(index);
        }
      }),
      { numRuns: 60 },
    );
  });

  it('rejects every single-byte change, truncation and extension and leaves the receiver unchanged', () => {
    const { alice, bob } = setup('sk-tamper');
    const first = groupEncrypt(alice, text('first'), AD);
    const second = groupEncrypt(first.state, text('second'), AD);
    // Receiver states before the first message and with the first one skipped.
    const skippedOne = groupDecrypt(bob, second.message, AD).state;
    for (const [receiver, message] of [[bob, first.message], [skippedOne, first.message]] as const) {
      const before = snap(receiver);
      for (let i = 0; i < message.length; i++) {
        for (const mask of [0x01, 0x80]) {
          expect(() => groupDecrypt(receiver, flip(message, i, mask), AD)).toThrow(CryptoError);
        }
      }
      expect(() => groupDecrypt(receiver, message.subarray(0, message.length - 1), AD)).toThrow(CryptoError);
      expect(() => groupDecrypt(receiver, new Uint8Array([...message, 0]), AD)).toThrow(CryptoError);
      expectCryptoError(() => groupDecrypt(receiver, message, text('other ad')), 'decrypt_failed');
      expect(snap(receiver)).toBe(before);
      expect(str(groupDecrypt(receiver, message, AD).plaintext)).toBe('first');
    }
  });

  it('refuses a message a member forged on another sender chain with its own signing key', () => {
    const { alice, bob, rng } = setup('sk-forge');
    // Carol is a member: she holds Alice's chain key (as every receiver does) and her own key.
    const carolView = processSenderKeyDistribution(senderKeyDistribution(alice));
    const carolOwn = createSenderKey({ groupId: alice.groupId, epoch: alice.epoch }, rng);
    const forgedState: SenderKeyState = { ...alice, chainKey: carolView.chainKey, signingKey: carolOwn.signingKey };
    const forged = groupEncrypt(forgedState, text('transfer the patient'), AD).message;
    const before = snap(bob);
    expectCryptoError(() => groupDecrypt(bob, forged, AD), 'bad_signature');
    expect(snap(bob)).toBe(before);
  });

  it('refuses messages for another group, epoch or chain as unknown_sender_key', () => {
    const { alice, bob, rng } = setup('sk-foreign');
    const otherGroup = createSenderKey({ groupId: rng(32), epoch: alice.epoch }, rng);
    const otherEpoch = { ...alice, epoch: alice.epoch + 1 };
    const otherChain = { ...alice, chainId: (alice.chainId + 1) >>> 0 };
    for (const state of [otherGroup, otherEpoch, otherChain]) {
      expectCryptoError(() => groupDecrypt(bob, groupEncrypt(state, text('x'), AD).message, AD), 'unknown_sender_key');
    }
  });

  it('bounds the forward jump like the ratchet, before deriving any key', () => {
    const { alice, bob } = setup('sk-jump');
    const far = groupEncrypt({ ...alice, iteration: MAX_FORWARD_JUMP + 1 }, text('far'), AD).message;
    expectCryptoError(() => groupDecrypt(bob, far, AD), 'too_far_ahead');
    const edge = sendAll(alice, 1).state;
    expect(edge.iteration).toBe(1);
  });

  it("a removed member's receiver state cannot read messages under the rotated key", () => {
    const rng = seededRng('sk-removal');
    const aliceId = generateIdentityKeyPair(rng);
    const certified = (user: string, key: Uint8Array): boolean => user === 'alice' && hex(key) === hex(aliceId.publicKey);
    const author = { userId: 'alice', identity: aliceId };
    const g0 = createGroup({ name: 'Ward 7', creator: 'alice' }, rng);
    const g1 = applyChange(g0, signChange(g0, { type: 'add', userIds: ['bob', 'mallory'] }, author), certified);
    const oldKey = createSenderKey({ groupId: g1.groupId, epoch: g1.epoch }, rng);
    const malloryOld = processSenderKeyDistribution(senderKeyDistribution(oldKey));
    const bobOld = processSenderKeyDistribution(senderKeyDistribution(oldKey));
    expect(str(groupDecrypt(malloryOld, groupEncrypt(oldKey, text('before'), AD).message, AD).plaintext)).toBe('before');

    const g2 = applyChange(g1, signChange(g1, { type: 'remove', userIds: ['mallory'] }, author), certified);
    expect(needsRotation(g1, g2)).toBe(true);
    expect(acceptsSenderKeyEpoch(g2, oldKey.epoch)).toBe(false);
    const newKey = createSenderKey({ groupId: g2.groupId, epoch: g2.epoch }, rng);
    expect(acceptsSenderKeyEpoch(g2, newKey.epoch)).toBe(true);
    const bobNew = processSenderKeyDistribution(senderKeyDistribution(newKey)); // over Bob's pairwise session only
    const after = groupEncrypt(newKey, text('after removal'), AD).message;
    expect(str(groupDecrypt(bobNew, after, AD).plaintext)).toBe('after removal');
    expectCryptoError(() => groupDecrypt(malloryOld, after, AD), 'unknown_sender_key');
    expectCryptoError(() => groupDecrypt(bobOld, after, AD), 'unknown_sender_key');
    // Even relabelled as the old chain, it does not verify under the old signing key.
    const relabelled = groupEncrypt({ ...newKey, epoch: oldKey.epoch, chainId: oldKey.chainId }, text('x'), AD).message;
    expectCryptoError(() => groupDecrypt(malloryOld, relabelled, AD), 'bad_signature');
  });

  it('refuses to send past the last iteration', () => {
    const { alice } = setup('sk-exhausted');
    expectCryptoError(() => groupEncrypt({ ...alice, iteration: 0xffff_ffff }, text('x'), AD), 'invalid_argument');
  });

  it('uses kind bytes distinct from the pairwise encodings', () => {
    const pairwise = new Set<number>(Object.values(Kind));
    for (const kind of Object.values(SenderKeyKind)) expect(pairwise.has(kind)).toBe(false);
  });

  it('encodes a message as 46-byte header, length, ciphertext and signature', () => {
    const { alice } = setup('sk-layout');
    const { message } = groupEncrypt(alice, text('abc'), AD);
    expect(message.length).toBe(46 + 4 + 3 + 16 + 64);
    const parsed = parseGroupMessage(message);
    expect(parsed.chainId).toBe(alice.chainId);
    expect(senderKeyDistribution(alice).length).toBe(46 + 64);
  });

  it('parsers throw only CryptoError on arbitrary bytes', () => {
    const { alice, bob } = setup('sk-fuzz');
    const valid = [
      groupEncrypt(alice, text('x'), AD).message,
      senderKeyDistribution(alice),
      serializeSenderKey(alice),
      serializeSenderKeyReceiver(bob),
    ];
    const parsers = [
      (b: Uint8Array) => groupDecrypt(bob, b, AD),
      processSenderKeyDistribution,
      deserializeSenderKey,
      deserializeSenderKeyReceiver,
    ];
    const mutated = fc.tuple(fc.constantFrom(...valid), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { maxLength: 4 }));
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 300 }), mutated.map(([b, edits]) => edits.reduce((acc, [i, m]) => flip(acc, i % acc.length, m), b))), (bytes) => {
        for (const parse of parsers) {
          try {
            parse(bytes);
          } catch (error) {
            if (!isCryptoError(error)) throw error;
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it('refuses a receiver record whose skipped keys are out of order', () => {
    const { alice, bob } = setup('sk-record');
    const { messages } = sendAll(alice, 3);
    const state = groupDecrypt(bob, messages[2] as Uint8Array, AD).state;
    const bytes = serializeSenderKeyReceiver(state);
    expect(hex(serializeSenderKeyReceiver(deserializeSenderKeyReceiver(bytes)))).toBe(hex(bytes));
    // Swap the two skipped entries (iterations 0 and 1) at the end of the record.
    const tail = bytes.length - 2 * 36;
    const swapped = bytes.slice();
    swapped.set(bytes.subarray(tail + 36), tail);
    swapped.set(bytes.subarray(tail, tail + 36), tail + 36);
    expectCryptoError(() => deserializeSenderKeyReceiver(swapped), 'malformed');
  });
});
