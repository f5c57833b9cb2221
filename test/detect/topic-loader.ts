import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { compileTopic, type Topic } from '../../src/detect/topic.js';
import { parseTopic } from '../../src/detect/lexicon.js';

/** Path of the shipped topic lexicon. */
export const TOPIC_FILE = fileURLToPath(new URL('../../config/topics/iran-latam.yaml', import.meta.url));

let cached: Topic | undefined;

/** The shipped Iran–Latin America topic, parsed and compiled once per test file. */
export function shippedTopic(): Topic {
  cached ??= compileTopic(parseTopic(readFileSync(TOPIC_FILE, 'utf8'), TOPIC_FILE));
  return cached;
}
