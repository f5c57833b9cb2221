import { describe, expect, it } from 'vitest';
import { sleep } from '../helpers/processes.js';
import { created, createdPerStory, PAGES, useFaultFixture, waitForAlerts, type FaultArticle } from './support.js';

const SLOW_MS = 3_000;
const ARTICLES: FaultArticle[] = [
  { path: '/wire/a/caracas-agreements', ...PAGES.caracas, delayMs: SLOW_MS },
  { path: '/wire/a/bolivia-memorandum', ...PAGES.bolivia, delayMs: SLOW_MS },
  { path: '/wire/a/havana-ambassador', ...PAGES.havana, delayMs: SLOW_MS },
];

const fx = useFaultFixture('faults-term', () => ({ wire: ARTICLES.map((article) => ({ ...article })) }));

describe('SIGTERM while jobs run', () => {
  it('starts no new job, lets the running one finish, exits 0; the rest runs after a restart, each story alerted once', async () => {
    const configPath = await fx.config({
      // One article at a time, so two are still waiting when the signal comes.
      articleConcurrency: 1,
      shutdownGraceMs: 15_000,
    });
    const isArticle = (path: string) => ARTICLES.some((article) => article.path === path);
    const first = fx.start(configPath);
    let inFlight: string | undefined;
    fx.site.onRequest((path) => {
      if (!inFlight && isArticle(path)) {
        inFlight = path;
        first.signal('SIGTERM');
      }
    });
    expect(await first.exited).toBe(0);
    expect(inFlight).toBeDefined();
    // Nothing new started after the signal: the only article fetched is the one in flight.
    expect(fx.site.requests.filter(isArticle)).toEqual([inFlight]);
    expect(first.logs.some((line) => /SIGTERM received/.test(line.msg))).toBe(true);
    expect(first.logs.some((line) => /aborted/.test(line.msg))).toBe(false);
    expect(first.logs.at(-1)?.msg).toBe('stopped');

    for (const article of ARTICLES) fx.site.setDelay(article.path, 0);
    fx.start(configPath);
    await waitForAlerts(fx.receiver, 3, 60_000);
    await sleep(2_000);
    expect(created(fx.receiver.received)).toHaveLength(3);
    expect([...createdPerStory(fx.receiver.received).values()]).toEqual([1, 1, 1]);
    // The article that finished during the grace period was not fetched again.
    expect(fx.site.hits.get(inFlight ?? '')).toBe(1);
    for (const article of ARTICLES) expect(fx.site.hits.get(article.path)).toBe(1);
  }, 150_000);
});
