/**
 * Enrolment: a one-time code (from the CLI) plus a device's public keys become an enrolled device
 * with a certificate from the directory key. The code is checked and spent in the same write
 * transaction that creates the device, so one code can never enrol two devices.
 */
import { randomUUID } from 'node:crypto';
import { ed25519 } from '@noble/curves/ed25519.js';
import type { z } from 'zod';
import { signDeviceCertificate } from '../protocol/certificate';
import { enrolmentProofMessage, type EnrolRequest, type EnrolResponse } from '../protocol/relay';
import type { Db } from './db/database';
import { DeviceRepository } from './db/devices';
import { PrekeyRepository } from './db/prekeys';
import { UserRepository } from './db/users';
import type { DirectoryKey } from './directory-key';
import type { WriteTurn } from './envelope-writer';
import { RelayFailure } from './failure';
import { prekeyInput } from './prekey-input';

type ParsedEnrolRequest = z.output<typeof EnrolRequest>;

export class EnrolmentService {
  private readonly users: UserRepository;
  private readonly devices: DeviceRepository;
  private readonly prekeys: PrekeyRepository;

  constructor(
    private readonly db: Db,
    private readonly directoryKey: DirectoryKey,
    private readonly turn: WriteTurn,
  ) {
    this.users = new UserRepository(db);
    this.devices = new DeviceRepository(db);
    this.prekeys = new PrekeyRepository(db);
  }

  async enrol(request: ParsedEnrolRequest, now: number): Promise<EnrolResponse> {
    const identityKey = Buffer.from(request.identityKey, 'base64');
    const proof = Buffer.from(request.proof, 'base64');
    if (!verifies(proof, enrolmentProofMessage(request.code, identityKey), identityKey)) {
      throw new RelayFailure('auth_failed', 'proof of identity key possession does not verify');
    }
    const enrolment = this.db.transaction(() => {
      const checked = this.users.checkCode(request.code, now);
      switch (checked.state) {
        case 'invalid':
          throw new RelayFailure('enrolment_code_invalid', 'unknown enrolment code');
        case 'expired':
          throw new RelayFailure('enrolment_code_expired', 'enrolment code has expired; ask IT for a new one');
        case 'used':
          throw new RelayFailure('enrolment_code_used', 'enrolment code was already used');
        case 'user_disabled':
          throw new RelayFailure('user_disabled', 'user is disabled');
      }
      const user = checked.user;
      if (!user) throw new Error('code check returned no user');
      if (this.devices.identityKeyInUse(identityKey)) {
        throw new RelayFailure('identity_key_in_use', 'identity key already belongs to an enrolled device');
      }
      const deviceId = randomUUID();
      const certificate = Buffer.from(
        signDeviceCertificate({ userId: user.id, deviceId, identityKey, issuedAt: now }, this.directoryKey.secretKey),
      );
      this.devices.insert({ id: deviceId, userId: user.id, identityKey, certificate, createdAt: now });
      this.prekeys.setSigned(deviceId, 'ec', prekeyInput(request.signedPrekey), now);
      this.prekeys.setSigned(deviceId, 'pq_last_resort', prekeyInput(request.pqLastResortPrekey), now);
      this.prekeys.addOneTime(deviceId, 'ec', request.oneTimePrekeys.map(prekeyInput));
      this.prekeys.addOneTime(deviceId, 'pq', request.pqOneTimePrekeys.map(prekeyInput));
      this.users.markCodeUsed(checked.codeHash, deviceId, now);
      return {
        userId: user.id,
        deviceId,
        username: user.username,
        displayName: user.displayName,
        certificate: certificate.toString('base64'),
        directoryKey: Buffer.from(this.directoryKey.publicKey).toString('base64'),
      };
    });
    return this.turn(() => enrolment.immediate());
  }
}

/** Strict RFC 8032 verification; malformed keys or signatures are simply "does not verify". */
export function verifies(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
  try {
    return ed25519.verify(signature, message, publicKey, { zip215: false });
  } catch {
    return false;
  }
}
