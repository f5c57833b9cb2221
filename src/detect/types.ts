/** What the detector is given: Readability's cleaned article and its title, never the page chrome. */
export interface DetectInput {
  title: string;
  text: string;
  /** Primary language subtag when known (`en`, `es`, `pt`). */
  lang?: string;
  /**
   * When the article was published (ISO 8601). Lets the detector resolve "on Monday", "ayer", "12 de junio"
   * to a calendar date for the signature; without it only dates written with a year are used.
   */
  publishedAt?: string;
}

/** One piece of evidence behind a verdict. */
export interface Reason {
  /** Machine-readable rule name, e.g. `pair+cue`, `title-pair`, `negative:sport`. */
  rule: string;
  /** The matched text, as it stands in the article (trimmed to a sentence). */
  span: string;
  /** Contribution to the score (negative for negative cues). */
  weight: number;
}

export type EventType = 'visit' | 'meeting' | 'call' | 'agreement' | 'embassy' | 'row' | 'statement';

/** What event a story reports, as far as the text says. Used by story clustering. */
export interface EventSignature {
  /** Canonical names of Iranian actors (people or institutions), e.g. `Hossein Amir-Abdollahian`. */
  iranActors: string[];
  /** Canonical English names of Latin American / Caribbean states, e.g. `Venezuela`. */
  latamStates: string[];
  eventType?: EventType;
  /** Canonical place name (a capital or city) when the text says where. */
  place?: string;
  /** ISO date (YYYY-MM-DD) when the text says when. */
  date?: string;
}

/** The detector's judgement on one article. */
export interface Verdict {
  match: boolean;
  /** 0..1 */
  score: number;
  reasons: Reason[];
  signature: EventSignature;
}
