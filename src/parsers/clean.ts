/**
 * Removes what outlets insert inside an article body and Readability keeps: "Related News" boxes and link
 * lists between paragraphs, donation and newsletter appeals, share and tag lists, "Most read" blocks, captions and
 * credits, repeated bylines and datelines, copyright and cookie notices, and ad labels. It works on Readability's content DOM, before the text is taken from it. Real paragraphs
 * that merely contain a link are kept: a block is dropped for its links only when links are nearly all its text.
 */

// A heading or lead-in that announces a box of links to other stories, in en/es/pt.
const LINK_BOX_LABEL =
  /^(related( news| stories| articles| content| coverage| reading)?|more (news|stories|on this( story| topic)?)|read (more|also|next)|also read|see also|you (may|might) (also )?like|recommended( for you)?|most (read|popular|viewed)|trending( now)?|lea (también|además|más)|le puede interesar|te puede interesar|más noticias|noticias relacionadas|lo más (leído|visto)|leia (também|mais)|veja também|mais lidas|saiba mais|notícias relacionadas|tags?|topics|temas|etiquetas|share( this( article| story)?)?|compartir|compartilhe)\s*[:.»>|\-–—]*$/i;
// A paragraph that starts with such a lead-in and then names another story: "Read more: Iran says …".
const LINK_LEAD_IN =
  /^(related|read (more|also)|also read|see also|more|lea también|lea además|le puede interesar|leia também|veja também|saiba mais)\s*[:»>|\-–—]/i;
const APPEAL =
  /\b(donate|donation|support (our|independent|quality) journalism|become a (member|supporter|subscriber)|subscribe (to|for|now|today)|sign up (for|to) (our|the|my) ([\w-]+ ){0,3}(newsletters?|mailing list|alerts|briefing|emails?|bulletin)|newsletter|join our (mailing list|telegram|whatsapp|channel)|click(ing)? here|follow us on|haz una donación|suscr[ií]b(e|ete|ase)|bolet[ií]n|apoie|assine|inscreva-se|doe agora)\b/i;
const AD_LABEL =
  /^(advert|advertisement|advertising|sponsored( content)?|publicidad|publicidade|anuncio|story continues below( this)? advertisement|continue reading below|ad|skip to (main )?content|sign in|log in|close|caption|image \d+ of \d*|this slideshow requires javascript\.?|comments?|\d+ comments?)$/i;
// Datelines and bylines repeated inside the body: "Updated 5:27 am CST, Wednesday…", "PUBLISHED: 10:48, Tue…".
const DATELINE = /^(\|\s*)?(updated|published|posted|last (updated|modified)|actualizado|publicado|atualizado)\b.{0,100}\d/i;
// Boilerplate after the story: copyright and cookie notices, citation lines.
const BOILERPLATE =
  /^(©|\(c\) |copyright\s*(©|\(c\)|\d{4}))|\b(all rights reserved|subject to copyright|todos los derechos reservados|todos os direitos reservados)\b|\bcookies?\b.*\b(accept|consent|experience|opt[- ]out)\b/i;
const CREDIT_ONLY =
  /(\bcredit:\s*[^.]{0,60}|\((image|photo|foto|imagen):\s*[^)]{0,40}\))$|^((photo|image|picture|foto|imagen|imagem|file photo|credit|crédito)s?( credit)?\s*[:/|©-]|©|\(?(photo|foto)\)?\s*:?\s*(reuters|afp|ap|epa|getty)).{0,80}$|^.{0,80}\b(getty images|reuters|afp|associated press|ap photo|epa|shutterstock|efe)(\/[^/]{0,40})?\)?\.?$/i;
// Class or id tokens of boxes that are never part of the story itself.
const NOISE_HINT =
  /(^|[\s_-])(share|sharing|social-share|related|newsletter|subscribe|subscription|donate|donation|promo|advert|advertisement|ads?|sponsored|tags|tag-list|most-read|popular|read-more|readmore|also-read|outbrain|taboola|recommended)($|[\s_-])/i;

