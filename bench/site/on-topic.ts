/**
 * On-topic stories for the benchmark site: Iran–Latin America diplomacy. Event `k` pairs a Latin American state
 * with an Iranian actor group so that no two of the first 70 events share both a state and an actor level (two
 * presidents count as one level, two foreign ministers as another): the story matcher must keep them apart.
 * Events are plausible, not reports of real meetings.
 */
import { fill, type Random } from './random.js';

interface LatinState {
  name: string;
  capital: string;
  demonym: string;
  president: string;
  foreignMinister: string;
  /** A sentence of background on the relationship, in our own words. */
  background: string;
}

const STATES: readonly LatinState[] = [
  { name: 'Venezuela', capital: 'Caracas', demonym: 'Venezuelan', president: 'Nicolás Maduro', foreignMinister: 'Yván Gil', background: 'Caracas and Tehran signed a 20-year cooperation plan in June 2022, and Iranian technicians have since worked on the repair of Venezuelan refineries hit by years of underinvestment.' },
  { name: 'Cuba', capital: 'Havana', demonym: 'Cuban', president: 'Miguel Díaz-Canel', foreignMinister: 'Bruno Rodríguez', background: 'Havana and Tehran, both under broad US sanctions, have for years presented their ties as a shared answer to economic pressure from Washington.' },
  { name: 'Nicaragua', capital: 'Managua', demonym: 'Nicaraguan', president: 'Daniel Ortega', foreignMinister: 'Denis Moncada', background: 'Managua restored close ties with Tehran after Daniel Ortega returned to power in 2007, although many of the projects announced since then have been slow to materialise.' },
  { name: 'Bolivia', capital: 'La Paz', demonym: 'Bolivian', president: 'Luis Arce', foreignMinister: 'Celinda Sosa', background: 'Bolivia signed a defence and security memorandum with Iran in July 2023, a step that drew questions from neighbouring governments in the region.' },
  { name: 'Brazil', capital: 'Brasília', demonym: 'Brazilian', president: 'Luiz Inácio Lula da Silva', foreignMinister: 'Mauro Vieira', background: 'Brazil and Iran both sit in the enlarged BRICS group, which Iran joined in January 2024, and Brazilian exporters sell large volumes of corn and soybeans to Iranian buyers.' },
  { name: 'Mexico', capital: 'Mexico City', demonym: 'Mexican', president: 'Claudia Sheinbaum', foreignMinister: 'Juan Ramón de la Fuente', background: 'Mexico and Iran have kept diplomatic relations for decades, with a modest trade concentrated in farm products and machinery.' },
  { name: 'Colombia', capital: 'Bogotá', demonym: 'Colombian', president: 'Gustavo Petro', foreignMinister: 'Luis Gilberto Murillo', background: 'Relations between Colombia and Iran were distant for most of the past two decades, and officials in Bogotá have described the current contacts as an effort to diversify partners.' },
  { name: 'Honduras', capital: 'Tegucigalpa', demonym: 'Honduran', president: 'Xiomara Castro', foreignMinister: 'Eduardo Enrique Reina', background: 'Honduras has widened its diplomatic map under the current government, and Tegucigalpa has said it wants ties with every country willing to invest in its infrastructure.' },
  { name: 'Uruguay', capital: 'Montevideo', demonym: 'Uruguayan', president: 'Yamandú Orsi', foreignMinister: 'Mario Lubetkin', background: 'Uruguay has long sold rice and beef to Iran, and Montevideo has usually kept its dealings with Tehran focused on trade.' },
  { name: 'Chile', capital: 'Santiago', demonym: 'Chilean', president: 'Gabriel Boric', foreignMinister: 'Alberto van Klaveren', background: 'Chile and Iran have kept low-key relations centred on mining equipment and agricultural exports.' },
];

interface IranianActor {
  /** Full name as the lexicon knows it. */
  name: string;
  surname: string;
  /** Title before the name in a lead ("Iranian Foreign Minister"). */
  title: string;
  /** The Latin American counterpart's role for this actor. */
  counterpart: 'president' | 'foreignMinister' | 'defence' | 'energy' | 'congress';
  portfolio: string;
}

