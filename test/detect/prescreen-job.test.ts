import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { loadConfig } from '../../src/config/load.js';
import type { SourceTally } from '../../src/jobs/deps.js';
import { createLogger } from '../../src/log.js';
import { extractArticle } from '../../src/parsers/article.js';
import type { ArticleJob, JobContext } from '../../src/queue/queue.js';
import { createRuntime, type Runtime } from '../../src/runtime.js';
import { urlKey } from '../../src/stories/url.js';
import { startServer, type TestServer } from '../helpers/http.js';

// The article handler with the screen in front of extraction: a real local server serves demo pages, the
// embedded store keeps state in a temporary folder, and the extractor is the real one, counted.
const DEMO = fileURLToPath(new URL('../../demo/pages/', import.meta.url));
const OFF_TOPIC = 'independent-iran-nuclear.html';
const ON_TOPIC = 'rferl-raisi-latam-tour.html';

describe('article job with detect.prescreen', () => {
  let server: TestServer;
  let dir: string;
  let runtime: Runtime | undefined;
  let extracted: string[];
  let logs: Array<Record<string, unknown>>;
  let tally: Map<string, SourceTally>;

  beforeEach(async () => {
    server = await startServer(async (req, res) => {
      const name = (req.url ?? '/').slice(1);
      if (name !== OFF_TOPIC && name !== ON_TOPIC) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(await readFile(DEMO + name));
    });
    dir = await mkdtemp(join(tmpdir(), 'diplowatch-prescreen-'));
    extracted = [];
    logs = [];
    tally = new Map();
  });

  afterEach(async () => {
    await runtime?.close(1_000);
    runtime = undefined;
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function start(prescreen: boolean): Promise<Runtime> {
    const path = join(dir, 'diplowatch.yaml');
    const config = {
      sources: [{ id: 'demo', name: 'Demo', feed: `${server.url}/feed.xml`, schedule: '*/5 * * * *' }],
      fetch: { allowPrivateNetworks: true, minDelayMs: 0, respectRobots: false },
      detect: { topic: fileURLToPath(new URL('../../config/topics/iran-latam.yaml', import.meta.url)), prescreen },
      state: { dir: join(dir, 'state') },
    };
    await writeFile(path, stringify(config));
    const destination = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) logs.push(JSON.parse(line) as Record<string, unknown>);
        callback();
      },
    });
    runtime = await createRuntime({
      loaded: await loadConfig(path, {}),
      logger: createLogger({ level: 'info', pretty: false, destination }),
      mode: { kind: 'embedded', reason: 'test' },
      extract: async (html, url, options) => {
        extracted.push(url);
        return extractArticle(html, url, options);
      },
      now: () => new Date('2023-06-13T08:00:00.000Z'),
      dryRun: true,
      tally,
    });
    return runtime;
  }

  const ctx: JobContext = { id: 'test', attempt: 1, maxAttempts: 1, signal: new AbortController().signal };
  const job = (name: string): ArticleJob => {
    const url = `${server.url}/${name}`;
    return { sourceId: 'demo', urlKey: urlKey(url), ref: { url } };
  };
  const articleLines = (): Array<Record<string, unknown>> => logs.filter((line) => line.job === 'article');

  it('skips extracting an off-topic page, marks it seen and counts it as a no-match article', async () => {
    const rt = await start(true);
    const offTopic = job(OFF_TOPIC);
    expect(await rt.handlers.article(offTopic, ctx)).toEqual([]);
    expect(extracted).toEqual([]);
    expect(await rt.store.hasUrl(offTopic.urlKey)).toBe(true);
    expect(tally.get('demo')).toMatchObject({ articles: 1, matches: 0, errors: [] });
    expect(articleLines()).toHaveLength(1);
    expect(articleLines()[0]).toMatchObject({ outcome: 'no-match', prescreen: true, url: offTopic.ref.url });
    expect(String(articleLines()[0]?.reason)).toMatch(/^no block names both sides/);
    // Fetched, but not extracted: the extraction counter stays at zero for a screened-out page.
    const metrics = await rt.deps.metrics.text();
    expect(metrics).toContain('diplowatch_fetches_total{source="demo",outcome="ok"} 1');
    expect(metrics).not.toContain('diplowatch_articles_extracted_total{source="demo"}');

    // An on-topic page goes through to extraction and the detector.
    const onTopic = job(ON_TOPIC);
    await rt.handlers.article(onTopic, ctx);
    expect(extracted).toEqual([onTopic.ref.url]);
    expect(tally.get('demo')).toMatchObject({ articles: 2, matches: 1 });
    expect(articleLines()[1]).toMatchObject({ outcome: 'story-created' });
    expect(articleLines()[1]?.prescreen).toBeUndefined();
  });

  it('extracts every page when detect.prescreen is false', async () => {
    const rt = await start(false);
    const offTopic = job(OFF_TOPIC);
    expect(await rt.handlers.article(offTopic, ctx)).toEqual([]);
    expect(extracted).toEqual([offTopic.ref.url]);
    expect(await rt.store.hasUrl(offTopic.urlKey)).toBe(true);
    expect(articleLines()[0]).toMatchObject({ outcome: 'no-match' });
    expect(articleLines()[0]?.prescreen).toBeUndefined();
  });
});
