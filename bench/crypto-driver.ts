/**
 * What each side of the crypto benchmark provides. Both implementations run the same rows
 * through this interface, and both persist session state to bytes after every operation.
 */
export type Party = 'alice' | 'bob';

export interface Conversation {
  /** Encrypts and persists the sender's session; returns the wire message. */
  send(from: Party, plaintext: Uint8Array): Promise<Uint8Array>;
  /** Decrypts and persists the receiver's session; returns the plaintext. */
  receive(to: Party, message: Uint8Array): Promise<Uint8Array>;
  /** Bytes of the persisted session of `party`, as last written. */
  persistedSize(party: Party): number;
}

export interface Driver {
  readonly name: string;
  /** Untimed: generate what `setUp` consumes (fresh one-time prekeys for each set-up). */
  prepareSetUps(count: number): Promise<void>;
  /** Timed: Alice starts a session from Bob's bundle, sends one message, Bob opens it. */
  setUp(index: number): Promise<void>;
  /** An established session (one round trip done), for the message rows. */
  conversation(): Promise<Conversation>;
}
