import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const child = fileURLToPath(new URL('./exit-child.ts', import.meta.url));

/** Runs exit-child.ts in its own Node process; resolves with its output once the process has exited. */
async function runChild(mode: string): Promise<string> {
  // The kill timeout is a backstop for a regression (a worker keeping the process alive), not a measurement.
  const { stdout } = await run(process.execPath, ['--import', 'tsx', child, mode], { cwd: repoRoot, timeout: 50_000 });
  return stdout.trim();
}

describe('extract pool and process exit', () => {
  it('lets the process exit with idle workers and no close()', async () => {
    expect(await runChild('idle')).toBe('extracted');
  }, 60_000);

  it('terminates a busy worker on close(), so the process exits', async () => {
    expect(await runChild('busy')).toBe('closed: TransientError: extract: pool closed (https://live.example/)');
  }, 60_000);
});
