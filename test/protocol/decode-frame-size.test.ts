import { describe, expect, it } from 'vitest';
import { decodeFrame } from '../../src/protocol/decode.js';
import { DEFAULT_MAX_FRAME_BYTES } from '../../src/protocol/limits.js';

const HEARTBEAT = '{"topic":"system","hb":1772190537535}';

function outcome(data: Parameters<typeof decodeFrame>[0], maxFrameBytes?: number): string {
  const result = decodeFrame(data, maxFrameBytes === undefined ? undefined : { maxFrameBytes });
  return result.ok ? result.message.kind : result.error.code;
}

/** A heartbeat padded with spaces to exactly `bytes` bytes. */
function heartbeatOf(bytes: number): string {
  return HEARTBEAT + ' '.repeat(bytes - HEARTBEAT.length);
}

describe('the frame size limit', () => {
  it('defaults to a limit the corpus allows: at least 64 KiB, under 4 MiB', () => {
    expect(DEFAULT_MAX_FRAME_BYTES).toBeGreaterThanOrEqual(64 * 1024);
    expect(DEFAULT_MAX_FRAME_BYTES).toBeLessThan(4 * 1024 * 1024);
  });

  it('decodes a frame of exactly the limit and refuses one byte more', () => {
    expect(outcome(heartbeatOf(DEFAULT_MAX_FRAME_BYTES))).toBe('heartbeat');
    expect(outcome(heartbeatOf(DEFAULT_MAX_FRAME_BYTES + 1))).toBe('frame-too-large');
    expect(outcome(Buffer.from(heartbeatOf(DEFAULT_MAX_FRAME_BYTES + 1)))).toBe('frame-too-large');
  });

  it('counts bytes, not characters, for text frames', () => {
    const text = `{"topic":"system","success":"${'é'.repeat(100)}"}`;
    const bytes = Buffer.byteLength(text);
    expect(outcome(text, bytes)).toBe('system-success');
    expect(outcome(text, bytes - 1)).toBe('frame-too-large');
    expect(outcome(text, text.length)).toBe('frame-too-large');
  });

  it('adds up the fragments of a frame', () => {
    const bytes = Buffer.from(HEARTBEAT);
    const fragments = [bytes.subarray(0, 10), bytes.subarray(10)];
    expect(outcome(fragments, bytes.length)).toBe('heartbeat');
    expect(outcome(fragments, bytes.length - 1)).toBe('frame-too-large');
  });

  it('takes a custom limit and falls back to the default for an unusable one', () => {
    expect(outcome(HEARTBEAT, 10)).toBe('frame-too-large');
    expect(outcome(heartbeatOf(DEFAULT_MAX_FRAME_BYTES + 1), Number.NaN)).toBe('frame-too-large');
    expect(outcome(HEARTBEAT, -1)).toBe('heartbeat');
  });

  it('reports the sizes, never the content', () => {
    const result = decodeFrame(`{"topic":"smd+1","31":"${'secret'.repeat(10)}"}`, { maxFrameBytes: 20 });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.message).toMatch(/^frame of (at least )?\d+ bytes exceeds the 20-byte limit$/);
  });

  it('drops one leading BOM only', () => {
    expect(outcome(`\ufeff${HEARTBEAT}`)).toBe('heartbeat');
    expect(outcome(`\ufeff\ufeff${HEARTBEAT}`)).toBe('malformed-json');
    expect(outcome('\ufeff')).toBe('empty-frame');
  });

  it('reads the echo only as the exact text ech+hb', () => {
    expect(outcome('ech+hb')).toBe('echo');
    expect(outcome(Buffer.from('ech+hb'))).toBe('echo');
    expect(outcome(' ech+hb')).toBe('malformed-json');
    expect(outcome('ech+hbx')).toBe('malformed-json');
  });
});