/** Actor groups: the members of one group share a level for the story matcher, so they rotate within it. */
const ACTOR_GROUPS: readonly (readonly IranianActor[])[] = [
  [
    { name: 'Ebrahim Raisi', surname: 'Raisi', title: 'Iranian President', counterpart: 'president', portfolio: 'trade, energy and science' },
    { name: 'Masoud Pezeshkian', surname: 'Pezeshkian', title: 'Iranian President', counterpart: 'president', portfolio: 'trade, health and energy' },
  ],
  [
    { name: 'Hossein Amir-Abdollahian', surname: 'Amir-Abdollahian', title: 'Iranian Foreign Minister', counterpart: 'foreignMinister', portfolio: 'trade, consular affairs and culture' },
    { name: 'Abbas Araghchi', surname: 'Araghchi', title: 'Iranian Foreign Minister', counterpart: 'foreignMinister', portfolio: 'trade, visas and university exchanges' },
  ],
  [{ name: 'Mohammad Reza Ashtiani', surname: 'Ashtiani', title: 'Iranian Defence Minister', counterpart: 'defence', portfolio: 'defence training and equipment maintenance' }],
  [{ name: 'Aziz Nasirzadeh', surname: 'Nasirzadeh', title: 'Iranian Defence Minister', counterpart: 'defence', portfolio: 'military training and disaster response' }],
  [{ name: 'Javad Owji', surname: 'Owji', title: 'Iranian Oil Minister', counterpart: 'energy', portfolio: 'oil refining, petrochemicals and gas' }],
  [{ name: 'Mohammad Bagher Ghalibaf', surname: 'Ghalibaf', title: 'Iranian parliament speaker', counterpart: 'congress', portfolio: 'parliamentary exchanges and trade' }],
  [{ name: 'Mohammad Mokhber', surname: 'Mokhber', title: 'Iranian First Vice President', counterpart: 'president', portfolio: 'industry, pharmaceuticals and agriculture' }],
];

/** Distinct (state, actor group) pairs, so this many on-topic events never form one story. */
export const DISTINCT_EVENTS = STATES.length * ACTOR_GROUPS.length;

type Kind = 'visit' | 'meeting' | 'agreement' | 'call';
const KINDS: readonly Kind[] = ['visit', 'agreement', 'meeting', 'call'];

const TITLES: Record<Kind, readonly string[]> = {
  visit: ['{surname} arrives in {capital} on visit to strengthen Iran–{country} ties', 'Iran’s {shortTitle} visits {capital} in push for closer {demonym} ties', '{surname} lands in {capital} as Iran courts {country}'],
  agreement: ['Iran and {country} sign cooperation agreements during {surname} visit to {capital}', '{surname} and {counterpartName} sign accords on {sector1} in {capital}', 'Iran, {country} seal pacts on {sector1} and {sector2}'],
  meeting: ['{surname} meets {counterpartName} in {capital} to discuss bilateral cooperation', 'Iran’s {shortTitle} holds talks with {demonym} leaders in {capital}', '{surname} and {counterpartName} review Iran–{country} cooperation'],
  call: ['{surname} and {counterpartName} discuss cooperation in phone call', 'Iran and {country} agree to deepen ties in call between {surname} and {counterpartName}', '{surname} speaks with {demonym} counterpart by phone'],
};

const LEADS: Record<Kind, readonly string[]> = {
  visit: [
    '{title} {name} arrived in {capital} on {weekday} for an official visit to {country}, where he was received by {counterpartFull} at the start of two days of talks on {portfolio}.',
    '{title} {name} began an official visit to {country} on {weekday}, meeting {counterpartFull} in {capital} to discuss closer cooperation between Tehran and the {demonym} government.',
  ],
  agreement: [
    'Iran and {country} signed a set of cooperation agreements in {capital} on {weekday} during a visit by {title} {name}, who met {counterpartFull} to review {portfolio}.',
    '{title} {name} and {counterpartFull} signed {count} memorandums of understanding in {capital} on {weekday}, covering {sector1}, {sector2} and {sector3}.',
  ],
  meeting: [
    '{title} {name} met {counterpartFull} in {capital} on {weekday} to discuss {portfolio}, the {demonym} government said in a statement.',
    '{title} {name} held talks with {counterpartFull} in {capital} on {weekday}, and both sides pledged to expand cooperation between Iran and {country}.',
  ],
  call: [
    '{title} {name} spoke by telephone with {counterpartFull} on {weekday}, and the two discussed {portfolio} as well as preparations for a visit to Tehran.',
    '{title} {name} held a phone call with {counterpartFull} on {weekday} in which both sides agreed to deepen cooperation between Iran and {country}.',
  ],
};

const BODY: readonly (readonly string[])[] = [
  [
    'According to a statement from the {demonym} government, the two delegations discussed {sector1} and {sector2}, and agreed to convene a joint economic commission before the end of the year.',
    'Officials from both countries said the talks focused on {sector1} and {sector2}, areas in which Iran and {country} have already signed preliminary accords.',
    'The {demonym} side said the discussions had covered {sector1}, {sector2} and direct flights, which both governments have promised for years.',
  ],
  [
    '{counterpartSurname} said {country} valued its relationship with Iran and would not allow outside pressure to decide whom it cooperates with.',
    '{counterpartSurname} thanked the Iranian delegation and said {country} wanted to turn political agreement into concrete projects.',
    'Speaking alongside his guest, {counterpartSurname} described Iran as a partner that had stood by {country} in difficult years.',
  ],
  [
    '{surname} said Tehran was ready to share its experience in {sector3} and invited {demonym} companies to an exhibition in Tehran next spring.',
    '{surname} told reporters that Iran regarded {country} as a priority in Latin America and wanted trade between the two countries to double within five years.',
    '{surname} said the two governments had agreed to set up a working group on {sector3} that would report back within six months.',
  ],
  [
    'The Iranian delegation included officials from the ministries of industry and agriculture as well as the heads of several state companies.',
    'Diplomats said the visit had been prepared for several months by the Iranian embassy in {capital} and the {demonym} embassy in Tehran.',
    'Iranian state media said the delegation would also meet business leaders and members of the {demonym} parliament.',
  ],
  [
    'Washington has criticised Iran’s growing presence in Latin America, and US officials have said they are watching the cooperation closely.',
    'Analysts in {capital} said the agreements were more symbolic than economic, since trade between the two countries remains small.',
    'The United States has repeatedly warned governments in the region about deepening military and economic ties with Tehran.',
  ],
  [
    'Iran’s relations with {country} are part of a wider effort by Tehran to build partnerships in Latin America that can soften the effect of sanctions.',
    'Since 2005 Iranian leaders have made repeated trips to Latin America, and Tehran has opened or reopened embassies in several capitals of the region.',
    'The contacts between Tehran and {capital} come as Iran looks for new markets and political allies outside the Middle East.',
  ],
  [
    'Both governments said they would meet again next year, when {counterpartSurname} is expected to travel to Tehran to review progress on the agreements.',
    'The two sides agreed that the joint commission would meet in Tehran in the coming months to follow up on the accords.',
    'The Iranian delegation is due to leave {capital} on {weekday2}, after a final round of meetings with {demonym} ministers.',
  ],
];

