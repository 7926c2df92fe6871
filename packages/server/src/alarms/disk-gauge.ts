/** Free space for the broker's data: what an unprivileged writer may still use on the data directory's filesystem. */
import { statfs } from 'node:fs/promises';

export async function freeDiskBytes(dir: string): Promise<number> {
  const stats = await statfs(dir);
  return stats.bavail * stats.bsize;
}
