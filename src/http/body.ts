/**
 * Reading a response body: decompression, a limit on decoded bytes enforced while streaming, and a deadline for
 * the whole read.
 */
import { Readable, Writable, type Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createBrotliDecompress, createGunzip, createInflate, createInflateRaw } from 'node:zlib';
import { PermanentError, TransientError } from '../errors.js';
import { seconds } from './failures.js';

/** What was read: the decoded bytes, and how many bytes crossed the wire. */
export interface BodyBytes {
  data: Buffer;
  wireBytes: number;
}

/** Limits for one body read. */
export interface BodyLimits {
  maxBodyBytes: number;
  /** The whole read must finish within this, however slowly the server trickles. */
  deadlineMs: number;
  /** Keep the first `maxBodyBytes` and stop reading, instead of refusing the body (robots.txt is read that way). */
  truncate?: boolean;
}

/** `5242880` → `5 MB`, `1000` → `1000 bytes`: the limit as the operator probably wrote it. */
export function formatBytes(bytes: number): string {
  const mb = bytes / (1024 * 1024);
  if (bytes >= 1024 * 1024 && Number.isInteger(mb * 10)) return `${mb} MB`;
  const kb = bytes / 1024;
  if (bytes >= 1024 && Number.isInteger(kb)) return `${kb} KB`;
  return `${bytes} bytes`;
}

/** The limit error, shared by the Content-Length check and the streaming check. */
export function overLimit(maxBodyBytes: number, url: string): PermanentError {
  return new PermanentError(`fetch: body over ${formatBytes(maxBodyBytes)} limit (${url})`);
}

class DeadlineError extends Error {}
/** Ends the pipeline early once a truncated read has all it keeps. */
class EnoughError extends Error {}

/** Destroys a response body, if still open, without the abort error it then emits becoming an uncaught exception. */
export function discard(body: Readable): void {
  if (body.destroyed) return;
  body.on('error', () => undefined);
  body.destroy();
}

/**
 * True for zlib and brotli errors about the data itself. Decoders also re-emit whatever broke the pipeline
 * elsewhere (a reset connection), so the code, not the emitting stream, says it was the bytes.
 */
function isDecodeError(err: unknown): boolean {
  const code = (err as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && /^(Z_|ERR__ERROR_|ERR_BROTLI_|ERR_ZLIB_)/.test(code);
}

/** zlib format (RFC 1950) rather than raw deflate (RFC 1951): CM = 8 and the header checksum holds. */
function looksLikeZlib(first: Buffer | undefined): boolean {
  if (!first || first.length < 2) return true;
  const cmf = first[0] ?? 0;
  const flg = first[1] ?? 0;
  return (cmf & 0x0f) === 8 && ((cmf << 8) | flg) % 31 === 0;
}

/**
 * The decoders for a Content-Encoding list, outermost first. `deflate` is zlib-wrapped by the spec but some
 * servers send raw deflate, so the first body chunk decides.
 */
function decodersFor(contentEncoding: string | undefined, first: Buffer | undefined, url: string): Transform[] {
  const codings = (contentEncoding ?? '')
    .split(',')
    .map((c) => c.trim().toLowerCase())
    .filter((c) => c !== '' && c !== 'identity');
  return codings.reverse().map((coding) => {
    switch (coding) {
      case 'gzip':
      case 'x-gzip':
        return createGunzip();
      case 'deflate':
        return looksLikeZlib(first) ? createInflate() : createInflateRaw();
      case 'br':
        return createBrotliDecompress();
      default:
        throw new PermanentError(`fetch: unsupported content-encoding ${coding} (${url})`);
    }
  });
}

/** Chunks of `iterator`, starting with one already taken from it, counting wire bytes as they pass. */
async function* counted(first: IteratorResult<Buffer>, iterator: AsyncIterator<Buffer>, count: (n: number) => void): AsyncGenerator<Buffer> {
  try {
    for (let next = first; !next.done; next = await iterator.next()) {
      count(next.value.length);
      yield next.value;
    }
  } finally {
    await iterator.return?.();
  }
}

/**
 * Reads `body` to the end, decoding `contentEncoding`, and fails with a PermanentError as soon as the decoded size
 * passes `maxBodyBytes` (so a compression bomb costs at most the limit plus one chunk of memory), or a
 * TransientError when the deadline passes. The stream is destroyed on every path.
 */
export async function readBody(body: Readable, contentEncoding: string | undefined, limits: BodyLimits, url: string): Promise<BodyBytes> {
  const deadline = setTimeout(() => body.destroy(new DeadlineError()), limits.deadlineMs);
  let wireBytes = 0;
  let decodedBytes = 0;
  const chunks: Buffer[] = [];
  try {
    const iterator = body[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
    const first = await iterator.next();
    const decoders = decodersFor(contentEncoding, first.done ? undefined : first.value, url);
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        if (decodedBytes + chunk.length > limits.maxBodyBytes) {
          if (!limits.truncate) {
            done(overLimit(limits.maxBodyBytes, url));
            return;
          }
          chunks.push(chunk.subarray(0, limits.maxBodyBytes - decodedBytes));
          decodedBytes = limits.maxBodyBytes;
          done(new EnoughError());
          return;
        }
        decodedBytes += chunk.length;
        chunks.push(chunk);
        done();
      },
    });
    const source = Readable.from(counted(first, iterator, (n) => (wireBytes += n)), { objectMode: false });
    await pipeline([source, ...decoders, sink]);
    return { data: Buffer.concat(chunks, decodedBytes), wireBytes };
  } catch (err) {
    if (err instanceof EnoughError) return { data: Buffer.concat(chunks, decodedBytes), wireBytes };
    if (err instanceof DeadlineError) {
      throw new TransientError(`fetch: timeout after ${seconds(limits.deadlineMs)} waiting for body (${url})`);
    }
    if (err instanceof PermanentError) throw err;
    if (isDecodeError(err)) {
      throw new PermanentError(`fetch: cannot decode ${contentEncoding ?? ''} body (${url})`, { cause: err });
    }
    throw err;
  } finally {
    clearTimeout(deadline);
    discard(body);
  }
}
