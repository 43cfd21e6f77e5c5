/**
 * The codec's entry point for server frames: one WebSocket frame in, a typed ServerMessage or a ProtocolError out.
 *
 * It never throws, so the reader survives anything (test/fixtures/protocol/bad-frames.jsonl). The order of the
 * checks is the README's: size on the byte length, lenient UTF-8, one BOM dropped, the literal `ech+hb`, then one
 * `JSON.parse` and cheap own-property checks (classify.ts). Market data is the hot path and is tried first: one pass
 * over the text reads a plain `smd` frame without JSON.parse (scan-market-data.ts); every other frame, and any smd
 * frame the scanner cannot prove simple, takes the general path, which alone decides errors.
 */
import { ProtocolError } from './errors.js';
import { classifyFrame } from './classify.js';
import { scanMarketData } from './scan-market-data.js';
import { frameText, type FrameData } from './frame-text.js';
import { DEFAULT_MAX_FRAME_BYTES } from './limits.js';
import type { JsonObject, ServerMessage } from './types.js';

export type { FrameData } from './frame-text.js';

export type DecodeResult = { ok: true; message: ServerMessage } | { ok: false; error: ProtocolError };

export interface DecodeOptions {
  /** Frames above this many bytes are refused unread (`frame-too-large`). Default DEFAULT_MAX_FRAME_BYTES. */
  readonly maxFrameBytes?: number;
}

/** The only server frame that is not JSON (docs/PROTOCOL.md §3.2). */
const ECHO_TEXT = 'ech+hb';

export function decodeFrame(data: FrameData, options?: DecodeOptions): DecodeResult {
  try {
    const text = frameText(data, frameLimit(options));
    if (typeof text !== 'string') return { ok: false, error: text };
    if (text === ECHO_TEXT) return { ok: true, message: { kind: 'echo' } };
    const marketData = scanMarketData(text);
    if (marketData !== undefined) return { ok: true, message: marketData };
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      return { ok: false, error: unparsable(text) };
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      return { ok: false, error: new ProtocolError('not-an-object', 'frame is valid JSON but not an object') };
    }
    return { ok: true, message: classifyFrame(value as JsonObject, text) };
  } catch (error) {
    // ProtocolErrors come from classify; anything else would be a bug here, and still must not stop the reader.
    return {
      ok: false,
      error: error instanceof ProtocolError ? error : new ProtocolError('malformed-json', 'frame could not be read'),
    };
  }
}

function frameLimit(options: DecodeOptions | undefined): number {
  const limit = options?.maxFrameBytes;
  return typeof limit === 'number' && limit >= 0 ? limit : DEFAULT_MAX_FRAME_BYTES;
}

/** Decided only after JSON.parse failed, so well-formed frames never pay for the scan. */
function unparsable(text: string): ProtocolError {
  return isJsonWhitespace(text)
    ? new ProtocolError('empty-frame', 'frame is empty or only whitespace')
    : new ProtocolError('malformed-json', 'frame is not exactly one JSON value');
}

function isJsonWhitespace(text: string): boolean {
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code !== 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0d) return false;
  }
  return true;
}
