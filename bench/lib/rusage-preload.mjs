// Loaded into the driver's process by the bench (node --import): when the process exits, its own
// peak RSS and CPU time (getrusage) go to $BENCH_RUSAGE_FILE as JSON. Nothing else is touched.
import { writeFileSync } from 'node:fs';

const out = process.env.BENCH_RUSAGE_FILE;
if (out) {
  process.on('exit', () => {
    const r = process.resourceUsage();
    writeFileSync(out, JSON.stringify({ maxRssKb: r.maxRSS, userUs: r.userCPUTime, systemUs: r.systemCPUTime, uptimeMs: Math.round(process.uptime() * 1000) }));
  });
}
