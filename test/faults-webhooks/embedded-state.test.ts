import { spawn } from 'node:child_process';
import { mkdtemp, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { startWebhookReceiver, type WebhookReceiver } from '../../src/demo/receiver.js';
import { startDemoSite, type DemoSite } from '../../src/demo/site.js';
import { createLogger } from '../../src/log.js';
import { runScan } from '../../src/scan.js';
import { createFileStore } from '../../src/store/file-store.js';
import { ROOT, faultConfig, runCli } from './support.js';

vi.setConfig({ testTimeout: 90_000 });

const quiet = createLogger({ level: 'silent', pretty: false });
const WRITE_LOOP = join(ROOT, 'test/faults-webhooks/write-loop.ts');

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'diplowatch-faults-state-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Runs the write loop on `stateDir`, SIGKILLs it once it has completed `versions` writes; resolves the last completed index. */
function killMidWrite(stateDir: string, versions: number): Promise<{ lastCompleted: number; leftTmp: string[] }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', WRITE_LOOP, stateDir], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let lastCompleted = -1;
    let pending = '';
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    child.stdout.on('data', (chunk: Buffer) => {
      pending += chunk.toString('utf8');
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) lastCompleted = Number(line);
      if (lastCompleted + 1 >= versions && child.exitCode === null) child.kill('SIGKILL');
    });
    child.on('error', reject);
    child.on('exit', (_code, signal) => {
      if (signal !== 'SIGKILL') {
        reject(new Error(`write loop ended on its own: ${stderr}`));
        return;
      }
      void readdir(stateDir).then((names) => resolve({ lastCompleted, leftTmp: names.filter((name) => name.endsWith('.tmp')) }), reject);
    });
  });
}

describe('scenario 11: embedded state after a crash', () => {
  it('reopens on the last complete version after a process is killed in a tight write loop', async () => {
    for (const versions of [15, 60, 140]) {
      const stateDir = join(dir, `state-${versions}`);
      const { lastCompleted } = await killMidWrite(stateDir, versions);
      expect(lastCompleted).toBeGreaterThanOrEqual(versions - 1);

      // The dead process's lock is taken over; every file parses.
      const store = await createFileStore({ dir: stateDir, retentionDays: 30 });
      try {
        const failed = await store.listFailedAlerts();
        // Whole versions only: everything up to the last completed write (maybe one more that completed
        // unreported), no gaps, no cut body.
        expect(failed.length).toBeGreaterThanOrEqual(lastCompleted + 1);
        expect(failed.length).toBeLessThanOrEqual(lastCompleted + 2);
        failed.forEach((alert, i) => {
          expect(alert.alertId).toBe(`msg_${i}`);
          expect(alert.body.endsWith(`#${i}`)).toBe(true);
        });
        for (let i = 0; i <= lastCompleted; i++) expect(await store.hasUrl(`https://wire.example/world/americas/story-${i}`)).toBe(true);
      } finally {
        await store.close();
      }
    }
  });

  describe('with the demo site', () => {
    let site: DemoSite;
    let receiver: WebhookReceiver;
    let configPath: string;
    let stateDir: string;

    beforeEach(async () => {
      site = await startDemoSite();
      const secret = 'whsec_c3RhdGUtdGVzdC1zZWNyZXQtZm9yLWRpcGxvd2F0Y2g=';
      receiver = await startWebhookReceiver(secret);
      stateDir = join(dir, 'state');
      configPath = join(dir, 'diplowatch.yaml');
      await writeFile(configPath, faultConfig({ site, stateDir, webhooks: [{ id: 'desk', url: receiver.url, secret }] }));
    });

    afterEach(async () => {
      await receiver.close();
      await site.close();
    });

    it('ignores truncated *.tmp files left by a crash: the next scan sends no alert again', async () => {
      const first = await runScan({ configPath, logger: quiet, env: {} });
      expect(first.stories).toHaveLength(2);
      expect(receiver.received).toHaveLength(2);

      // A crash mid-write leaves a cut `*.tmp` beside each complete file.
      const files = (await readdir(stateDir)).filter((name) => name.endsWith('.json'));
      expect(files).toEqual(expect.arrayContaining(['seen.json', 'stories.json']));
      for (const name of files) {
        const text = await readFile(join(stateDir, name), 'utf8');
        await writeFile(join(stateDir, `${name}.tmp`), text.slice(0, Math.floor(text.length / 2)));
      }

      const second = await runScan({ configPath, logger: quiet, env: {} });
      expect(second.stories).toHaveLength(0);
      expect(receiver.received).toHaveLength(2);
      const stories = await runCli(['stories', '--config', configPath]);
      expect(stories.code).toBe(0);
      for (const story of first.stories) expect(stories.stdout).toContain(story.id);
    });

    it('stops `scan` with an error naming a corrupt state file and how to recover', async () => {
      await runScan({ configPath, logger: quiet, env: {} });
      const file = join(stateDir, 'stories.json');
      const text = await readFile(file, 'utf8');
      await writeFile(file, text.slice(0, Math.floor(text.length / 2)));

      const broken = await runCli(['scan', '--config', configPath]);
      expect(broken.code).not.toBe(0);
      expect(broken.stderr).toContain(file);
      expect(broken.stderr).toMatch(/move it aside to start fresh, or restore it from a backup/);
      expect(receiver.received).toHaveLength(2);

      // Following the advice works, and the URLs already seen are still not alerted again.
      await rename(file, `${file}.corrupt`);
      const recovered = await runCli(['scan', '--config', configPath]);
      expect(recovered.code).toBe(0);
      expect(receiver.received).toHaveLength(2);
    });
  });
});
