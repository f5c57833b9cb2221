/**
 * Off-topic news prose for the benchmark site: general world news (economy, weather, elections, sport, culture,
 * science) built from sentence templates. None of it pairs Iran with Latin America; Iran is not named at all in
 * article bodies, so a match on one of these pages is a false positive of the pipeline.
 */
import { fill, type Random } from './random.js';

/** A news desk: what its headlines and sentences sound like. */
interface Desk {
  section: string;
  titles: readonly string[];
  sentences: readonly string[];
  quotes: readonly string[];
}

const COUNTRIES = ['Portugal', 'Kenya', 'Indonesia', 'Canada', 'Poland', 'Ghana', 'Vietnam', 'Norway', 'Chile', 'Peru', 'Morocco', 'Australia', 'the Philippines', 'Ireland', 'Tanzania', 'Malaysia', 'Greece', 'New Zealand'];
const CITIES = ['Lisbon', 'Nairobi', 'Jakarta', 'Toronto', 'Gdansk', 'Accra', 'Da Nang', 'Bergen', 'Valparaíso', 'Arequipa', 'Marrakesh', 'Perth', 'Cebu', 'Galway', 'Arusha', 'Penang', 'Thessaloniki', 'Dunedin', 'Rotterdam', 'Osaka'];
const PEOPLE = ['Marta Kowalczyk', 'David Osei', 'Ingrid Solberg', 'Tomás Herrera', 'Aiko Tanaka', 'Fatima Bennani', 'Liam Gallagher-Byrne', 'Nguyen Thi Lan', 'Grace Wanjiru', 'Paulo Mendes', 'Elena Papadaki', 'Rahul Mehta', 'Sofia Lindqvist', 'Kwame Asante', 'Chloé Martin', 'Hannah Whitfield', 'Mateo Quispe', 'Yusuf Demir'];
const ROLES = ['an economist at a regional bank', 'the city’s deputy mayor', 'a spokesperson for the agency', 'a senior analyst', 'the head of the local chamber of commerce', 'a researcher at the national university', 'the coach', 'the festival director', 'the minister responsible', 'a union representative', 'a long-time resident'];
const WEEKDAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
const TEAMS = ['Harbour City', 'Northern Rovers', 'Atlético Costa', 'Red Valley', 'United Pioneers', 'Lakeside Athletic', 'Real Montaña', 'Coastal Wanderers'];

