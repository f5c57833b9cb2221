import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { PermanentError } from '../../src/errors.js';
import { extractArticle, guessLanguage } from '../../src/parsers/article.js';

const fixture = (name: string): string => readFileSync(fileURLToPath(new URL(`../../demo/pages/${name}`, import.meta.url)), 'utf8');
const NOW = Date.parse('2026-01-01T00:00:00Z');

interface Expectation {
  file: string;
  title: string;
  publishedAt: string;
  lang: string;
  canonicalUrl?: string;
  present: string[];
  absent: string[];
}

// Noise every page shares: menus, tickers, appeals, sidebars, footers, share and tag lists.
const COMMON_NOISE = ['Most Read', 'Subscribe', 'Donate', 'Related News', 'Privacy', 'Share on', 'Tags', 'cookies', 'Manage preferences', 'Documentaries', 'Contact'];

const expectations: Expectation[] = [
  {
    file: 'rferl-raisi-latam-tour.html',
    title: "Iran's Raisi Opens Latin America Tour In Caracas, Courting Sanctioned Allies",
    publishedAt: '2023-06-12T15:42:00.000Z',
    lang: 'en',
    canonicalUrl: 'https://www.rferl.example/a/iran-raisi-venezuela-nicaragua-cuba-tour/32456789.html',
    present: [
      'Iranian President Ebrahim Raisi arrived in Caracas on June 12',
      'From Caracas, Raisi was scheduled to fly to Managua for talks with Nicaraguan President Daniel Ortega',
      'The final stop is Havana',
    ],
    absent: ['Kyiv says its forces retook', 'Iranian Tankers Keep Venezuela', 'Sign up for our Iran newsletter', 'RFE/RL depends on people like you', 'Tajik And Kyrgyz Guards', 'Central Asia', 'Most Popular', 'Share icon sprite', 'With reporting by AFP'],
  },
  {
    file: 'independent-ap-venezuela-iran.html',
    title: 'Iran and Venezuela sign raft of agreements as Raisi visits Caracas',
    publishedAt: '2023-06-12T21:37:14.000Z',
    lang: 'en',
    present: ['Iran and Venezuela signed a series of cooperation agreements on Monday', 'The agreements build on a 20-year cooperation plan'],
    absent: ['Amber heat-health alert', 'US says Iran helping Russia build drone factory', 'Read more', 'Inside Washington', 'make a donation', 'Glastonbury', 'Advertisement', 'AP Photo', 'News › World'],
  },
  {
    file: 'almayadeen-iran-venezuela-ties.html',
    title: 'Amir-Abdollahian: Tehran and Caracas open a new chapter as Raisi lands in Venezuela',
    publishedAt: '2023-06-12T16:05:00.000Z',
    lang: 'en',
    present: ['Iranian Foreign Minister Hossein Amir-Abdollahian said on Monday', 'includes around 25 memorandums and contracts'],
    absent: ['siege of Gaza', 'Iranian, Cuban foreign ministers discuss', 'reader-supported', 'Jenin', 'Watch Live', 'Latin America\nOpinion', 'Iran sponsored ad placeholder'],
  },
  {
    file: 'almayadeen-venezuela-power-cuts.html',
    title: 'Venezuela restores power to most states after nationwide blackout',
    publishedAt: '2024-08-31T07:20:00.000Z',
    lang: 'en',
    present: ['Electricity returned to most of Venezuela on Saturday', 'Corpoelec said service had been reestablished'],
    absent: ['Iran has no limits for developing ties with Venezuela', 'Tehran will not stand idle', 'Iran and Venezuela discuss expanding defense', 'Iran', 'Tehran'],
  },
  {
    file: 'telesur-es-bolivia-iran.html',
    title: 'Bolivia e Irán firman memorando de entendimiento en materia de defensa',
    publishedAt: '2023-07-20T18:05:00.000Z',
    lang: 'es',
    canonicalUrl: 'https://www.telesur.example/news/bolivia-iran-memorando-defensa-20230720-0012.html',
    present: [
      'firmaron este jueves en Teherán un memorando de entendimiento',
      // The quoted tweet is part of the story.
      'Firmamos en Teherán un memorando de entendimiento con la República Islámica de Irán',
      'no está dirigido contra ningún tercer país',
    ],
    absent: ['Lluvias intensas', 'Lea también', 'Venezuela e Irán anuncian nuevos vuelos', 'Suscríbete', 'Lo más leído', 'Tren Maya', 'Todos los derechos reservados', 'Compartir', 'Foto: Ministerio'],
  },
  {
    file: 'independent-iran-nuclear.html',
    title: 'UN nuclear watchdog chief says Iran agrees to restore some monitoring',
    publishedAt: '2023-03-04T18:12:09.000Z',
    lang: 'en',
    present: ['Iran had agreed to reinstall some surveillance cameras', 'Iran insists its programme is entirely peaceful.'],
    absent: ['Venezuela', 'Caracas', 'Budget 2023 live', 'Inside Washington', 'make a donation'],
  },
  {
    file: 'presstv-cuba-embassy.html',
    title: 'Cuban president receives new Iranian envoy, urges broader cooperation',
    publishedAt: '2023-02-04T11:20:00.000Z',
    lang: 'en',
    present: ['Cuban President Miguel Díaz-Canel has received the credentials', 'hoped to welcome Raisi on the island'],
    absent: ['Gaza reconstruction', 'Iran, Venezuela discuss boosting cooperation in oil and gas', 'Read More', 'Hezbollah chief', 'Share This Article', 'West Asia', 'Photo via Cuban Presidency'],
  },
];

