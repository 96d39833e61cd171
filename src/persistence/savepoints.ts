// Redis's `save <seconds> <changes>` points: snapshot when any point's both conditions hold.

/** Parse "3600 1 300 100" into pairs (an empty string disables snapshots). */
export function parseSavePoints(conf: string): Array<[number, number]> {
  const w = conf.trim().split(/\s+/).filter(Boolean);
  const out: Array<[number, number]> = [];
  for (let i = 0; i + 1 < w.length; i += 2) out.push([Number(w[i]), Number(w[i + 1])]);
  return out;
}

/** Whether a save point is due after `changes` writes over `elapsedSec` seconds since the last save. */
export function dueSavePoint(conf: string, changes: number, elapsedSec: number): boolean {
  if (changes === 0 || !conf) return false;
  for (const [sec, n] of parseSavePoints(conf)) if (changes >= n && elapsedSec >= sec) return true;
  return false;
}