const DESKS: readonly Desk[] = [
  {
    section: 'Economy',
    titles: [
      '{country} central bank holds rates as inflation cools to {pct}%',
      'Factory output in {country} rises for the {ordinal} month in a row',
      'Shipping costs climb as congestion spreads to the port of {city}',
      'Retail sales in {country} beat forecasts ahead of the holiday season',
      'Wage talks stall at {city} car plant as unions seek {pct}% rise',
      '{country} unveils budget with higher spending on rail and housing',
    ],
    sentences: [
      'Consumer prices rose {pct}% in the year to October, down from {pct2}% a month earlier, according to figures published on {weekday}.',
      'The central bank kept its benchmark rate unchanged for the {ordinal} consecutive meeting, citing uncertainty over energy prices.',
      'Exporters in {city} said a stronger currency had eaten into their margins over the summer.',
      'Economists had expected a smaller increase, and bond yields edged higher after the release.',
      'The finance ministry said tax receipts were running ahead of plan, giving it room to extend support for first-time home buyers.',
      'Manufacturers reported longer delivery times for components, a sign that supply chains remain stretched.',
      'Household spending accounts for roughly half of economic output, which makes the monthly retail figures closely watched.',
      'The statistics office revised its estimate for the previous quarter up by {small} percentage points.',
      'Business groups welcomed the plan but warned that higher electricity costs could offset much of its benefit.',
      'Unemployment held at {small}%, close to its lowest level in two decades.',
      'Analysts expect growth of about {small}% next year, helped by public investment in ports and railways.',
      'The opposition said the budget relied on optimistic assumptions about commodity prices.',
      'Mortgage approvals rose for a third month as lenders competed for a shrinking pool of buyers.',
      'Container traffic through {city} was {pct}% higher than a year ago, the port authority said.',
    ],
    quotes: [
      '"We are not declaring victory over inflation yet, but the trend is clearly in the right direction," said {person}, {role}.',
      '"Small firms are still paying far more for credit than they did three years ago," said {person}, {role}.',
      '"The numbers are better than anyone expected in the spring," {person}, {role}, told reporters.',
    ],
  },
  {
    section: 'Weather',
    titles: [
      'Storm brings flooding and power cuts to coastal {country}',
      'Heatwave pushes temperatures past {temp}C in {city}',
      'Thousands evacuated as river bursts its banks near {city}',
      'Early snow closes mountain passes across northern {country}',
      'Drought forces water rationing in {city} for the first time in decades',
    ],
    sentences: [
      'Forecasters issued a red warning for {city} as gusts of up to {speed} km/h were expected overnight.',
      'More than {thousands},000 homes were left without electricity after fallen trees brought down power lines.',
      'Rail services between {city} and {city2} were suspended while crews cleared debris from the tracks.',
      'Emergency services said they had rescued dozens of people from cars trapped in floodwater.',
      'The national weather service said the rainfall total was the highest recorded in a single day since 1998.',
      'Schools in several districts will stay closed until at least {weekday}.',
      'Farmers warned that the dry spell could cut this year’s harvest by as much as a third.',
      'Temperatures are expected to fall sharply at the weekend as a cold front moves in from the west.',
      'Local authorities opened community halls as shelters and asked residents to avoid unnecessary travel.',
      'Insurers said it was too early to estimate the cost of the damage.',
      'Scientists say warmer seas are making storms of this kind wetter and more intense.',
      'Reservoirs serving the region are at {pct}% of capacity, well below the seasonal average.',
    ],
    quotes: [
      '"The water came up so fast that we barely had time to move the car," said {person}, {role}.',
      '"People should treat this warning seriously and stay indoors tonight," said {person}, {role}.',
      '"We have planned for dry years, but not for three of them in a row," said {person}, {role}.',
    ],
  },
  {
    section: 'Politics',
    titles: [
      'Voters in {country} head to the polls in tight municipal elections',
      'Governing coalition in {country} survives confidence vote',
      'Turnout reaches {pct}% in {city} mayoral run-off',
      'New party wins seats in {country} regional parliament for the first time',
      'Election commission in {country} orders partial recount in {city}',
    ],
    sentences: [
      'Polling stations opened at 7 a.m. and will close at 8 p.m., with first results expected around midnight.',
      'The governing party is defending its majority on the city council for the first time since 2011.',
      'Housing costs and public transport dominated a campaign that was otherwise short on clashes.',
      'Turnout was {pct}% at midday, slightly higher than at the same point four years ago.',
      'Observers from a regional monitoring group said voting had been orderly in most districts.',
      'The opposition leader conceded defeat in a short speech to supporters in {city}.',
      'Coalition talks are expected to take several weeks, and the outgoing council will remain in charge until then.',
      'A recount was ordered in two districts where the margin was fewer than {small}0 votes.',
      'Younger voters appeared to favour the newer parties, according to an exit poll.',
      'The prime minister called the result a clear mandate to press ahead with the pension reform.',
      'Several candidates complained about misleading advertisements circulating on social media.',
      'The electoral commission said it had received {thousands} formal complaints, most of them about long queues.',
    ],
    quotes: [
      '"This is a vote about the buses, the rents and the schools, nothing else," said {person}, {role}.',
      '"We listened, and people can see that we listened," {person}, {role}, said after the count.',
      '"It is too early to say what kind of coalition will come out of this," said {person}, {role}.',
    ],
  },
  {
    section: 'Sport',
    titles: [
      '{team} beat {team2} {score} to go top of the league',
      'Late goal earns {team} a draw against {team2}',
      'Record field of runners expected at {city} marathon',
      '{person} wins first tour title after three-set final in {city}',
      'Cyclists brace for mountain stage as race leader keeps narrow lead',
    ],
    sentences: [
      '{team} took the lead after {minute} minutes when their captain headed in a corner at the near post.',
      'The visitors equalised shortly after half-time through a deflected shot from outside the area.',
      'A crowd of {thousands},000 watched the match in heavy rain.',
      'The win lifts the club two points clear at the top of the table with {small} games remaining.',
      'Organisers said more than {thousands},000 runners had registered, a record for the race.',
      'The course passes the old harbour before finishing in front of the city hall.',
      'The defending champion withdrew on the eve of the race with a calf injury.',
      'She saved two match points in the second set before taking the decider 6-3.',
      'The stage covers {speed} kilometres and includes three categorised climbs.',
      'The coach made four changes to the side that lost in midweek.',
      'Ticket sales for the final have already passed last year’s total, the federation said.',
      'The club’s new stadium, due to open next season, will hold about {thousands},000 spectators.',
    ],
    quotes: [
      '"We didn’t play well in the first half, but the reaction after the break was excellent," said {person}, {role}.',
      '"I have dreamed about this moment since I was a child," said {person} after the final.',
      '"The legs felt heavy on the last climb, but the team protected me all day," said {person}.',
    ],
  },
  {
    section: 'Culture',
    titles: [
      'Film festival in {city} opens with a debut from a first-time director',
      'Restored museum in {city} reopens after five years of work',
      '{person} wins national book prize for a novel about a fishing village',
      'Orchestra from {country} announces its first world tour',
      'Lost painting rediscovered in a private collection in {city}',
    ],
    sentences: [
      'The festival runs for ten days and will screen {small}0 feature films from {small}5 countries.',
      'The opening film follows three sisters who return to their family home after their mother’s death.',
      'Restoration work uncovered ceiling frescoes that had been hidden under plaster since the 19th century.',
      'Entry to the permanent collection will be free for residents during the first month.',
      'The jury praised the novel for its spare prose and its portrait of a community in decline.',
      'The prize carries an award of about 25,000 euros and usually brings a sharp rise in sales.',
      'The tour will take the orchestra to {small}2 cities over six weeks, starting in {city}.',
      'Experts confirmed the attribution after studying the brushwork and the pigments.',
      'Tickets for the opening weekend sold out within hours.',
      'The building also houses a new education wing with workshops for schools.',
      'The author spent four years interviewing former fishermen and their families.',
      'Critics have described the programme as the most ambitious in the festival’s history.',
    ],
    quotes: [
      '"Cinema is still the best way we have of seeing the world through someone else’s eyes," said {person}, {role}.',
      '"We wanted the museum to feel like it belongs to the city again," said {person}, {role}.',
      '"I wrote it for the people who stayed when everyone else left," {person} said of the book.',
    ],
  },
  {
    section: 'Science',
    titles: [
      'Researchers in {city} report progress on a cheaper malaria vaccine',
      'New telescope captures detailed images of a distant star nursery',
      'Vaccination campaign in {country} reaches {pct}% of children',
      'Study finds coral reefs off {country} recovering faster than expected',
      'Startup in {city} unveils battery that charges in ten minutes',
    ],
    sentences: [
      'The results, published in a peer-reviewed journal, are based on a trial involving {thousands},000 participants.',
      'The team said the next phase would test the vaccine in younger children.',
      'The images show clouds of gas and dust in which new stars are forming.',
      'Health officials said the campaign had been helped by mobile clinics in rural areas.',
      'Divers surveyed {small}0 sites over three years and found that coral cover had increased at most of them.',
      'The researchers cautioned that another marine heatwave could reverse the gains.',
      'The company says the battery uses no cobalt and can be recycled more easily than current designs.',
      'Independent experts said the findings were promising but needed to be confirmed in larger studies.',
      'Funding for the project came from a mix of public grants and private foundations.',
      'The data will be made available to other research groups next year.',
      'Similar programmes in neighbouring countries have struggled to reach remote communities.',
    ],
    quotes: [
      '"It is a real step forward, although we still have a lot of work to do," said {person}, {role}.',
      '"The reef is telling us it can recover if we give it the chance," said {person}, {role}.',
      '"We expect to start pilot production within two years," said {person}, {role}.',
    ],
  },
];

