import { startRedisProcess } from '../helpers/processes.js';

/** A throw-away redis-server started by a test on a free port (no persistence). */
export interface ThrowawayRedis {
  url: string;
  port: number;
  /** Kills the server (SIGKILL, like a crash). */
  kill(): Promise<void>;
  /** Starts it again on the same port. */
  restart(): Promise<void>;
  /** Kills it and removes its folder: for the test's cleanup. */
  dispose(): Promise<void>;
}

/** Starts `redis-server` with the given extra arguments (see `startRedisProcess`), and waits until it answers. */
export async function startRedisServer(extraArgs: string[] = []): Promise<ThrowawayRedis> {
  const server = await startRedisProcess({ extraArgs });
  return { url: server.url, port: server.port, kill: () => server.kill(), restart: () => server.start(), dispose: () => server.dispose() };
}
