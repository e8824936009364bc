/**
 * A lock between processes (two windows on one workspace: two code-server tabs, two VS Code windows of a multi-root
 * workspace), as a file created exclusively, naming its holder ("pid@host"). The holder touches it while it works;
 * a lock whose holder is a process of this machine that no longer runs, or whose file has not been touched for
 * `staleMs` (a holder elsewhere that died), is taken over. Pure Node (no `vscode`).
 */
import { promises as fs } from 'node:fs';
import * as os from 'node:os';

export interface HeldLock {
  release(): Promise<void>;
}

export interface LockOptions {
  /** A lock untouched for this long is a dead process's (default 30 s; the holder touches it every third of that). */
  staleMs?: number;
}

const DEFAULT_STALE_MS = 30_000;

/** Takes the lock at `lockPath` now, or answers undefined when a live holder has it. */
export async function tryLock(lockPath: string, options: LockOptions = {}): Promise<HeldLock | undefined> {
  const staleMs = options.staleMs ?? DEFAULT_STALE_MS;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await fs.writeFile(lockPath, `${process.pid}@${os.hostname()} ${new Date().toISOString()}\n`, { flag: 'wx' });
      return holding(lockPath, staleMs);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const stat = await fs.stat(lockPath).catch(() => undefined);
      // Gone in between: try again. Never unlink then: the path may already be another process's new lock.
      if (!stat) continue;
      // Touched lately by a live holder: someone holds it; else its holder died: take it over.
      if (Date.now() - stat.mtimeMs < staleMs && !(await holderIsGone(lockPath))) return undefined;
      await removeIfSameFile(lockPath, stat);
    }
  }
  return undefined;
}

/** Runs `work` holding the lock, waiting for it (checking every `pollMs`) for at most `waitMs`; then it throws. */
export async function withLock<T>(lockPath: string, work: () => Promise<T>, options: LockOptions & { waitMs?: number; pollMs?: number } = {}): Promise<T> {
  const deadline = Date.now() + (options.waitMs ?? 15_000);
  for (;;) {
    const lock = await tryLock(lockPath, options);
    if (lock) {
      try {
        return await work();
      } finally {
        await lock.release();
      }
    }
    if (Date.now() > deadline) throw new Error(`${lockPath} stayed locked by another process.`);
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 25 + Math.random() * 50));
  }
}

/**
 * Removes the dead holder's lock judged by `judged`, not a newer one another process created at the same path since
 * (the same inode and device, checked just before the unlink).
 */
async function removeIfSameFile(lockPath: string, judged: { ino: number; dev: number }): Promise<void> {
  const now = await fs.stat(lockPath).catch(() => undefined);
  if (now && now.ino === judged.ino && now.dev === judged.dev) await fs.unlink(lockPath).catch(() => undefined);
}

/** The lock names a process of this machine that does not run any more (a killed window's). */
async function holderIsGone(lockPath: string): Promise<boolean> {
  const holder = /^(\d+)@(\S+)/.exec(await fs.readFile(lockPath, 'utf8').catch(() => ''));
  if (!holder || holder[2] !== os.hostname()) return false;
  try {
    process.kill(Number(holder[1]), 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

function holding(lockPath: string, staleMs: number): HeldLock {
  const heartbeat = setInterval(() => {
    const now = new Date();
    fs.utimes(lockPath, now, now).catch(() => undefined);
  }, staleMs / 3);
  heartbeat.unref();
  let released = false;
  return {
    async release() {
      if (released) return;
      released = true;
      clearInterval(heartbeat);
      await fs.unlink(lockPath).catch(() => undefined);
    },
  };
}