describe('extractArticle on outlet-like fixtures', () => {
  for (const expected of expectations) {
    it(`${expected.file}: title, date, language, body without noise`, () => {
      const url = `https://www.${expected.file.split('-')[0]}.example/story`;
      const article = extractArticle(fixture(expected.file), url, { now: NOW });
      expect(article.title).toBe(expected.title);
      expect(article.publishedAt).toBe(expected.publishedAt);
      expect(article.lang).toBe(expected.lang);
      expect(article.url).toBe(url);
      if (expected.canonicalUrl) expect(article.canonicalUrl).toBe(expected.canonicalUrl);
      for (const sentence of expected.present) expect(article.text).toContain(sentence);
      for (const noise of [...COMMON_NOISE, ...expected.absent]) expect(article.text, noise).not.toContain(noise);
      expect(article.text).not.toMatch(/\n{3,}|[ \t]{2,}|[<>]/);
      expect(article.text.split('\n\n').length).toBeGreaterThanOrEqual(7);
    });
  }

  it('falls back to the page URL when there is no canonical link', () => {
    const article = extractArticle(fixture('presstv-cuba-embassy.html'), 'https://www.presstv.example/Detail/2023/02/04/698765', { now: NOW });
    expect(article.canonicalUrl).toBe('https://www.presstv.example/Detail/2023/02/04/698765');
    expect(article.siteName).toBe('PressTV');
  });

  it('takes the excerpt from the meta description, else from the first real paragraph rather than a byline', () => {
    const rferl = extractArticle(fixture('rferl-raisi-latam-tour.html'), 'https://www.rferl.example/a', { now: NOW });
    expect(rferl.excerpt).toBe('The Iranian president is visiting Venezuela, Nicaragua, and Cuba, three governments that share Tehran\'s hostility to Washington.');
    const ap = extractArticle(fixture('independent-ap-venezuela-iran.html'), 'https://www.independent.example/a', { now: NOW });
    expect(ap.excerpt).toBe('Iranian president says trade between the two sanctioned oil producers should climb sharply');
  });

  it('uses the feed date when the page has none but the page is otherwise the same', () => {
    const html = fixture('presstv-cuba-embassy.html').replace('Saturday, 04 February 2023 11:20 AM', 'Saturday');
    expect(extractArticle(html, 'https://www.presstv.example/x', { now: NOW }).publishedAt).toBeUndefined();
    const withFeed = extractArticle(html, 'https://www.presstv.example/x', { now: NOW, fallbackPublishedAt: '2023-02-04T10:00:00Z' });
    expect(withFeed.publishedAt).toBe('2023-02-04T10:00:00.000Z');
  });
});

