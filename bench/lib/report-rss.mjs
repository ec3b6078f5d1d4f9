// Preloaded with --import by bench/lib/run-load.ts: on exit, write this process's peak resident
// set (getrusage maxRSS, KiB on Linux) to $PREDNAS_RSS_FILE.
import { writeFileSync } from 'node:fs';

const file = process.env.PREDNAS_RSS_FILE;
if (file) process.on('exit', () => writeFileSync(file, JSON.stringify({ maxRssKiB: process.resourceUsage().maxRSS })));