const SECTORS = ['energy', 'oil refining', 'agriculture', 'pharmaceuticals', 'science and technology', 'housing construction', 'mining', 'higher education', 'tourism', 'medical equipment', 'shipping', 'banking'];
const WEEKDAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

/** An on-topic story with what makes it one event. */
export interface OnTopicStory {
  title: string;
  paragraphs: string[];
  country: string;
  actor: string;
  kind: Kind;
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function counterpartOf(actor: IranianActor, state: LatinState): { full: string; short: string; surname: string } {
  const surname = (name: string): string => name.split(' ').slice(-1)[0] ?? name;
  switch (actor.counterpart) {
    case 'president':
      return { full: `${state.demonym} President ${state.president}`, short: state.president, surname: surname(state.president) };
    case 'foreignMinister':
      return { full: `his ${state.demonym} counterpart ${state.foreignMinister}`, short: state.foreignMinister, surname: surname(state.foreignMinister) };
    case 'defence':
      return { full: `${state.name}’s defence minister and senior commanders of the ${state.demonym} armed forces`, short: `${state.demonym} defence officials`, surname: `${state.name}’s defence minister` };
    case 'energy':
      return { full: `${state.name}’s energy minister and the heads of the ${state.demonym} state energy companies`, short: `${state.demonym} energy officials`, surname: `${state.name}’s energy minister` };
    case 'congress':
      return { full: `the president of the ${state.demonym} legislature and leaders of its foreign relations committee`, short: `${state.demonym} lawmakers`, surname: `the head of the ${state.demonym} legislature` };
  }
}

/** The `k`-th on-topic event (distinct from every other for k below {@link DISTINCT_EVENTS}), told in 6–9 paragraphs. */
export function onTopicStory(k: number, random: Random): OnTopicStory {
  const state = STATES[k % STATES.length] as LatinState;
  const group = ACTOR_GROUPS[Math.floor(k / STATES.length) % ACTOR_GROUPS.length] as readonly IranianActor[];
  const actor = group[k % group.length] as IranianActor;
  // Only foreign ministers and presidents plausibly phone; the others travel.
  const kinds = actor.counterpart === 'president' || actor.counterpart === 'foreignMinister' ? KINDS : KINDS.slice(0, 3);
  const kind = kinds[k % kinds.length] as Kind;
  const counterpart = counterpartOf(actor, state);
  const sectors = random.sample(SECTORS, 3);
  const slots = {
    title: actor.title,
    name: actor.name,
    surname: actor.surname,
    shortTitle: actor.title.replace(/^Iranian /, '').replace(/^\w/, (c) => c.toLowerCase()),
    portfolio: actor.portfolio,
    country: state.name,
    capital: state.capital,
    demonym: state.demonym,
    counterpartFull: counterpart.full,
    counterpartName: counterpart.short,
    counterpartSurname: counterpart.surname,
    sector1: sectors[0] ?? 'energy',
    sector2: sectors[1] ?? 'trade',
    sector3: sectors[2] ?? 'health',
    count: String(random.between(3, 9)),
    weekday: random.pick(WEEKDAYS),
    weekday2: random.pick(WEEKDAYS),
  };
  const paragraphs = [fill(random.pick(LEADS[kind]), slots)];
  // Calls have no delegation and no departure; the other paragraphs are drawn in order, one variant each.
  const body = kind === 'call' ? [BODY[0], BODY[1], BODY[2], BODY[4], BODY[5]] : BODY;
  for (const variants of body) {
    const usable = kind === 'call' ? (variants ?? []).filter((v) => !v.includes('alongside')) : (variants ?? []);
    paragraphs.push(capitalize(fill(random.pick(usable), slots)));
  }
  paragraphs.push(state.background);
  return { title: fill(random.pick(TITLES[kind]), slots), paragraphs, country: state.name, actor: actor.name, kind };
}