function storyPage(options: { jsonLdBody?: string; extraHead?: string; body?: string } = {}): string {
  const paragraphs = [
    'Iran and Nicaragua signed agreements on energy and scholarships during a visit by the Iranian president to Managua on Tuesday.',
    'President Daniel Ortega welcomed his guest at the airport and the two leaders held talks about trade, oil supplies and higher education.',
    'Officials said Nicaraguan students would be offered places at Iranian universities under a programme starting next academic year.',
    'The visit was the second stop of a tour that began in Caracas and was due to end in Havana later in the week.',
  ];
  const body = options.body ?? paragraphs.map((p) => `<p>${p}</p>`).join('\n');
  const ld = options.jsonLdBody === undefined ? '' : `<script type="application/ld+json">${JSON.stringify({ '@type': 'NewsArticle', articleBody: options.jsonLdBody })}</script>`;
  return `<html lang="en"><head><title>Raisi in Managua</title>${ld}${options.extraHead ?? ''}</head><body><nav><a href="/iran">Iran</a> <a href="/world">World</a></nav><article><h1>Raisi in Managua</h1>${body}</article></body></html>`;
}

describe('extractArticle: JSON-LD articleBody', () => {
  const cleanBody = [
    'Iran and Nicaragua signed agreements on energy and scholarships during a visit by the Iranian president to Managua on Tuesday.',
    'President Daniel Ortega welcomed his guest at the airport and the two leaders held talks about trade, oil supplies and higher education.',
    'Officials said Nicaraguan students would be offered places at Iranian universities under a programme starting next academic year.',
    'The visit was the second stop of a tour that began in Caracas and was due to end in Havana later in the week.',
  ].join('\n\n');
  // Inline noise no cleaning rule knows about: the JSON-LD body is the way to be rid of it.
  const noisyBody =
    '<p>Iran and Nicaragua signed agreements on energy and scholarships during a visit by the Iranian president to Managua on Tuesday.</p>' +
    '<p>President Daniel Ortega welcomed his guest at the airport and the two leaders held talks about trade, oil supplies and higher education.</p>' +
    '<p>WATCH: our correspondent explains the stakes in ninety seconds flat.</p>' +
    '<p>Officials said Nicaraguan students would be offered places at Iranian universities under a programme starting next academic year.</p>' +
    '<p>The visit was the second stop of a tour that began in Caracas and was due to end in Havana later in the week.</p>';

  it('prefers a consistent articleBody, which carries no inline noise', () => {
    const article = extractArticle(storyPage({ jsonLdBody: cleanBody, body: noisyBody }), 'https://news.example/a');
    expect(article.text).toBe(cleanBody);
  });

  it('reads an HTML articleBody as text', () => {
    const html = cleanBody.split('\n\n').map((p) => `<p>${p}</p>`).join('');
    const article = extractArticle(storyPage({ jsonLdBody: html, body: noisyBody }), 'https://news.example/a');
    expect(article.text).toBe(cleanBody);
  });

  it('rejects an articleBody about another story and keeps the cleaned page text', () => {
    const other = 'Venezuela and Iran agreed to open a new shipping line between their ports, officials in Caracas said on Friday. ' +
      'The route will carry food, auto parts and construction materials, and the first vessel is expected to sail next month.'.repeat(3);
    const article = extractArticle(storyPage({ jsonLdBody: other, body: noisyBody }), 'https://news.example/a');
    expect(article.text).toContain('WATCH: our correspondent');
    expect(article.text).not.toContain('shipping line');
  });

  it('rejects a teaser articleBody that is less than half of the page text', () => {
    const teaser = 'Iran and Nicaragua signed agreements on energy and scholarships during a visit by the Iranian president to Managua on Tuesday.';
    const article = extractArticle(storyPage({ jsonLdBody: teaser, body: noisyBody }), 'https://news.example/a');
    expect(article.text).toContain('second stop of a tour');
  });
});

describe('extractArticle: cleaning inside the body', () => {
  it('keeps a real paragraph that contains a link but drops a labelled link list and appeals', () => {
    const body = storyPage().match(/<article>.*<\/article>/s)?.[0] ?? '';
    const withNoise = body
      .replace(
        '</p>\n<p>President',
        '</p><p>According to <a href="https://gov.example/statement">a statement from the presidency</a>, the agreements cover oil supplies and the training of engineers.</p>' +
          '<h3>Más noticias</h3><ul><li><a href="/1">Cuba y Rusia firman acuerdos</a></li><li><a href="/2">Nuevo récord de exportaciones en Chile</a></li></ul>' +
          '<p><a href="/x">Iran, Venezuela sign oil deal</a> | <a href="/y">Ortega meets Chinese envoy</a></p>' +
          '<p>Support our journalism: become a member today.</p><p>Advertisement</p>\n<p>President',
      );
    const article = extractArticle(`<html lang="en"><body>${withNoise}</body></html>`, 'https://news.example/b');
    expect(article.text).toContain('According to a statement from the presidency, the agreements cover oil supplies');
    for (const noise of ['Más noticias', 'Cuba y Rusia', 'Iran, Venezuela sign oil deal', 'Support our journalism', 'Advertisement']) {
      expect(article.text).not.toContain(noise);
    }
    expect(article.text).toContain('President Daniel Ortega welcomed his guest');
  });
});

