/**
 * Live sessions by device. One socket per device: a new authenticated socket replaces the old one
 * (told with session.replaced), so a device's queue is never pushed to two sockets at once.
 */
import type { Session } from './session';

export class SessionRegistry {
  private readonly byDevice = new Map<string, Session>();

  attach(session: Session): void {
    const { deviceId } = session.id;
    const previous = this.byDevice.get(deviceId);
    this.byDevice.set(deviceId, session);
    if (previous && previous !== session) {
      previous.socket.emit('session.replaced', {});
      previous.socket.disconnect(true);
    }
  }

  detach(session: Session): void {
    if (session.device && this.byDevice.get(session.device.deviceId) === session) this.byDevice.delete(session.device.deviceId);
  }

  get(deviceId: string): Session | undefined {
    return this.byDevice.get(deviceId);
  }

  /** Tells the device why (with its signed wipe order), then closes its socket; auth refuses it from now on. */
  kickDevice(deviceId: string, reason: 'revoked' | 'user_disabled', wipe?: (deviceId: string, userId: string) => string): void {
    const session = this.byDevice.get(deviceId);
    if (!session) return;
    this.byDevice.delete(deviceId);
    const userId = session.device?.userId;
    session.socket.emit('device.revoked', { deviceId, reason, ...(wipe && userId ? { wipe: wipe(deviceId, userId) } : {}) });
    session.socket.disconnect(true);
  }

  kickUser(userId: string, wipe?: (deviceId: string, userId: string) => string): void {
    for (const session of [...this.byDevice.values()]) {
      if (session.device?.userId === userId) this.kickDevice(session.device.deviceId, 'user_disabled', wipe);
    }
  }

  sessions(): IterableIterator<Session> {
    return this.byDevice.values();
  }

  get size(): number {
    return this.byDevice.size;
  }
}
