/**
 * Mutants of the connection statechart, built from its own config with one rule changed: a test that runs one must
 * fail, which proves the test can see the defect the rule prevents.
 */
import { assign, createMachine } from 'xstate';
import { connectionMachine } from '../../../machines/index.js';

type Config = Record<string, unknown> & { states: Record<string, Config> };

/** The probe timeout condemns at once, in the timers phase that fired it, without reading the socket first. */
export function judgeWithoutReading(): typeof connectionMachine {
  const root = connectionMachine.config as unknown as Config;
  const socket = root.states['socket']!;
  const ready = socket.states['ready']!;
  const lingering = ready.states['lingering-detected']!;
  const probing = lingering.states['probing']!;
  const mutatedLingering: Config = {
    ...lingering,
    states: {
      ...lingering.states,
      probing: {
        ...probing,
        after: { probeTimeout: { target: 'condemned', actions: assign({ lastReason: 'probe-timeout' }) } },
      },
    },
  };
  const mutated: Config = {
    ...root,
    states: {
      ...root.states,
      socket: {
        ...socket,
        states: {
          ...socket.states,
          ready: { ...ready, states: { ...ready.states, 'lingering-detected': mutatedLingering } },
        },
      },
    },
  };
  return createMachine(
    mutated as never,
    connectionMachine.implementations as never,
  ) as unknown as typeof connectionMachine;
}
