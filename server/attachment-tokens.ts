/**
 * Short-lived, single-use bearer tokens that let an authenticated socket's device make one HTTP
 * upload or download of one attachment. Kept in memory only: after a restart clients simply ask
 * their socket for a new one. 256 random bits, so they cannot be guessed.
 */
import { randomBytes } from 'node:crypto';

export interface Grant {
  kind: 'upload' | 'download';
  attachmentId: string;
  deviceId: string;
  expiresAt: number;
}

export const TOKEN_TTL_MS = 5 * 60_000;

export class AttachmentTokens {
  private readonly grants = new Map<string, Grant>();

  issue(grant: Omit<Grant, 'expiresAt'>, now: number): { token: string; expiresAt: number } {
    const token = randomBytes(32).toString('base64url');
    const expiresAt = now + TOKEN_TTL_MS;
    this.grants.set(token, { ...grant, expiresAt });
    return { token, expiresAt };
  }

  /** Spends the token if it grants exactly this operation on this attachment. */
  take(token: string, kind: Grant['kind'], attachmentId: string, now: number): Grant | undefined {
    const grant = this.grants.get(token);
    if (!grant || grant.kind !== kind || grant.attachmentId !== attachmentId) return undefined;
    this.grants.delete(token);
    return grant.expiresAt > now ? grant : undefined;
  }

  /** Drops every grant of a revoked device. */
  revokeDevice(deviceId: string): void {
    for (const [token, grant] of this.grants) if (grant.deviceId === deviceId) this.grants.delete(token);
  }

  sweep(now: number): void {
    for (const [token, grant] of this.grants) if (grant.expiresAt <= now) this.grants.delete(token);
  }
}
