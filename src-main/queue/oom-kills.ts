// Whether the kernel's out-of-memory killer struck while a job ran. A job killed by SIGKILL
// that nobody here sent was either killed by a person or a tool (its run resumes from its
// checkpoint) or by the OOM killer (resuming would only repeat it). Linux counts OOM kills in
// /proc/vmstat (`oom_kill`, since 4.13); comparing the count at the job's start and end tells
// the two apart well enough to word the reason. Elsewhere the count is unknown (null).

import { readFileSync } from 'node:fs';

export function oomKillCount(): number | null {
  try {
    const match = /^oom_kill (\d+)$/m.exec(readFileSync('/proc/vmstat', 'utf8'));
    return match === null ? null : Number(match[1]);
  } catch {
    return null;
  }
}
