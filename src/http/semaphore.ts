/**
 * Small promise semaphores for the global and per-host request limits.
 */

/** Gives back a slot taken from a semaphore; calling it twice is harmless. */
export type Release = () => void;

interface Waiter {
  grant: () => void;
}

/** A counting semaphore; waiters are served first come, first served. */
export class Semaphore {
  private active = 0;
  private readonly waiters: Waiter[] = [];

  constructor(readonly limit: number) {}

  /** True when nobody holds or waits for a slot. */
  get idle(): boolean {
    return this.active === 0 && this.waiters.length === 0;
  }

  /** Resolves with a release function once a slot is free; rejects with the signal's reason if it aborts first. */
  acquire(signal?: AbortSignal): Promise<Release> {
    signal?.throwIfAborted();
    if (this.active < this.limit) {
      this.active += 1;
      return Promise.resolve(this.releaser());
    }
    return new Promise<Release>((resolve, reject) => {
      const onAbort = (): void => {
        const index = this.waiters.indexOf(waiter);
        if (index >= 0) this.waiters.splice(index, 1);
        reject(signal?.reason);
      };
      const waiter: Waiter = {
        grant: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve(this.releaser());
        },
      };
      this.waiters.push(waiter);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  private releaser(): Release {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiters.shift();
      // The slot passes straight to the next waiter, so `active` only drops when nobody waits.
      if (next) next.grant();
      else this.active -= 1;
    };
  }
}

/** One semaphore per key (a host name), created on demand and dropped when idle so 10,000 hosts cost nothing. */
export class KeyedSemaphore {
  private readonly byKey = new Map<string, Semaphore>();

  constructor(readonly limit: number) {}

  /** Takes a slot for `key`; see {@link Semaphore.acquire}. */
  async acquire(key: string, signal?: AbortSignal): Promise<Release> {
    let semaphore = this.byKey.get(key);
    if (!semaphore) {
      semaphore = new Semaphore(this.limit);
      this.byKey.set(key, semaphore);
    }
    const taken = semaphore;
    let release: Release;
    try {
      release = await taken.acquire(signal);
    } catch (err) {
      this.dropIfIdle(key, taken);
      throw err;
    }
    return () => {
      release();
      this.dropIfIdle(key, taken);
    };
  }

  /** Number of keys currently tracked (for tests and metrics). */
  get size(): number {
    return this.byKey.size;
  }

  private dropIfIdle(key: string, semaphore: Semaphore): void {
    if (semaphore.idle && this.byKey.get(key) === semaphore) this.byKey.delete(key);
  }
}
