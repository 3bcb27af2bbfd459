import { describe, expect, it } from 'vitest';
import { openTempStore } from './helpers';

const key = (b: number) => new Uint8Array(32).fill(b);

describe('contacts and their devices', () => {
  it('records a new device as unverified and a repeat with the same key as unchanged', () => {
    const { store } = openTempStore();
    store.contacts.upsert({ userId: 'bob', displayName: 'Dr Bob', title: 'Registrar', department: 'ICU', now: 1 });
    expect(store.contacts.recordDevice({ userId: 'bob', deviceId: 'd1', identityKey: key(1), now: 2 })).toBe('new');
    expect(store.contacts.recordDevice({ userId: 'bob', deviceId: 'd1', identityKey: key(1), now: 3 })).toBe('unchanged');
    expect(store.contacts.device('bob', 'd1')).toMatchObject({ trust: 'unverified', identityKey: key(1), firstSeenAt: 2 });
    expect(store.contacts.get('bob')).toMatchObject({ displayName: 'Dr Bob', title: 'Registrar', department: 'ICU' });
  });

  it('a verified device whose identity key changes becomes "changed", not silently trusted', () => {
    const { store } = openTempStore();
    store.contacts.upsert({ userId: 'bob', displayName: 'Bob', now: 1 });
    store.contacts.recordDevice({ userId: 'bob', deviceId: 'd1', identityKey: key(1), now: 2 });
    expect(store.contacts.setTrust('bob', 'd1', 'verified', 3)).toBe(true);
    expect(store.contacts.recordDevice({ userId: 'bob', deviceId: 'd1', identityKey: key(2), now: 4 })).toBe('changed');
    expect(store.contacts.device('bob', 'd1')).toMatchObject({ trust: 'changed', identityKey: key(2) });
  });

  it('lists contacts by name and devices by id; removing a contact removes its devices', () => {
    const { store } = openTempStore();
    store.contacts.upsert({ userId: 'z', displayName: 'amy', now: 1 });
    store.contacts.upsert({ userId: 'a', displayName: 'Zed', now: 1 });
    store.contacts.recordDevice({ userId: 'z', deviceId: 'd2', identityKey: key(2), now: 1 });
    store.contacts.recordDevice({ userId: 'z', deviceId: 'd1', identityKey: key(1), now: 1 });
    expect(store.contacts.list().map((c) => c.displayName)).toEqual(['amy', 'Zed']);
    expect(store.contacts.devices('z').map((d) => d.deviceId)).toEqual(['d1', 'd2']);
    expect(store.contacts.removeDevice('z', 'd2')).toBe(true);
    expect(store.contacts.remove('z')).toBe(true);
    expect(store.contacts.devices('z')).toEqual([]);
  });
});
