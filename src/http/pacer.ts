/**
 * Per-host pacing: a minimum gap between two requests to one host, and a pause when the host said "later"
 * (429/503 with Retry-After). Each host has a "next allowed time" and a first-come-first-served queue woken by one
 * timer, so nothing polls. One turn is out at a time per host; the next waiter is served once it ends.
 */

/** Permission to make one request; one of its methods must be called, later calls are ignored. */
export interface Turn {
  /** The request was made; the next one to this host may start `gapMs` from now. */
  done(gapMs: number): void;
  /** The request will not be made; the next waiter may go at once. */
  cancel(): void;
}

/** Thrown by {@link HostPacer.turn} when the host asked for a pause longer than the caller should wait. */
export class HostPausedError extends Error {
  constructor(
    readonly host: string,
    /** Milliseconds until the pause ends. */
    readonly remainingMs: number,
  ) {
    super(`host ${host} paused for ${remainingMs} ms`);
  }
}

interface Waiter {
  grant: (turn: Turn) => void;
  fail: (err: unknown) => void;
}

interface HostState {
  /** Epoch ms before which no request to this host may start. */
  nextAt: number;
  /** The end of a Retry-After pause, so a caller can tell a pause from ordinary pacing. */
  pausedUntil: number;
  /** A turn is out and not yet done: the next waiter must wait for it. */
  claimed: boolean;
  waiters: Waiter[];
  timer: ReturnType<typeof setTimeout> | undefined;
}

/** Options of a {@link HostPacer}. */
export interface PacerOptions {
  /** How many idle hosts keep their state; beyond it the least recently used idle ones are forgotten. */
  maxHosts: number;
  /** A request facing a Retry-After pause longer than this fails at once with HostPausedError instead of waiting. */
  maxPauseWaitMs: number;
  /** The clock, epoch ms. */
  now?: () => number;
}

/** Spaces out requests per host; memory stays bounded by `maxHosts` plus the hosts with waiters. */
export class HostPacer {
  // Map order is recency order: a host is re-inserted when used, so the first entries are the least recent.
  private readonly hosts = new Map<string, HostState>();
  private readonly now: () => number;

  constructor(private readonly options: PacerOptions) {
    this.now = options.now ?? Date.now;
  }

  /** Number of hosts with remembered state (for tests and metrics). */
  get size(): number {
    return this.hosts.size;
  }

  /**
   * Resolves with a turn once a request to `host` may start: after the previous turn ended plus its gap, after any
   * pause, and after earlier callers. Rejects with the signal's reason on abort, or HostPausedError (see options).
   */
  turn(host: string, signal?: AbortSignal): Promise<Turn> {
    signal?.throwIfAborted();
    const state = this.touch(host);
    const pauseLeft = state.pausedUntil - this.now();
    if (pauseLeft > this.options.maxPauseWaitMs) return Promise.reject(new HostPausedError(host, pauseLeft));
    return new Promise<Turn>((resolve, reject) => {
      const onAbort = (): void => {
        const index = state.waiters.indexOf(waiter);
        if (index >= 0) state.waiters.splice(index, 1);
        reject(signal?.reason);
        this.settle(host, state);
      };
      const waiter: Waiter = {
        grant: (turn) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(turn);
        },
        fail: (err) => {
          signal?.removeEventListener('abort', onAbort);
          reject(err);
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      state.waiters.push(waiter);
      this.settle(host, state);
    });
  }

  /** Holds every later request to `host` until `untilMs` (epoch ms); an earlier end never shortens a pause. */
  pause(host: string, untilMs: number): void {
    const state = this.touch(host);
    state.pausedUntil = Math.max(state.pausedUntil, untilMs);
    state.nextAt = Math.max(state.nextAt, untilMs);
    if (state.timer) {
      clearTimeout(state.timer);
      state.timer = undefined;
    }
    const pauseLeft = state.pausedUntil - this.now();
    if (pauseLeft > this.options.maxPauseWaitMs) {
      for (const waiter of state.waiters.splice(0)) waiter.fail(new HostPausedError(host, pauseLeft));
    }
    this.settle(host, state);
  }

  private touch(host: string): HostState {
    let state = this.hosts.get(host);
    if (state) {
      this.hosts.delete(host);
    } else {
      state = { nextAt: 0, pausedUntil: 0, claimed: false, waiters: [], timer: undefined };
    }
    this.hosts.set(host, state);
    if (this.hosts.size > this.options.maxHosts) this.evict(host);
    return state;
  }

  /**
   * Forgets the least recently used idle hosts beyond `maxHosts`. A host with a claimed turn or waiters survives,
   * and so does `keep`, the host being used right now. A forgotten gap or pause costs at most one early request.
   */
  private evict(keep: string): void {
    for (const [host, state] of this.hosts) {
      if (this.hosts.size <= this.options.maxHosts) return;
      if (host === keep || state.claimed || state.waiters.length > 0) continue;
      if (state.timer) clearTimeout(state.timer);
      this.hosts.delete(host);
    }
  }

  /** Grants the next waiter if the host is free and its time has come, or sets one timer for when it will be. */
  private settle(host: string, state: HostState): void {
    if (state.claimed || state.timer) return;
    const waiter = state.waiters[0];
    if (!waiter) return;
    const wait = state.nextAt - this.now();
    if (wait > 0) {
      state.timer = setTimeout(() => {
        state.timer = undefined;
        this.settle(host, state);
      }, wait);
      return;
    }
    state.waiters.shift();
    state.claimed = true;
    let done = false;
    const finish = (gapMs: number | undefined): void => {
      if (done) return;
      done = true;
      state.claimed = false;
      if (gapMs !== undefined) state.nextAt = Math.max(state.nextAt, this.now() + gapMs);
      this.settle(host, state);
    };
    waiter.grant({ done: (gapMs) => finish(gapMs), cancel: () => finish(undefined) });
  }
}
