import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/load.js';
import { demoConfig } from '../src/demo/demo.js';
import { startDemoSite, type DemoSite } from '../src/demo/site.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const PAGES = join(ROOT, 'demo/pages');

/** Runs the CLI from source as a user would run the built one; resolves with exit code and output. */
function cli(args: string[], input?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli.ts'), ...args], {
      cwd: ROOT,
      env: { ...process.env, REDIS_URL: '', LOG_LEVEL: 'warn' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(input ?? '');
  });
}

let dir: string;
let site: DemoSite;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'diplowatch-cli-'));
  site = await startDemoSite();
});
afterAll(async () => {
  await site.close();
  await rm(dir, { recursive: true, force: true });
});

describe('diplowatch CLI', () => {
  it('prints help for every command', async () => {
    const commands = ['run', 'scan', 'extract', 'classify', 'sources', 'stories', 'alerts', 'demo'];
    const results = await Promise.all(commands.map((command) => cli([command, '--help'])));
    results.forEach(({ code, stdout }, i) => {
      expect(code, commands[i]).toBe(0);
      expect(stdout, commands[i]).toContain(`diplowatch ${commands[i]}`);
    });
    const unknown = await cli(['bogus']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown command "bogus"');
  }, 120_000);

  it('extract: one JSON line per file, in order, with an error object for a bad file', async () => {
    const files = [join(PAGES, 'telesur-es-bolivia-iran.html'), join(dir, 'missing.html'), join(PAGES, 'independent-ap-venezuela-iran.html')];
    const { code, stdout } = await cli(['extract', ...files, '--url', 'https://news.example/a']);
    expect(code).toBe(0);
    const lines = stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.map((line) => line.file)).toEqual(files);
    expect(lines[0]).toMatchObject({ lang: 'es', url: 'https://news.example/a' });
    expect(String(lines[0]?.text)).toMatch(/Bolivia/);
    expect(lines[1]?.error).toMatch(/ENOENT|no such file/);
    expect(String(lines[2]?.title)).toMatch(/Venezuela|Caracas/);
  });

  it('classify: JSON Lines in, verdicts out, text or html', async () => {
    const input = [
      JSON.stringify({ id: 'visit', title: 'Iranian foreign minister arrives in Caracas', text: 'Iranian Foreign Minister Hossein Amir-Abdollahian arrived in Caracas on Monday for talks with Venezuelan President Nicolás Maduro on energy and trade agreements, the Venezuelan foreign ministry said.' }),
      JSON.stringify({ id: 'football', title: 'Iran beat Mexico in a friendly', text: 'Iran beat Mexico 2-1 in a friendly match in Doha as both squads prepare for the World Cup; the striker scored twice.' }),
      'not json',
    ].join('\n');
    const { code, stdout } = await cli(['classify', '-'], input);
    expect(code).toBe(0);
    const lines = stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines[0]).toMatchObject({ id: 'visit', match: true });
    expect((lines[0]?.signature as { latamStates: string[] }).latamStates).toContain('Venezuela');
    expect(lines[1]).toMatchObject({ id: 'football', match: false });
    expect(String(lines[2]?.error)).toMatch(/line 3/);
  });

  it('scan: an invalid config exits 2 naming the field', async () => {
    const path = join(dir, 'bad.yaml');
    await writeFile(path, 'sources:\n  - id: a\n    name: A\n    feed: https://a.example/rss\n    schedule: "*/61 * * * *"\n');
    const { code, stderr } = await cli(['scan', '--config', path]);
    expect(code).toBe(2);
    expect(stderr).toContain('sources[0].schedule: "*/61 * * * *" is not a valid cron expression');
  });

  it('scan --dry-run and sources check against local outlets', async () => {
    const path = join(dir, 'demo.yaml');
    await writeFile(path, demoConfig(site, 'http://127.0.0.1:9/unused', 'whsec_dGVzdHNlY3JldHRlc3RzZWNyZXQ=', join(dir, 'state'), '0 0 1 1 *'));
    const scan = await cli(['scan', '--dry-run', '--config', path]);
    expect(scan.code).toBe(0);
    expect(scan.stdout).toMatch(/demo-wire\s+2\s+2\s+1/);
    expect(scan.stdout).toContain('2 new stories');
    const check = await cli(['sources', 'check', '--config', path]);
    expect(check.stdout).toMatch(/demo-levant\s+ok\s+2/);
    expect(check.stdout).toContain('3/3 sources ok');
    const stories = await cli(['stories', '--json', '--config', path]);
    expect(stories.stdout.trim().split('\n')).toHaveLength(2);
  }, 120_000);

  it('sources add finds the demo site\'s feed from its home page and appends it, keeping comments', async () => {
    const path = join(dir, 'add.yaml');
    const original = '# my outlets\nsources: [] # none yet\nfetch:\n  allowPrivateNetworks: true # the demo runs locally\n  minDelayMs: 0\n';
    await writeFile(path, original);
    const add = await cli(['sources', 'add', `${site.url}/`, '--id', 'demo-wire', '--config', path]);
    expect(add.code, add.stderr).toBe(0);
    expect(add.stdout).toContain(`${site.url}/demo-wire/feed`);
    const written = await readFile(path, 'utf8');
    expect(written).toContain('# my outlets');
    expect(written).toContain('# the demo runs locally');
    const loaded = await loadConfig(path, {});
    expect(loaded.config.sources).toEqual([expect.objectContaining({ id: 'demo-wire', feed: `${site.url}/demo-wire/feed` })]);
  }, 60_000);
});