describe('extractArticle: cleaning keeps sentences that only look like noise', () => {
  it('keeps short real sentences about publishing, copyright or a newsletter, and a prose block with a noisy class', () => {
    const body =
      '<p>Iran and Nicaragua signed agreements on energy and scholarships during a visit by the Iranian president to Managua on Tuesday.</p>' +
      '<p>Published in 2019, the first agreement was never ratified.</p>' +
      '<p>Copyright disputes over Iranian films were also discussed.</p>' +
      '<div class="related-content">' +
      '<p>President Daniel Ortega welcomed his guest at the airport and the two leaders held long talks about trade, oil supplies, higher education and scholarships for students.</p>' +
      '<p>Officials said Nicaraguan students would be offered places at Iranian universities under a programme starting in the next academic year, with the first group leaving in September.</p>' +
      '</div>' +
      '<p>Updated 14 Jun 2023 10:00</p><p>© 2023 Example Media</p>';
    const article = extractArticle(`<html lang="en"><body><article><h1>Raisi in Managua</h1>${body}</article></body></html>`, 'https://news.example/c');
    expect(article.text).toContain('Published in 2019, the first agreement was never ratified.');
    expect(article.text).toContain('Copyright disputes over Iranian films were also discussed.');
    expect(article.text).toContain('President Daniel Ortega welcomed his guest');
    expect(article.text).not.toContain('Updated 14 Jun');
    expect(article.text).not.toContain('Example Media');
  });
});

describe('extractArticle: errors', () => {
  it('refuses a page over maxHtmlLength after trimming, saying how big it was', () => {
    const html = `<html><body>${'<p>word </p>'.repeat(500_000)}</body></html>`;
    expect(() => extractArticle(html, 'https://news.example/huge')).toThrow(
      new PermanentError('extract: page is 6 MB after trimming, over the 2 MB limit (https://news.example/huge)'),
    );
    expect(() => extractArticle(storyPage(), 'https://news.example/s', { maxHtmlLength: 300 })).toThrow(/^extract: page is \d kB after trimming, over the 1 kB limit \(https:\/\/news\.example\/s\)$/);
  });

  it('does not count scripts and styles against the limit', () => {
    const padded = storyPage({ extraHead: `<script>${'x'.repeat(3_000_000)}</script>` });
    expect(extractArticle(padded, 'https://news.example/p').title).toBe('Raisi in Managua');
  });

  it('turns a page with too many elements into a PermanentError', () => {
    const html = storyPage({ body: `${'<div><span>x</span></div>'.repeat(200)}<p>${'Enough text. '.repeat(50)}</p>` });
    const attempt = (): unknown => extractArticle(html, 'https://news.example/many', { maxElemsToParse: 100 });
    expect(attempt).toThrow(PermanentError);
    expect(attempt).toThrow(/^extract: Aborting parsing document; \d+ elements found \(https:\/\/news\.example\/many\)$/);
  });

  it('fails with "no article found" on a bare index page and on a page that is only script', () => {
    for (const name of ['no-article.html', 'all-script.html']) {
      expect(() => extractArticle(fixture(name), `https://news.example/${name}`), name).toThrow(
        new PermanentError(`extract: no article found (https://news.example/${name})`),
      );
    }
    expect(() => extractArticle('', 'https://news.example/empty')).toThrow(PermanentError);
  });
});

describe('guessLanguage', () => {
  it('tells English, Spanish and Portuguese apart by their stopwords', () => {
    expect(guessLanguage('The president said that the agreements with Venezuela were signed by the ministers of oil and trade.')).toBe('en');
    expect(guessLanguage('El presidente dijo que los acuerdos con Venezuela fueron firmados por los ministros del petróleo y la industria.')).toBe('es');
    expect(guessLanguage('O presidente disse que os acordos com a Venezuela foram assinados pelos ministros do petróleo e da indústria.')).toBe('pt');
  });

  it('declines to guess on too little text', () => {
    expect(guessLanguage('Caracas, Teherán')).toBeUndefined();
    expect(guessLanguage('')).toBeUndefined();
  });
});
