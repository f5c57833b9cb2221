import { describe, expect, it } from 'vitest';
import { findVisibleDate, parseDate } from '../../src/parsers/dates.js';

describe('parseDate', () => {
  it.each([
    // RFC 822 / 1123 as feeds write them
    ['Sat, 04 Feb 2023 11:20:00 +0330', '2023-02-04T07:50:00.000Z'],
    ['Sat, 04 Feb 2023 11:20:00 GMT', '2023-02-04T11:20:00.000Z'],
    ['Sat, 4 Feb 2023 11:20 EST', '2023-02-04T16:20:00.000Z'],
    ['Wed, 14 Jun 2023 09:00:00 -0400 (EDT)', '2023-06-14T13:00:00.000Z'],
    ['Thu, 15 Jun 2023 21:30:00 PDT', '2023-06-16T04:30:00.000Z'],
    ['15 Jun 23 10:00 UT', '2023-06-15T10:00:00.000Z'],
    ['Mon, 12 Jun 2023 14:10:00 +03:30', '2023-06-12T10:40:00.000Z'],
    // ISO 8601 and its SQL-like cousin
    ['2023-02-04T11:20:00Z', '2023-02-04T11:20:00.000Z'],
    ['2023-02-04T11:20:00.250+03:30', '2023-02-04T07:50:00.250Z'],
    ['2023-06-12T10:35:00-04:00', '2023-06-12T14:35:00.000Z'],
    ['2023-02-04T11:20', '2023-02-04T11:20:00.000Z'],
    ['2023-02-04', '2023-02-04T00:00:00.000Z'],
    ['2023-02-04 11:20:00', '2023-02-04T11:20:00.000Z'],
    ['  2023-02-04 11:20:00  ', '2023-02-04T11:20:00.000Z'],
    // visible forms
    ['4 Feb 2023 11:20', '2023-02-04T11:20:00.000Z'],
    ['4th February 2023', '2023-02-04T00:00:00.000Z'],
    ['February 4, 2023', '2023-02-04T00:00:00.000Z'],
    ['Feb. 4, 2023 - 11:20', '2023-02-04T11:20:00.000Z'],
    ['June 13, 2023 at 4:30 pm', '2023-06-13T16:30:00.000Z'],
    ['Jun 13, 2023 12:05 AM', '2023-06-13T00:05:00.000Z'],
    ['2023/06/13 08:15', '2023-06-13T08:15:00.000Z'],
    // Spanish and Portuguese
    ['4 de febrero de 2023', '2023-02-04T00:00:00.000Z'],
    ['sábado, 4 de febrero de 2023, 11:20 h', '2023-02-04T11:20:00.000Z'],
    ['12 de junio de 2023 a las 10:35', '2023-06-12T10:35:00.000Z'],
    ['20 de septiembre de 2023', '2023-09-20T00:00:00.000Z'],
    ['4 de março de 2023', '2023-03-04T00:00:00.000Z'],
    ['13 dic. 2023', '2023-12-13T00:00:00.000Z'],
  ])('reads %j', (text, iso) => {
    expect(parseDate(text)).toBe(iso);
  });

  it('reads 04/02/2023 day first only for Spanish and Portuguese pages', () => {
    expect(parseDate('04/02/2023')).toBeUndefined();
    expect(parseDate('04/02/2023', { lang: 'en' })).toBeUndefined();
    expect(parseDate('04/02/2023', { lang: 'es' })).toBe('2023-02-04T00:00:00.000Z');
    expect(parseDate('04/02/2023 11:20', { lang: 'pt-BR' })).toBe('2023-02-04T11:20:00.000Z');
    expect(parseDate('04.02.2023', { lang: 'es' })).toBe('2023-02-04T00:00:00.000Z');
  });

  it('reads a slashed date whose order cannot be confused', () => {
    expect(parseDate('25/06/2023')).toBe('2023-06-25T00:00:00.000Z');
    expect(parseDate('06/25/2023')).toBe('2023-06-25T00:00:00.000Z');
  });

  it.each([
    [''],
    ['nonsense'],
    ['Raisi visited Caracas'],
    ['31/04/2023'],
    ['2023-02-30'],
    ['2023-13-01'],
    ['4 Feb 2023 25:10'],
    ['Feb 4, 2023 13:10 PM'],
    ['1 Jan 1985'],
    ['1989-12-31T23:59:59Z'],
    ['Sat, 04 Feb 2023 11:20:00 +9900'],
    ['4 Foo 2023'],
  ])('rejects %j', (text) => {
    expect(parseDate(text, { lang: 'es' })).toBeUndefined();
  });

  it('rejects dates more than a day after now, when now is given', () => {
    const now = Date.UTC(2023, 5, 20, 12, 0, 0);
    expect(parseDate('2023-06-21T11:00:00Z', { now })).toBe('2023-06-21T11:00:00.000Z');
    expect(parseDate('2023-06-21T13:00:00Z', { now })).toBeUndefined();
    expect(parseDate('4 Feb 2030', { now })).toBeUndefined();
    expect(parseDate('4 Feb 2030')).toBe('2030-02-04T00:00:00.000Z');
  });
});

