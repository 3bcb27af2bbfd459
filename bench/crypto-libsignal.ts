/**
 * libsignal side of the crypto benchmark: @signalapp/libsignal-client (native Rust) with
 * in-memory stores that serialise every session record they are handed, as an app's store must.
 */
import {
  CiphertextMessageType,
  IdentityChange,
  IdentityKeyPair,
  IdentityKeyStore,
  KEMKeyPair,
  KyberPreKeyRecord,
  KyberPreKeyStore,
  PreKeyBundle,
  PreKeyRecord,
  PreKeySignalMessage,
  PreKeyStore,
  PrivateKey,
  ProtocolAddress,
  SessionStore,
  type PublicKey,
  type SessionRecord,
  SignalMessage,
  SignedPreKeyRecord,
  SignedPreKeyStore,
  processPreKeyBundle,
  signalDecrypt,
  signalDecryptPreKey,
  signalEncrypt,
} from '@signalapp/libsignal-client';
import type { Conversation, Driver, Party } from './crypto-driver';

class Sessions extends SessionStore {
  private readonly records = new Map<string, SessionRecord>();
  readonly bytes = new Map<string, Uint8Array>();
  async saveSession(name: ProtocolAddress, record: SessionRecord): Promise<void> {
    this.records.set(name.toString(), record);
    this.bytes.set(name.toString(), record.serialize());
  }
  async getSession(name: ProtocolAddress): Promise<SessionRecord | null> {
    return this.records.get(name.toString()) ?? null;
  }
  async getExistingSessions(addresses: ProtocolAddress[]): Promise<SessionRecord[]> {
    return addresses.flatMap((a) => this.records.get(a.toString()) ?? []);
  }
}

class Identities extends IdentityKeyStore {
  private readonly known = new Map<string, PublicKey>();
  constructor(private readonly pair: IdentityKeyPair, private readonly registrationId: number) {
    super();
  }
  async getIdentityKey(): Promise<PrivateKey> {
    return this.pair.privateKey;
  }
  async getLocalRegistrationId(): Promise<number> {
    return this.registrationId;
  }
  async saveIdentity(name: ProtocolAddress, key: PublicKey): Promise<IdentityChange> {
    this.known.set(name.toString(), key);
    return IdentityChange.NewOrUnchanged;
  }
  async isTrustedIdentity(): Promise<boolean> {
    return true;
  }
  async getIdentity(name: ProtocolAddress): Promise<PublicKey | null> {
    return this.known.get(name.toString()) ?? null;
  }
}

class PreKeys extends PreKeyStore {
  readonly keys = new Map<number, PreKeyRecord>();
  async savePreKey(id: number, record: PreKeyRecord): Promise<void> {
    this.keys.set(id, record);
  }
  async getPreKey(id: number): Promise<PreKeyRecord> {
    const k = this.keys.get(id);
    if (!k) throw new Error(`no prekey ${id}`);
    return k;
  }
  async removePreKey(id: number): Promise<void> {
    this.keys.delete(id);
  }
}

class SignedPreKeys extends SignedPreKeyStore {
  readonly keys = new Map<number, SignedPreKeyRecord>();
  async saveSignedPreKey(id: number, record: SignedPreKeyRecord): Promise<void> {
    this.keys.set(id, record);
  }
  async getSignedPreKey(id: number): Promise<SignedPreKeyRecord> {
    const k = this.keys.get(id);
    if (!k) throw new Error(`no signed prekey ${id}`);
    return k;
  }
}

class KyberPreKeys extends KyberPreKeyStore {
  readonly keys = new Map<number, KyberPreKeyRecord>();
  async saveKyberPreKey(id: number, record: KyberPreKeyRecord): Promise<void> {
    this.keys.set(id, record);
  }
  async getKyberPreKey(id: number): Promise<KyberPreKeyRecord> {
    const k = this.keys.get(id);
    if (!k) throw new Error(`no kyber prekey ${id}`);
    return k;
  }
  async markKyberPreKeyUsed(id: number): Promise<void> {
    this.keys.delete(id);
  }
}

interface User {
  readonly address: ProtocolAddress;
  readonly identity: IdentityKeyPair;
  readonly registrationId: number;
  readonly sessions: Sessions;
  readonly identities: Identities;
  readonly preKeys: PreKeys;
  readonly signedPreKeys: SignedPreKeys;
  readonly kyberPreKeys: KyberPreKeys;
}

let userCounter = 0;

function newUser(name: string): User {
  const identity = IdentityKeyPair.generate();
  const registrationId = 1 + (userCounter++ % 16000);
  return {
    address: ProtocolAddress.new(`${name}-${registrationId}`, 1),
    identity,
    registrationId,
    sessions: new Sessions(),
    identities: new Identities(identity, registrationId),
    preKeys: new PreKeys(),
    signedPreKeys: new SignedPreKeys(),
    kyberPreKeys: new KyberPreKeys(),
  };
}

