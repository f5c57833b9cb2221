import { open, rename, stat, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * Replaces `path` with `text` so that a reader — or a restart after a crash — sees the old file or the new one,
 * never half of one: write `path.tmp`, fsync it, rename it over `path`, fsync the folder. The file keeps its
 * permissions (a config holding webhook secrets is often readable by its owner only). A stale `path.tmp` left by
 * a crash is overwritten by the next write and never read.
 */
export async function writeFileAtomically(path: string, text: string): Promise<void> {
  const tmp = `${path}.tmp`;
  const mode = (await stat(path).catch(() => undefined))?.mode ?? 0o644;
  try {
    const file = await open(tmp, 'w', mode & 0o777);
    try {
      await file.writeFile(text, 'utf8');
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(tmp, path);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
  // The rename itself is durable only once the folder is synced. Some platforms cannot open a folder; skip there.
  const folder = await open(dirname(path), 'r').catch(() => undefined);
  if (folder) {
    try {
      await folder.sync();
    } catch {
      // fsync on a folder is not supported everywhere (e.g. Windows); the rename has still happened.
    } finally {
      await folder.close();
    }
  }
}
