import type { Story } from '../../src/stories/types.js';

/** A story as the article handler would have saved it, with only what a test cares about spelled out. */
export function makeStory(
  id: string,
  options: {
    title: string;
    url: string;
    outlet: string;
    createdAt: string;
    publishedAt?: string;
    countries?: string[];
    actors?: string[];
    reasons?: string[];
    more?: Array<{ url: string; title: string; outlet: string }>;
  },
): Story {
  const lead = { url: options.url, canonicalUrl: options.url, title: options.title, outlet: options.outlet, publishedAt: options.publishedAt, addedAt: options.createdAt, joinReason: 'first report' };
  const others = (options.more ?? []).map((article) => ({ ...article, canonicalUrl: article.url, addedAt: options.createdAt, joinReason: 'same event: visit, Venezuela' }));
  return {
    id,
    title: options.title,
    url: options.url,
    outlet: options.outlet,
    publishedAt: options.publishedAt,
    score: 0.86,
    reasons: options.reasons ?? [],
    signature: { iranActors: options.actors ?? [], latamStates: options.countries ?? [], eventType: 'visit' },
    articles: [lead, ...others],
    createdAt: options.createdAt,
    updatedAt: options.createdAt,
  };
}

/** Raisi's arrival in Caracas on the first leg of his June 2023 tour, reported by two outlets. */
export const CARACAS = makeStory('st_raisi_caracas', {
  title: 'Raisi arrives in Caracas as Iran and Venezuela pledge to deepen ties',
  url: 'https://andes-wire.example/world/2023/06/12/raisi-caracas-arrival',
  outlet: 'Andes Wire',
  publishedAt: '2023-06-12T18:00:00.000Z',
  createdAt: '2023-06-12T18:04:00.000Z',
  countries: ['Venezuela'],
  actors: ['Ebrahim Raisi'],
  reasons: ['Iranian President Ebrahim Raisi landed in Caracas on Monday, where Nicolás Maduro received him', 'the two governments signed cooperation documents'],
  more: [{ url: 'https://gulf-desk.example/news/maduro-hosts-raisi', title: 'Maduro hosts Raisi, talks of a $20bn trade goal', outlet: 'Gulf Desk' }],
});

/** The Havana leg of the same tour, a separate story. */
export const HAVANA = makeStory('st_raisi_havana', {
  title: 'Iran and Cuba sign agreements during Raisi stop in Havana',
  url: 'https://caribe-hoy.example/internacional/raisi-la-habana-acuerdos',
  outlet: 'Caribe Hoy',
  publishedAt: '2023-06-15T16:10:00.000Z',
  createdAt: '2023-06-15T16:30:00.000Z',
  countries: ['Cuba'],
  actors: ['Ebrahim Raisi'],
  reasons: ['Raisi and Miguel Díaz-Canel oversaw the signing of agreements in Havana'],
});

/** The Iran–Bolivia defence memorandum of July 2023. */
export const LA_PAZ = makeStory('st_bolivia_mou', {
  title: 'Bolivia and Iran sign defence memorandum in Tehran',
  url: 'https://altiplano-news.example/politica/bolivia-iran-memorando-defensa',
  outlet: 'Altiplano News',
  publishedAt: '2023-07-20T12:00:00.000Z',
  createdAt: '2023-07-20T12:45:00.000Z',
  countries: ['Bolivia'],
  actors: ['Mohammad-Reza Ashtiani'],
  reasons: ['Bolivian defence minister Edmundo Novillo and his Iranian counterpart signed a memorandum of understanding'],
});
