import { watch, type FSWatcher } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { diffConfig, sameValue } from './diff.js';
import { parseConfigText } from './load.js';
import type { Config } from './schema.js';

/** What a `ConfigWatcher` tells its owner. */
export interface ConfigWatcherHandlers {
  /**
   * A valid config that differs from the current one; `changes` are `diffConfig` lines. When it throws or
   * rejects (the owner could not apply it), the watcher keeps the previous config and reports the error to
   * `onInvalid`; the next reload of the same file tries again.
   */
  onChange(next: Config, changes: string[]): void | Promise<void>;
  /** A config that cannot be used; called once per distinct bad content. The last good config stays current. */
  onInvalid(err: Error): void;
}

/** Tuning for tests and unusual setups; the defaults suit a service. */
export interface ConfigWatcherOptions {
  /** Environment for `${VAR}` interpolation and overrides. Default: `process.env`. */
  env?: Record<string, string | undefined>;
  /** Quiet time after the last file event before reloading. Default: 200 ms. */
  debounceMs?: number;
}

/** Outcome of one reload: applied a new config, found nothing new, or kept the old one because the file is bad. */
export type ReloadResult = 'applied' | 'unchanged' | 'invalid';

/**
 * Watches a config file and applies valid edits. It watches the folder, not the file, because editors and
 * deploy tools replace a file by writing a temporary one and renaming it over, which ends a watch on the file.
 */
export class ConfigWatcher {
  private readonly file: string;
  private readonly env: Record<string, string | undefined>;
  private readonly debounceMs: number;
  private current: Config;
  private lastText: string | undefined;
  private lastInvalid: string | undefined;
  private watcher: FSWatcher | undefined;
  private timer: NodeJS.Timeout | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;

  constructor(
    file: string,
    current: Config,
    private readonly handlers: ConfigWatcherHandlers,
    options: ConfigWatcherOptions = {},
  ) {
    this.file = path.resolve(file);
    this.current = current;
    this.env = options.env ?? process.env;
    this.debounceMs = options.debounceMs ?? 200;
  }

  /** The config in force: the one given at construction or the last applied one. */
  get config(): Config {
    return this.current;
  }

  /** Starts watching the file's folder. Calling it twice is harmless. */
  start(): void {
    if (this.watcher || this.closed) return;
    const name = path.basename(this.file);
    // Not persistent: watching config alone should never keep the process alive.
    this.watcher = watch(path.dirname(this.file), { persistent: false }, (_event, changed) => {
      // Some platforms do not report the file name; then any change in the folder may be ours. Kubernetes
      // updates a mounted ConfigMap by swapping a `..data` symlink, so those names count as ours too.
      const changedName = changed === null ? null : changed.toString();
      if (changedName === null || changedName === name || changedName.startsWith('..')) this.schedule();
    });
    this.watcher.on('error', (err) => this.handlers.onInvalid(err));
  }

  /** Re-reads the file now (the service calls this on SIGHUP). Reloads run one at a time, in order. */
  reload(): Promise<ReloadResult> {
    const run = this.queue.then(() => this.reloadOnce());
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Stops watching and cancels a pending reload. */
  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.watcher?.close();
    this.watcher = undefined;
  }

  private schedule(): void {
    if (this.closed) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      // reload() rejects only when a handler itself throws; there is no one else to tell, and an unhandled
      // rejection from a file event would take the process down.
      this.reload().catch(() => undefined);
    }, this.debounceMs);
  }

  private async reloadOnce(): Promise<ReloadResult> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (err) {
      return this.invalid(`\0unreadable ${(err as Error).message}`, new Error(`config: cannot read ${this.file}: ${(err as Error).message}`, { cause: err }));
    }
    if (text === this.lastText) return 'unchanged';
    if (text === this.lastInvalid) return 'invalid';

    let next: Config;
    try {
      next = parseConfigText(text, { file: this.file, env: this.env });
    } catch (err) {
      return this.invalid(text, err instanceof Error ? err : new Error(String(err)));
    }
    this.lastText = text;
    this.lastInvalid = undefined;
    // A comment or formatting edit parses to the same config: nothing to apply.
    if (sameValue(next, this.current)) return 'unchanged';
    const previous = this.current;
    this.current = next;
    try {
      await this.handlers.onChange(next, diffConfig(previous, next));
    } catch (err) {
      this.current = previous;
      // Forget the text so that a retry (SIGHUP, or saving again) re-applies it rather than calling it unchanged.
      this.lastText = undefined;
      this.handlers.onInvalid(err instanceof Error ? err : new Error(String(err)));
      return 'invalid';
    }
    return 'applied';
  }

  private invalid(key: string, err: Error): ReloadResult {
    // Editors save several times and fs.watch fires several events per save: report each bad content once.
    if (key !== this.lastInvalid) {
      this.lastInvalid = key;
      this.lastText = undefined;
      this.handlers.onInvalid(err);
    }
    return 'invalid';
  }
}
