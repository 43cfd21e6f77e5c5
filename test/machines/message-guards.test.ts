import { describe, expect, it } from 'vitest';
import {
  isAuthenticatedStatus,
  isCompetingStatus,
  isEcho,
  isErrorFrame,
  isHeartbeat,
  isSystemSuccess,
  isTicReply,
  isUnauthenticatedStatus,
  isWaitingForSession,
} from '../../machines/message-guards.js';
import type { ServerMessage } from '../../src/protocol/types.js';

const samples = {
  systemSuccess: { kind: 'system-success', username: 'user123' },
  heartbeat: { kind: 'heartbeat', hb: 1772190537535 },
  waiting: { kind: 'waiting-for-session' },
  authenticated: { kind: 'sts', authenticated: true },
  unauthenticated: { kind: 'sts', authenticated: false },
  competing: { kind: 'sts', authenticated: false, competing: true },
  silentStatus: { kind: 'sts', message: '' },
  error: { kind: 'error', error: "Topic unknown 'xyz'", code: 1 },
  echo: { kind: 'echo' },
  tic: { kind: 'tic', alive: true, lastAccessed: 1777415611502 },
  unknownWithHb: { kind: 'unknown', topic: 'system', raw: '{"topic":"system"}' },
} satisfies Record<string, ServerMessage>;

type Sample = keyof typeof samples;

const guards: Array<[string, (message: ServerMessage) => boolean, readonly Sample[]]> = [
  ['isSystemSuccess', isSystemSuccess, ['systemSuccess']],
  ['isHeartbeat', isHeartbeat, ['heartbeat']],
  ['isWaitingForSession', isWaitingForSession, ['waiting']],
  ['isAuthenticatedStatus', isAuthenticatedStatus, ['authenticated']],
  ['isUnauthenticatedStatus', isUnauthenticatedStatus, ['unauthenticated', 'competing']],
  ['isCompetingStatus', isCompetingStatus, ['competing']],
  ['isErrorFrame', isErrorFrame, ['error']],
  ['isEcho', isEcho, ['echo']],
  ['isTicReply', isTicReply, ['tic']],
];

describe('message guards', () => {
  it.each(guards)('%s accepts exactly its messages', (_name, guard, accepted) => {
    for (const [name, message] of Object.entries(samples) as Array<[Sample, ServerMessage]>) {
      expect(guard(message), name).toBe(accepted.includes(name));
    }
  });

  it('reads an sts frame without authenticated as neither authenticated nor unauthenticated', () => {
    expect(isAuthenticatedStatus(samples.silentStatus)).toBe(false);
    expect(isUnauthenticatedStatus(samples.silentStatus)).toBe(false);
  });

  it('narrows the message type for the statechart', () => {
    const message: ServerMessage = samples.heartbeat;
    if (isHeartbeat(message)) expect(message.hb).toBe(1772190537535);
    const status: ServerMessage = samples.competing;
    if (isCompetingStatus(status)) expect(status.competing).toBe(true);
  });
});
