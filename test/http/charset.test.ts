import { describe, expect, it } from 'vitest';
import { decodeBody, detectCharset } from '../../src/http/charset.js';
import { fixture } from './support.js';

const ascii = (text: string): Uint8Array => Buffer.from(text, 'latin1');

describe('detectCharset', () => {
  it('takes the Content-Type charset first, in WHATWG naming', () => {
    expect(detectCharset('text/html; charset=ISO-8859-1', ascii('<meta charset="utf-8">'))).toBe('windows-1252');
    expect(detectCharset('application/rss+xml;charset="utf-8"', ascii('<?xml version="1.0" encoding="ISO-8859-1"?>'))).toBe('utf-8');
    expect(detectCharset('text/html; Charset = windows-1251', new Uint8Array())).toBe('windows-1251');
  });

  it('skips a Content-Type label TextDecoder does not know', () => {
    expect(detectCharset('text/html; charset=klingon-7', ascii('<meta charset="iso-8859-15">'))).toBe('iso-8859-15');
    expect(detectCharset('text/html; charset=klingon-7', ascii('<p>plain</p>'))).toBe('utf-8');
  });

  it('reads a byte order mark when the header says nothing', () => {
    expect(detectCharset('text/html', Uint8Array.of(0xef, 0xbb, 0xbf, 0x3c))).toBe('utf-8');
    expect(detectCharset(undefined, Uint8Array.of(0xff, 0xfe, 0x3c, 0x00))).toBe('utf-16le');
    expect(detectCharset(undefined, Uint8Array.of(0xfe, 0xff, 0x00, 0x3c))).toBe('utf-16be');
  });

  it('reads <meta charset> and <meta http-equiv> in the first 2 KB', () => {
    expect(detectCharset('text/html', ascii('<html><head><meta charset="windows-1252"><title>x</title>'))).toBe('windows-1252');
    expect(detectCharset(undefined, ascii("<head><META HTTP-EQUIV='Content-Type' CONTENT='text/html; charset=iso-8859-1'>"))).toBe('windows-1252');
    expect(detectCharset(undefined, ascii('<meta charset=utf-8>'))).toBe('utf-8');
  });

  it('ignores a meta tag past the first 2 KB', () => {
    const late = `<html><head>${' '.repeat(2100)}<meta charset="windows-1252">`;
    expect(detectCharset('text/html', ascii(late))).toBe('utf-8');
  });

  it('treats a meta tag claiming UTF-16 in an ASCII-readable page as UTF-8', () => {
    expect(detectCharset('text/html', ascii('<meta charset="utf-16">'))).toBe('utf-8');
  });

  it('reads the XML prolog', () => {
    expect(detectCharset('application/rss+xml', ascii('<?xml version="1.0" encoding="ISO-8859-1"?><rss>'))).toBe('windows-1252');
    expect(detectCharset('text/xml', ascii("\n<?xml version='1.0' encoding='windows-1251' standalone='yes'?>"))).toBe('windows-1251');
  });

  it('defaults to UTF-8', () => {
    expect(detectCharset(undefined, new Uint8Array())).toBe('utf-8');
    expect(detectCharset('text/html', ascii('<p>no hints</p>'))).toBe('utf-8');
    expect(detectCharset('text/html', ascii('<?xml version="1.0" encoding="x-unknown"?>'))).toBe('utf-8');
  });
});

describe('decodeBody', () => {
  it('decodes windows-1252 bytes, where 0xE1 is á and 0x80 is €', () => {
    const text = decodeBody('text/html', Uint8Array.from([...ascii('<meta charset="iso-8859-1">Bogot'), 0xe1, 0x20, 0x32, 0x20, 0x80]));
    expect(text.endsWith('Bogotá 2 €')).toBe(true);
  });

  it('decodes the windows-1252 punctuation block 0x80-0x9F (which Node 20+ gets wrong)', () => {
    const bytes = Uint8Array.of(0x91, 0x49, 0x72, 0xe1, 0x6e, 0x92, 0x20, 0x93, 0x6f, 0x6b, 0x94, 0x20, 0x96, 0x20, 0x97, 0x85, 0x99, 0x9f, 0x81);
    expect(decodeBody('text/html; charset=windows-1252', bytes)).toBe('\u2018Irán\u2019 \u201cok\u201d \u2013 \u2014\u2026\u2122\u0178\u0081');
  });

  it('decodes a windows-1252 outlet page declared in its meta tag', async () => {
    const text = decodeBody('text/html', await fixture('raisi-caracas.windows-1252.html'));
    expect(text).toContain('Bogotá: el concejo aprueba');
    expect(text).toContain('Raisi llega a Caracas');
    expect(text).toContain('desde 2 € al mes');
    expect(text).not.toContain('\uFFFD');
  });

  it('strips a UTF-8 BOM and replaces invalid bytes', () => {
    expect(decodeBody(undefined, Uint8Array.of(0xef, 0xbb, 0xbf, 0x49, 0x72, 0xc3, 0xa1, 0x6e))).toBe('Irán');
    expect(decodeBody('text/plain; charset=utf-8', Uint8Array.of(0x49, 0x72, 0xe1, 0x6e))).toBe('Ir\uFFFDn');
  });
});
