/**
 * Real time plus an offset the test moves forward: the relay, sockets and certificates see a
 * sane clock, while the engine's minute-scale timers (urgent checks, retention) run only when
 * advance() says so, with now() at each timer's due time.
 */
export class TestClock {
  #offset = 0;
  #nextId = 1;
  readonly #tasks = new Map<number, { at: number; fn: () => void }>();

  now = (): number => Date.now() + this.#offset;

  setTimeout = (fn: () => void, ms: number): unknown => {
    const id = this.#nextId++;
    this.#tasks.set(id, { at: this.now() + Math.max(0, ms), fn });
    return id;
  };

  clearTimeout = (handle: unknown): void => void this.#tasks.delete(handle as number);

  advance(ms: number): void {
    const end = this.now() + ms;
    for (;;) {
      let due: [number, { at: number; fn: () => void }] | undefined;
      for (const entry of this.#tasks) if (entry[1].at <= end && (!due || entry[1].at < due[1].at)) due = entry;
      if (!due) break;
      this.#tasks.delete(due[0]);
      this.#offset += Math.max(0, due[1].at - this.now());
      due[1].fn();
    }
    this.#offset += Math.max(0, end - this.now());
  }
}
