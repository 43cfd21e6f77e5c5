/**
 * The codec's public API: the typed vocabulary, decoding server frames, encoding client commands, interpreting REST
 * answers. (The statechart's guards on these messages live with it, in machines/message-guards.ts.)
 */
export type * from './types.js';
export { decodeFrame, type DecodeOptions, type DecodeResult, type FrameData } from './decode.js';
export { encodeCommand } from './encode.js';
export { ProtocolError } from './errors.js';
export { DEFAULT_MAX_FRAME_BYTES } from './limits.js';
export { interpretRestResponse, interpretTickle, type TickleFacts } from './rest.js';
export { REDACTED_TEXT, Secret } from './secret.js';
export type { SessionCheck, SessionCheckInput, SessionCheckPurpose, SocketCommand, SocketEvent, SocketInput } from './session.js';
