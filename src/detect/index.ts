/** The topic detector: parse a lexicon, compile it once, then classify articles with `detect`. */
export { parseTopic, topicSchema, type TopicLexicon, type CueLanguage } from './lexicon.js';
export { compileTopic, type Topic, type TermEntry, type TermHit, type NegativeRule } from './topic.js';
export { detect, DEFAULT_THRESHOLD, type DetectOptions } from './detect.js';
export { normalizeText, foldCase, tokenize, type Token } from './normalize.js';
export { splitSentences, type Sentence, type Section } from './sentences.js';
export { findDate } from './dates.js';
export type { DetectInput, EventSignature, EventType, Reason, Verdict } from './types.js';