const WRAPPER_TAGS = new Set(['div', 'section', 'span', 'p', 'li', 'ul', 'ol', 'figure']);
const LINK_LIST_TAGS = new Set(['ul', 'ol', 'p', 'div', 'aside', 'section', 'nav']);
const BOX_TAGS = new Set(['div', 'section', 'aside', 'ul', 'ol', 'p', 'table', 'figure', 'nav', 'header', 'footer', 'form', 'dl']);
const HEADING_TAGS = new Set(['h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'p', 'strong', 'b', 'span', 'div', 'header']);

/** Why a block was removed; reported to the optional observer of {@link cleanArticleContent}. */
export type RemovalReason = 'byline' | 'hint' | 'label' | 'ad' | 'caption' | 'credit' | 'boilerplate' | 'appeal' | 'lead-in' | 'link-list';

/** What the page's metadata says, which helps recognise repeated bylines inside the body. */
export interface CleanContext {
  byline?: string;
}

/** Removes inserted boxes, appeals and labels from Readability's content element, in place. */
export function cleanArticleContent(root: Element, context: CleanContext = {}, onRemove?: (element: Element, reason: RemovalReason) => void): void {
  for (const element of Array.from(root.getElementsByTagName('*'))) {
    // Readability's content is detached from the document, so "still in the tree" means "inside root".
    if (element === root || !root.contains(element)) continue;
    const reason = noiseReason(element, context);
    if (reason === undefined) continue;
    onRemove?.(element, reason);
    element.remove();
  }
  // Removing boxes can leave their wrappers empty; empty wrappers add nothing but blank lines.
  for (const element of Array.from(root.getElementsByTagName('*'))) {
    if (WRAPPER_TAGS.has(element.localName) && element.textContent?.trim() === '' && !hasMedia(element)) element.remove();
  }
}

function noiseReason(element: Element, context: CleanContext): RemovalReason | undefined {
  const tag = element.localName;
  const text = normalized(element.textContent);
  if (text === '') return undefined;
  if (isBylineLine(text, context.byline)) return 'byline';
  if (BOX_TAGS.has(tag) && tag !== 'p' && hasNoiseHint(element) && !holdsProse(element)) return 'hint';
  if (HEADING_TAGS.has(tag) && LINK_BOX_LABEL.test(text)) {
    removeFollowingLinkBox(element);
    return 'label';
  }
  if (AD_LABEL.test(text)) return 'ad';
  // The benchmark's true bodies (and readers) leave captions out; a caption repeats the story at best.
  if (tag === 'figcaption' || /(^|[\s_-])(caption|credit)s?($|[\s_-])/i.test(element.getAttribute('class') ?? '')) {
    return holdsProse(element) ? undefined : 'caption';
  }
  if ((tag === 'small' || tag === 'p' || tag === 'span' || tag === 'div') && text.length < 200 && CREDIT_ONLY.test(text)) return 'credit';
  if (text.length < 160 && !hasLongSentence(element)) {
    // A dateline has no closing full stop; "Published in 2019, the report found…" is a sentence and stays.
    if (DATELINE.test(text) && !endsSentence(text)) return 'boilerplate';
    if (BOILERPLATE.test(text)) return 'boilerplate';
  }
  if (tag === 'p' || tag === 'div' || tag === 'li' || tag === 'blockquote' || tag === 'aside') {
    if (text.length < 400 && APPEAL.test(text) && !hasLongSentence(element)) return 'appeal';
    if (LINK_LEAD_IN.test(text) && linkDensity(element, text) > 0.3) return 'lead-in';
  }
  if (tag === 'p' && isShoutedHeadlineLink(element, text)) return 'link-list';
  if (LINK_LIST_TAGS.has(tag) && isLinkList(element, text)) {
    return 'link-list';
  }
  return undefined;
}

/** A short "By Jane Doe, 12 Jun 2023" line: the byline and date repeated above the story. */
function isBylineLine(text: string, byline: string | undefined): boolean {
  if (text.length > 120 || endsSentence(text)) return false;
  if (/^(?:[Bb]y|[Pp]or)\s+\p{Lu}/u.test(text)) return true;
  return byline !== undefined && byline.length > 3 && text.startsWith(byline) && /\d/.test(text);
}

function endsSentence(text: string): boolean {
  // "Updated at 1:23 p.m." ends with a full stop but is still a dateline.
  return /[.!?]["”'’]?$/.test(text) && !/\b[ap]\.m\.$/i.test(text);
}

/** Two or more real paragraphs (25+ words, few links) inside: the story itself, whatever its class says. */
function holdsProse(element: Element): boolean {
  let paragraphs = 0;
  for (const p of element.localName === 'p' ? [element] : Array.from(element.getElementsByTagName('p'))) {
    const text = normalized(p.textContent);
    if (text.split(' ').length >= 25 && linkDensity(p, text) < 0.3) paragraphs++;
    if (paragraphs >= 2) return true;
  }
  return false;
}

function hasMedia(element: Element): boolean {
  return ['img', 'picture', 'video'].some((tag) => element.getElementsByTagName(tag).length > 0);
}

function hasNoiseHint(element: Element): boolean {
  const hints = `${element.getAttribute('class') ?? ''} ${element.getAttribute('id') ?? ''}`;
  return NOISE_HINT.test(hints);
}

/** After a "Related News" label, the list or box of links it announces goes too. */
function removeFollowingLinkBox(label: Element): void {
  let next = label.nextElementSibling;
  while (next !== null) {
    const text = normalized(next.textContent);
    if (text !== '' && linkDensity(next, text) < 0.6) return;
    const after = next.nextElementSibling;
    next.remove();
    next = after;
  }
}

/** "CO-FOUNDER 'PROUD' OF HOME DEPOT EMPLOYEES": a capitalised headline of another story, linked, between paragraphs. */
function isShoutedHeadlineLink(element: Element, text: string): boolean {
  const letters = text.replace(/[^\p{L}]/gu, '');
  return letters.length >= 12 && letters === letters.toUpperCase() && letters !== letters.toLowerCase() && linkDensity(element, text) > 0.9;
}

/** A block whose text is nearly all links: a list of other stories rather than a paragraph with a link. */
function isLinkList(element: Element, text: string): boolean {
  const links = element.getElementsByTagName('a');
  if (links.length === 0) return false;
  const density = linkDensity(element, text);
  // A single linked line is as often the story's own reference ("Click to tweet", a source URL) as a teaser.
  if (element.localName === 'ul' || element.localName === 'ol') return links.length >= 3 && density > 0.7;
  return links.length >= 2 && density > 0.8;
}

/** Share of the block's letters and digits that sit inside links; separators such as "›" or "|" do not count. */
function linkDensity(element: Element, text: string): number {
  let linked = 0;
  for (const link of element.getElementsByTagName('a')) linked += wordChars(link.textContent ?? '');
  const total = wordChars(text);
  return total === 0 ? 0 : linked / total;
}

function wordChars(text: string): number {
  return text.match(/[\p{L}\p{N}]/gu)?.length ?? 0;
}

/** An appeal is a line or two; a long sentence means a real paragraph that happens to mention a newsletter. */
function hasLongSentence(element: Element): boolean {
  return normalized(element.textContent)
    .split(/[.!?]\s/)
    .some((sentence) => sentence.split(' ').length > 45);
}

function normalized(text: string | null): string {
  return (text ?? '').replace(/\s+/g, ' ').trim();
}
