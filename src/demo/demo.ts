import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLogger } from '../log.js';
import { startService } from '../service.js';
import { startWebhookReceiver, type ReceivedAlert } from './receiver.js';
import { startDemoSite, type DemoSite } from './site.js';

/** The topic lexicon shipped with the project. */
const TOPIC_FILE = fileURLToPath(new URL('../../config/topics/iran-latam.yaml', import.meta.url));

/** The demo's stories are from 2023: accept articles of any age. */
const AGE = 100_000;

/** A config for the demo site: its three outlets polled every 5 s, one webhook to the local receiver. */
export function demoConfig(site: DemoSite, webhookUrl: string, secret: string, stateDir: string, schedule = '*/5 * * * * *', serverEnabled = false): string {
  return `# Written by \`diplowatch demo\`: three local outlets and a local webhook receiver.
sources:
  - id: demo-wire
    name: Demo Wire
    feed: ${site.sourceUrls['demo-wire']}
    schedule: "${schedule}"
    language: en
    maxAgeDays: ${AGE}
  - id: demo-levant
    name: Demo Levant
    feed: ${site.sourceUrls['demo-levant']}
    schedule: "${schedule}"
    language: en
    maxAgeDays: ${AGE}
  - id: demo-sur
    name: Demo Sur
    listing: ${site.sourceUrls['demo-sur']}
    articlePattern: '${site.listingPattern}'
    schedule: "${schedule}"
    language: es
    maxAgeDays: ${AGE}
alerts:
  webhooks:
    - id: demo-receiver
      url: ${webhookUrl}
      secret: ${secret}
fetch:
  # The demo site runs on this machine, so its article links point at 127.0.0.1,
  # and it does not need the 1 s politeness delay between two requests.
  allowPrivateNetworks: true
  minDelayMs: 0
server:
  enabled: ${serverEnabled}
  port: 0
detect:
  topic: ${TOPIC_FILE}
state:
  dir: ${stateDir}
`;
}

function describe(alert: ReceivedAlert): string {
  const story = alert.payload?.story;
  if (!story) return `  (unparseable body) ${alert.body.slice(0, 120)}`;
  const lines = [
    `${alert.payload?.type}  ${story.title}`,
    `  signature ${alert.signatureValid ? 'valid' : 'INVALID'} · webhook-id ${alert.id} · score ${story.score.toFixed(2)}`,
    ...story.articles.map((article) => `  - ${article.outlet}: ${article.url}`),
    ...story.reasons.slice(0, 2).map((reason) => `  why: ${reason}`),
  ];
  return lines.join('\n');
}

/**
 * `diplowatch demo`: a local outlet site, a local webhook receiver, and the service in embedded mode against
 * them. Prints each alert as it arrives; a third story "breaks" on the site a few seconds in, to show a
 * scheduled poll picking it up.
 */
export async function runDemo(options: { keepRunning?: boolean; out: NodeJS.WritableStream; timeoutMs?: number }): Promise<number> {
  const { out } = options;
  const secret = `whsec_${randomBytes(24).toString('base64')}`;
  const stateDir = await mkdtemp(join(tmpdir(), 'diplowatch-demo-'));
  const site = await startDemoSite();
  const receiver = await startWebhookReceiver(secret);
  const configPath = join(stateDir, 'diplowatch.yaml');
  await writeFile(configPath, demoConfig(site, receiver.url, secret, join(stateDir, 'state'), undefined, true));
  out.write(`demo outlets at ${site.url} (RSS, Atom and a section page); webhook receiver at ${receiver.url}\n`);
  out.write(`config written to ${configPath}; polling every 5 s\n\n`);
  receiver.onAlert((alert) => out.write(`${describe(alert)}\n\n`));
  const logger = createLogger({ level: 'warn', pretty: false, destination: process.stderr });
  const service = await startService({ configPath, logger, handleSignals: options.keepRunning === true, env: {} });
  if (service.serverUrl) out.write(`stories page, API and metrics at ${service.serverUrl}/\n\n`);
  let code = 0;
  try {
    await receiver.waitFor(2, options.timeoutMs ?? 60_000);
    out.write('a new story breaks on Demo Wire; waiting for the next poll…\n\n');
    site.publish('demo-wire', {
      path: '/wire/world/americas/iran-cuba-ambassador',
      file: 'presstv-cuba-embassy.html',
      title: 'New Iranian ambassador presents credentials in Havana',
      publishedAt: new Date(Date.now() - 60_000).toISOString(),
      onTopic: true,
    });
    await receiver.waitFor(3, options.timeoutMs ?? 60_000);
    out.write(`${receiver.received.length} alert(s) received, all signatures ${receiver.received.every((a) => a.signatureValid) ? 'valid' : 'NOT all valid'}\n`);
    if (options.keepRunning) {
      out.write('still running (Ctrl-C to stop)\n');
      await new Promise<never>(() => undefined);
    }
  } catch (err) {
    out.write(`demo: ${(err as Error).message}\n`);
    code = 1;
  } finally {
    await service.stop();
    await receiver.close();
    await site.close();
    await rm(stateDir, { recursive: true, force: true });
  }
  return code;
}
