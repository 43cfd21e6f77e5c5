/**
 * The bytes a replayed gateway sends for one recorded frame. A record made with payloads carries the (redacted) text:
 * it is sent as it was. Without payloads a frame is rebuilt from its kind, topic, size and `sts` flags into a frame of
 * the same kind the client decodes the same way — the lifecycle does not depend on quote values.
 */
import { SIMULATOR_DEFAULTS } from '../options.js';
import { contractInfo } from '../gateway-payloads.js';
import * as frames from '../server-frames.js';
import type { ScriptedFrame } from './replay-script.js';

const IDENTITY = {
  username: SIMULATOR_DEFAULTS.username,
  accountId: SIMULATOR_DEFAULTS.accountId,
  isPaper: SIMULATOR_DEFAULTS.isPaper,
  isFT: SIMULATOR_DEFAULTS.isFT,
};

export function replayFrameText(frame: ScriptedFrame, sessionValue: string, now = Date.now()): string {
  if (frame.text !== undefined) return frame.text;
  const json = (value: Record<string, unknown>): string => JSON.stringify(value);
  switch (frame.kind) {
    case 'system-success':
      return json(frames.systemSuccessFrame(IDENTITY));
    case 'heartbeat':
      return json(frames.heartbeatFrame(now));
    case 'act':
      return json(frames.accountFrame(IDENTITY));
    case 'sts':
      return json(statusFrame(frame));
    case 'waiting-for-session':
      return json(frames.WAITING_FOR_SESSION_FRAME);
    case 'tic':
      return json(frames.ticFrame(sessionValue, now));
    case 'echo':
      return frames.ECHO_TEXT;
    case 'smd': {
      const conid = conidOf(frame.topic);
      return json({
        topic: frame.topic ?? `smd+${conid}`,
        conid,
        server_id: 'q0',
        _updated: now,
        '31': contractInfo(conid).price.toFixed(2),
      });
    }
    case 'error':
      return json({ ...(frame.topic === undefined ? {} : { topic: frame.topic }), error: 'replayed error frame' });
    case 'undecodable':
      // Not JSON, and as long as the original: an oversized frame stays oversized.
      return `{${' '.repeat(Math.max(0, frame.bytes - 1))}`;
    default:
      return json({ topic: frame.topic ?? frame.kind, args: {} });
  }
}

function statusFrame(frame: ScriptedFrame): Record<string, unknown> {
  const flags = frame.sts ?? {};
  const full = ['authenticated', 'competing', 'connected', 'established'].every((key) => key in flags);
  return full ? { topic: 'sts', args: { ...flags, message: '', fail: '' } } : frames.statusFrame({ ...flags });
}

function conidOf(topic: string | undefined): number {
  const conid = Number(topic?.split('+')[1]);
  return Number.isSafeInteger(conid) && conid > 0 ? conid : 265598;
}