describe('findVisibleDate', () => {
  it('finds the first date in a byline with other numbers around it', () => {
    const text = 'Home | Iran | 14 comments | Published: 4 Feb 2023 11:20 | Updated 5 Feb 2023 09:00';
    expect(findVisibleDate(text)).toBe('2023-02-04T11:20:00.000Z');
  });

  it('finds a Spanish dateline', () => {
    expect(findVisibleDate('Caracas, 12 de junio de 2023 (Prensa) — El presidente iraní llegó hoy')).toBe('2023-06-12T00:00:00.000Z');
  });

  it('takes the earliest date in the text, whatever its form', () => {
    const text = 'Posted June 13, 2023 at 4:30 pm. Raisi signed a 20-year plan on 2022-06-11 in Tehran.';
    expect(findVisibleDate(text)).toBe('2023-06-13T16:30:00.000Z');
  });

  it('skips implausible candidates and keeps looking', () => {
    expect(findVisibleDate('Founded 1 Jan 1950. Last updated 20 Jul 2023 17:20.')).toBe('2023-07-20T17:20:00.000Z');
    expect(findVisibleDate('Coming 1 Mar 2031, published 2 Mar 2023', { now: Date.UTC(2023, 2, 3) })).toBe('2023-03-02T00:00:00.000Z');
  });

  it('does not read version numbers, phone numbers or IDs as dates', () => {
    expect(findVisibleDate('Article 32452281, call 0212-555-2023, version 4.02.2023b')).toBeUndefined();
  });

  it('uses the page language for ambiguous numeric dates', () => {
    expect(findVisibleDate('Publicado el 04/02/2023 a las 11:20', { lang: 'es' })).toBe('2023-02-04T11:20:00.000Z');
    expect(findVisibleDate('Posted 04/02/2023')).toBeUndefined();
  });
});

describe('dates that need now', () => {
  const now = Date.UTC(2023, 5, 13, 18, 0, 0);

  it('reads relative times in English, Spanish and Portuguese', () => {
    expect(parseDate('3 hours ago', { now })).toBe('2023-06-13T15:00:00.000Z');
    expect(parseDate('hace 2 días', { now })).toBe('2023-06-11T18:00:00.000Z');
    expect(parseDate('há 45 minutos', { now })).toBe('2023-06-13T17:15:00.000Z');
    expect(parseDate('an hour ago', { now })).toBe('2023-06-13T17:00:00.000Z');
    expect(parseDate('3 hours ago')).toBeUndefined();
  });

  it('reads a year-less dateline in the year of now, or the year before when that would be in the future', () => {
    expect(findVisibleDate('Caracas, 12 jun (Prensa) El mandatario iraní llegó hoy', { now })).toBe('2023-06-12T00:00:00.000Z');
    expect(parseDate('June 13, 4:30 pm', { now })).toBe('2023-06-13T16:30:00.000Z');
    expect(parseDate('20 Dec', { now })).toBe('2022-12-20T00:00:00.000Z');
    expect(parseDate('12 jun')).toBeUndefined();
  });

  it('prefers a full date to its year-less prefix, and never reads a rejected full date as year-less', () => {
    expect(findVisibleDate('Published 4 Feb 2023 11:20', { now })).toBe('2023-02-04T11:20:00.000Z');
    expect(findVisibleDate('Founded 1 Jan 1950. Last updated 20 Jul 2022 17:20.', { now })).toBe('2022-07-20T17:20:00.000Z');
    expect(findVisibleDate('Posted June 13, 2023 at 4:30 pm', { now })).toBe('2023-06-13T16:30:00.000Z');
  });
});

describe('month names are whole words', () => {
  it('does not read "marzo" as "mar" when the full date is rejected', () => {
    expect(findVisibleDate('Fundado el 4 de marzo de 1985', { now: Date.UTC(2023, 5, 13) })).toBeUndefined();
    expect(parseDate('4 Marchx 2023')).toBeUndefined();
  });
});