const ORDINALS = ['second', 'third', 'fourth', 'fifth', 'sixth'];

/** Slot values for the templates, drawn from `random`. */
function slotsFor(random: Random): Record<string, () => string> {
  // A match is between two different teams.
  const usedTeams: string[] = [];
  return {
    country: () => random.pick(COUNTRIES),
    city: () => random.pick(CITIES),
    city2: () => random.pick(CITIES),
    person: () => random.pick(PEOPLE),
    role: () => random.pick(ROLES),
    weekday: () => random.pick(WEEKDAYS),
    team: () => {
      const team = random.pick(TEAMS);
      usedTeams.push(team);
      return team;
    },
    team2: () => random.pick(TEAMS.filter((t) => !usedTeams.includes(t))),
    ordinal: () => random.pick(ORDINALS),
    pct: () => String(random.between(2, 9)) + '.' + String(random.int(10)),
    pct2: () => String(random.between(3, 12)) + '.' + String(random.int(10)),
    small: () => String(random.between(1, 9)),
    thousands: () => String(random.between(2, 60)),
    temp: () => String(random.between(38, 46)),
    speed: () => String(random.between(90, 190)),
    minute: () => String(random.between(3, 88)),
    score: () => `${random.between(1, 4)}-${random.int(2)}`,
  };
}

/** An off-topic article's words: headline, section and paragraphs. */
export interface OffTopicStory {
  section: string;
  title: string;
  paragraphs: string[];
}

/** An off-topic story of 6–12 paragraphs, each two to four sentences, sometimes closing with a quote. */
export function offTopicStory(random: Random): OffTopicStory {
  const desk = random.pick(DESKS);
  const slots = slotsFor(random);
  const paragraphs: string[] = [];
  const count = random.between(6, 12);
  for (let p = 0; p < count; p++) {
    const sentences = random.sample(desk.sentences, random.between(2, 4)).map((s) => fill(s, slots));
    if (random.chance(0.35)) sentences.push(fill(random.pick(desk.quotes), slots));
    paragraphs.push(sentences.join(' '));
  }
  return { section: desk.section, title: fill(random.pick(desk.titles), slots), paragraphs };
}

/** A headline for page chrome (tickers, related boxes, recommendations) from any desk. */
export function anyHeadline(random: Random): string {
  return fill(random.pick(random.pick(DESKS).titles), slotsFor(random));
}

/** Section names, for navigation menus. */
export const SECTIONS: readonly string[] = DESKS.map((desk) => desk.section);
