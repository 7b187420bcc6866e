import { open, readFile, unlink } from 'node:fs/promises';
import { ContactSyncError } from '../errors.js';

/**
 * Takes `<path>.lock` for this process, so two processes never append to (and compact) the same
 * links file. A lock left by a process that no longer runs (killed with SIGKILL) is taken over.
 */
export async function acquireLock(lockPath: string): Promise<() => Promise<void>> {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(lockPath, 'wx');
      await handle.writeFile(String(process.pid));
      await handle.close();
      return () => unlink(lockPath).catch(() => undefined);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = Number.parseInt(await readFile(lockPath, 'utf8').catch(() => ''), 10);
      if (Number.isInteger(owner) && owner > 0 && isRunning(owner)) {
        throw new ContactSyncError({
          code: 'invalid_config',
          message: `[contact-sync] links file is in use by process ${owner} (lock file ${lockPath}); close the other store first`,
        });
      }
      await unlink(lockPath).catch(() => undefined);
    }
  }
  throw new ContactSyncError({
    code: 'invalid_config',
    message: `[contact-sync] could not take the lock file ${lockPath}`,
  });
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
