/**
 * `npm run bench`: runs each benchmark in its own process (so one's memory does not colour another's) and
 * prints their output. Numbers only; nothing here is asserted. `npm run bench -- extraction detect` runs a subset;
 * the long ones (scan-compare, time-to-alert, scale, soak) run only when named.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const BENCHES: Record<string, { file: string; args: string[]; what: string }> = {
  extraction: { file: 'extraction.ts', args: [], what: 'article extraction quality (F1) and speed on the shared benchmark pages' },
  'extract-pool': { file: 'extract-pool.ts', args: [], what: 'extraction in process vs in the worker pool, with event-loop delay' },
  feeds: { file: 'feeds.ts', args: [], what: 'feed and listing parsing speed' },
  detect: { file: 'detect.ts', args: [], what: 'classifications per second' },
  stories: { file: 'stories.ts', args: [], what: 'fingerprints and story assignment' },
  http: { file: 'http.ts', args: [], what: 'HTTP client throughput on loopback' },
  scan: { file: 'scan.ts', args: [], what: 'scan over 100 local outlets x 20 articles: wall, CPU, peak RSS, event-loop delay' },
  'scan-compare': { file: 'scan-compare.ts', args: [], what: 'diplowatch scan vs a Crawlee JSDOMCrawler baseline (npm run bench:scan)' },
  'time-to-alert': { file: 'time-to-alert.ts', args: [], what: 'publish-to-webhook latency, feed polled every 10 s, both modes' },
  scale: { file: 'scale.ts', args: [], what: '10,000 sources in redis mode, one scheduler and two workers (10+ minutes)' },
  soak: { file: 'soak.ts', args: [], what: 'RSS over a 30-minute soak of the service' },
};

/** Long runs are left out of a plain `npm run bench`; name them to run them. */
const LONG = new Set(['scan-compare', 'time-to-alert', 'scale', 'soak']);

const wanted = process.argv.slice(2).filter((arg) => !arg.startsWith('-'));
const names = wanted.length > 0 ? wanted : Object.keys(BENCHES).filter((name) => !LONG.has(name));
let failed = 0;
for (const name of names) {
  const bench = BENCHES[name];
  if (!bench) {
    process.stderr.write(`bench: unknown benchmark "${name}" (known: ${Object.keys(BENCHES).join(', ')})\n`);
    failed += 1;
    continue;
  }
  process.stdout.write(`\n=== ${name}: ${bench.what}\n`);
  const file = fileURLToPath(new URL(bench.file, import.meta.url));
  const result = spawnSync(process.execPath, ['--import', 'tsx', file, ...bench.args], { stdio: 'inherit' });
  if (result.status !== 0) {
    process.stdout.write(`=== ${name} exited with ${result.status ?? result.signal}\n`);
    failed += 1;
  }
}
process.exitCode = failed === 0 ? 0 : 1;