/** One signed prekey; then per bundle a fresh one-time EC prekey and one-time Kyber prekey. */
function makeBundles(user: User, count: number): PreKeyBundle[] {
  const spk = PrivateKey.generate();
  const spkSig = user.identity.privateKey.sign(spk.getPublicKey().serialize());
  void user.signedPreKeys.saveSignedPreKey(1, SignedPreKeyRecord.new(1, 0, spk.getPublicKey(), spk, spkSig));
  const bundles: PreKeyBundle[] = [];
  for (let i = 0; i < count; i++) {
    const id = 100 + i;
    const opk = PrivateKey.generate();
    void user.preKeys.savePreKey(id, PreKeyRecord.new(id, opk.getPublicKey(), opk));
    const kem = KEMKeyPair.generate();
    const kemSig = user.identity.privateKey.sign(kem.getPublicKey().serialize());
    void user.kyberPreKeys.saveKyberPreKey(id, KyberPreKeyRecord.new(id, 0, kem, kemSig));
    bundles.push(
      PreKeyBundle.new(user.registrationId, 1, id, opk.getPublicKey(), 1, spk.getPublicKey(), spkSig, user.identity.publicKey, id, kem.getPublicKey(), kemSig),
    );
  }
  return bundles;
}

async function encrypt(from: User, to: User, plaintext: Uint8Array): Promise<{ type: number; bytes: Uint8Array }> {
  const m = await signalEncrypt(plaintext as Uint8Array<ArrayBuffer>, to.address, from.address, from.sessions, from.identities);
  return { type: m.type(), bytes: m.serialize() };
}

async function decrypt(to: User, from: User, message: { type: number; bytes: Uint8Array }): Promise<Uint8Array> {
  const bytes = message.bytes as Uint8Array<ArrayBuffer>;
  if (message.type === CiphertextMessageType.PreKey) {
    return signalDecryptPreKey(
      PreKeySignalMessage.deserialize(bytes), from.address, to.address,
      to.sessions, to.identities, to.preKeys, to.signedPreKeys, to.kyberPreKeys,
    );
  }
  return signalDecrypt(SignalMessage.deserialize(bytes), from.address, to.address, to.sessions, to.identities);
}

/** libsignal messages carry a type beside the bytes; we prefix it so the interface stays bytes. */
function pack(m: { type: number; bytes: Uint8Array }): Uint8Array {
  const out = new Uint8Array(m.bytes.length + 1);
  out[0] = m.type;
  out.set(m.bytes, 1);
  return out;
}

function unpack(bytes: Uint8Array): { type: number; bytes: Uint8Array } {
  return { type: bytes[0] ?? 0, bytes: bytes.slice(1) };
}

export function libsignalDriver(): Driver {
  let alice = newUser('alice');
  let bob = newUser('bob');
  let bundles: PreKeyBundle[] = [];
  return {
    name: 'libsignal',
    async prepareSetUps(count) {
      alice = newUser('alice');
      bob = newUser('bob');
      bundles = makeBundles(bob, count);
    },
    async setUp(index) {
      const bundle = bundles[index];
      if (!bundle) throw new Error('setUp: not prepared');
      // A fresh Alice session each time: processing a bundle replaces the stored session.
      await processPreKeyBundle(bundle, bob.address, alice.address, alice.sessions, alice.identities);
      const first = await encrypt(alice, bob, new Uint8Array(32));
      await decrypt(bob, alice, first);
    },
    async conversation() {
      const users: Record<Party, User> = { alice: newUser('alice'), bob: newUser('bob') };
      const [bundle] = makeBundles(users.bob, 1);
      if (!bundle) throw new Error('no bundle');
      await processPreKeyBundle(bundle, users.bob.address, users.alice.address, users.alice.sessions, users.alice.identities);
      await decrypt(users.bob, users.alice, await encrypt(users.alice, users.bob, new Uint8Array(1)));
      await decrypt(users.alice, users.bob, await encrypt(users.bob, users.alice, new Uint8Array(1)));
      const other = (p: Party): Party => (p === 'alice' ? 'bob' : 'alice');
      return {
        send: async (from, plaintext) => pack(await encrypt(users[from], users[other(from)], plaintext)),
        receive: async (to, message) => decrypt(users[to], users[other(to)], unpack(message)),
        persistedSize: (party) => users[party].sessions.bytes.get(users[other(party)].address.toString())?.length ?? 0,
      } satisfies Conversation;
    },
  };
}
