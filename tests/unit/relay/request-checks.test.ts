import fc from 'fast-check';
import { isDeepStrictEqual } from 'node:util';
import { describe, expect, it } from 'vitest';
import { encodeBase64, relayRequests } from '../../../protocol/relay';
import { requestChecks } from '../../../server/socket/request-checks';

/**
 * The relay's hand-written fast checks for its busiest requests (server/socket/request-checks.ts)
 * may only ever say "valid, use as is": everything they accept the zod contract must accept with
 * an identical value, or a drift between the two would let malformed input past the contract.
 */
const uuid = fc.uuid().map((u) => u.toLowerCase());
const b64 = fc.oneof(
  fc.uint8Array({ minLength: 0, maxLength: 40 }).map((b) => encodeBase64(b)),
  fc.string({ maxLength: 12 }),
  fc.constantFrom('AB==', 'A===', '====', 'AAAA', 'AA=A', 'AA==', 'AAA=', '', 'AAA\n', 'AA AA==', '////', '+/+/'),
);
const str = fc.oneof(fc.string({ maxLength: 130 }), fc.constant(''), fc.string({ minLength: 127, maxLength: 129 }));
const val = fc.oneof(str, uuid, b64, fc.integer(), fc.double(), fc.constant(null), fc.boolean(), fc.constant([]));
const envelope = fc.record({ to: fc.oneof(uuid, val), senderMessageId: fc.oneof(str, val), payload: fc.oneof(b64, val) }, { requiredKeys: [] });
const withExtra = <T extends object>(arb: fc.Arbitrary<T>) => fc.tuple(arb, fc.string(), val).map(([e, k, v]) => ({ ...e, [k]: v }));
const send = fc.oneof(
  fc.record({ envelopes: fc.array(fc.oneof(envelope, withExtra(envelope), val), { maxLength: 4 }) }),
  fc.record({ envelopes: fc.array(fc.record({ to: uuid, senderMessageId: str, payload: b64 }), { minLength: 0, maxLength: 258 }) }),
  withExtra(fc.record({ envelopes: fc.array(envelope, { maxLength: 3 }) })),
  val,
);
const ack = fc.oneof(
  fc.record({ ids: fc.array(fc.oneof(fc.integer(), fc.double(), fc.constantFrom(2 ** 53, 2 ** 53 - 1, 0, -1), val), { maxLength: 5 }) }),
  fc.record({ ids: fc.array(fc.nat(), { minLength: 995, maxLength: 1002 }) }),
  withExtra(fc.record({ ids: fc.array(fc.nat({ max: 9 }).map((x) => x + 1), { maxLength: 2 }) })),
  val,
);

describe('relay fast request checks', () => {
  for (const [name, arb] of [['envelope.send', send], ['envelope.ack', ack]] as const) {
    it(`${name}: accept nothing the contract refuses, and take valid requests as they are`, () => {
      const check = requestChecks[name];
      expect(check).toBeDefined();
      let fastPath = 0;
      fc.assert(
        fc.property(arb, (raw) => {
          const input: unknown = JSON.parse(JSON.stringify(raw ?? null));
          const slow = relayRequests[name].request.safeParse(input);
          if (check!(input)) {
            fastPath++;
            return slow.success && isDeepStrictEqual(slow.data, input);
          }
          return true;
        }),
        { numRuns: 5000 },
      );
      // The fast path is taken at all (a check that refused everything would pass the property).
      expect(fastPath).toBeGreaterThan(20);
    });
  }
});
