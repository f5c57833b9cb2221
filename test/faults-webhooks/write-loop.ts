// Child process for the embedded-state crash test: writes state as fast as it can until it is killed, and prints
// the index of each version once that version's write has completed.
import { createFileStore } from '../../src/store/file-store.js';

const dir = process.argv[2];
if (!dir) throw new Error('usage: write-loop.ts STATE_DIR');
const store = await createFileStore({ dir, retentionDays: 30, flushDelayMs: 60_000 });
// Bodies of a few KB make each write take long enough for a kill to land inside one.
const padding = 'Raisi in Caracas, Managua and Havana; '.repeat(80);
for (let i = 0; ; i++) {
  await store.claimUrl(`https://wire.example/world/americas/story-${i}`);
  await store.addFailedAlert({ alertId: `msg_${i}`, webhookId: 'desk', storyId: `story-${i}`, event: 'story.created', body: `${padding}#${i}`, error: 'alert: webhook: HTTP 503', failedAt: new Date(1_686_600_000_000 + i).toISOString() });
  await store.flush();
  process.stdout.write(`${i}\n`);
}
