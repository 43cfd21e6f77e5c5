/**
 * One WebSocket frame, as `ws` hands it over (text, Buffer, fragments, ArrayBuffer), to the text the JSON parser reads.
 *
 * The size limit is checked on the byte length before anything is decoded, so a hostile 4 MiB frame costs a length
 * comparison, not a decode. Decoding is lenient (invalid UTF-8 becomes U+FFFD, as `TextDecoder` does): the gateway
 * has been seen to emit stray bytes such as 0x99, and one bad byte must not kill the reader (docs/PROTOCOL.md, Decisions).
 */
import { ProtocolError } from './errors.js';

export type FrameData = string | Buffer | ArrayBuffer | Buffer[] | Uint8Array;

const BOM = 0xfeff;
/** A UTF-16 code unit never takes more than 3 UTF-8 bytes: strings this short cannot exceed the limit. */
const MAX_UTF8_BYTES_PER_UNIT = 3;

/** The frame's text, without one leading BOM; or the `frame-too-large` error. */
export function frameText(data: FrameData, maxFrameBytes: number): string | ProtocolError {
  const text = typeof data === 'string' ? checkedString(data, maxFrameBytes) : checkedBytes(data, maxFrameBytes);
  if (typeof text !== 'string') return text;
  return text.charCodeAt(0) === BOM ? text.slice(1) : text;
}

function checkedString(text: string, maxFrameBytes: number): string | ProtocolError {
  // Buffer.byteLength walks the string; skip it when the length alone decides.
  if (text.length * MAX_UTF8_BYTES_PER_UNIT <= maxFrameBytes) return text;
  if (text.length > maxFrameBytes) return tooLarge(text.length, maxFrameBytes, 'at least ');
  const bytes = Buffer.byteLength(text, 'utf8');
  return bytes > maxFrameBytes ? tooLarge(bytes, maxFrameBytes) : text;
}

function checkedBytes(data: Exclude<FrameData, string>, maxFrameBytes: number): string | ProtocolError {
  if (Array.isArray(data)) {
    let total = 0;
    for (const part of data) total += part.byteLength;
    if (total > maxFrameBytes) return tooLarge(total, maxFrameBytes);
    return Buffer.concat(data, total).toString();
  }
  if (data.byteLength > maxFrameBytes) return tooLarge(data.byteLength, maxFrameBytes);
  // `toString()` without an argument is UTF-8 and skips the encoding lookup: this is every frame of a real gateway.
  if (Buffer.isBuffer(data)) return data.toString();
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString();
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString();
}

function tooLarge(bytes: number, maxFrameBytes: number, qualifier = ''): ProtocolError {
  return new ProtocolError(
    'frame-too-large',
    `frame of ${qualifier}${bytes} bytes exceeds the ${maxFrameBytes}-byte limit`,
  );
}
