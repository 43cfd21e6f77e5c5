/**
 * What the client does with what its socket reports: data messages to the subscription hub, frames and bytes to the
 * counters, an undecodable frame counted and reported (the stream goes on), the live socket kept for sending, and
 * each teardown remembered so that `stop()` can wait for the TCP socket to be really gone.
 */
import { IbkrWsError } from './errors.js';
import type { RedactingLogger } from './logger.js';
import type { Metrics } from './metrics.js';
import type { LiveSocket, SocketObserver } from './adapters/socket-actor.js';
import type { SubscriptionHub } from './subscriptions/index.js';

export interface ClientSocketDeps {
  readonly metrics: Metrics;
  readonly logger: RedactingLogger;
  readonly hub: Pick<SubscriptionHub, 'onMessage'>;
  /** An undecodable frame: an `error` event, not counted again as a client error (its code is a protocol code). */
  emitError(error: IbkrWsError): void;
  reportError(error: IbkrWsError): void;
  setLiveSocket(live: LiveSocket | undefined): void;
  /** Settles once each torn-down socket is closed; entries remove themselves. */
  readonly teardowns: Set<Promise<void>>;
}

export function clientSocketObserver(deps: ClientSocketDeps): SocketObserver {
  const { metrics, logger, hub, teardowns } = deps;
  return {
    onData: (message) => {
      metrics.dataMessages++;
      if (message.kind === 'error') {
        metrics.errorFrames++;
        logger.log('warn', 'the gateway sent an error frame', { code: message.code, topic: message.topic });
      }
      hub.onMessage(message);
    },
    onProtocolError: (error) => {
      metrics.countProtocolError(error.code);
      logger.log('warn', `undecodable frame dropped: ${error.message}`, { code: error.code });
      deps.emitError(new IbkrWsError(error.code, error.message));
    },
    onFrameIn: (byteLength) => {
      metrics.framesIn++;
      metrics.bytesIn += byteLength;
    },
    onFrameOut: (byteLength) => {
      metrics.framesOut++;
      metrics.bytesOut += byteLength;
    },
    onSocketChange: (live) => deps.setLiveSocket(live),
    onTransportError: (error) => deps.reportError(error),
    onTeardown: (closed) => {
      teardowns.add(closed);
      void closed.then(() => teardowns.delete(closed));
    },
  };
}
