/**
 * A tap on what the adapters do, for the flight recorder and for telemetry: every REST call, every socket's opening
 * and closing, and (when asked) every frame. The adapters call it; the client fans it out to whoever asked. Nothing
 * here is ever given a secret: paths carry no query string, frames carry their kind and size, and a frame's text is
 * handed over only to a tap that asks for it (`framePayloads`), already redacted by the wire redactor.
 *
 * Every hook is optional and the adapters check for it once per call, so a client with no tap pays one property read
 * per frame.
 */

export interface RestCallRecord {
  readonly method: 'GET' | 'POST';
  /** The path only (`/v1/api/tickle`): no host, no query string. */
  readonly path: string;
  /** The HTTP status, when an answer came. */
  readonly status?: number;
  /** The typed error code when no usable answer came (`timeout`, `network`, `tls-certificate`, …). */
  readonly errorCode?: string;
  /** When the request was sent (epoch ms) and how long until its outcome. */
  readonly startedAt: number;
  readonly durationMs: number;
}

export interface SocketLifecycleRecord {
  readonly socketId: number;
  readonly at: number;
}

export interface SocketClosedRecord extends SocketLifecycleRecord {
  readonly code: number;
  readonly reason: string;
}

export interface FrameRecord {
  readonly direction: 'in' | 'out';
  readonly socketId: number;
  /** The decoded kind (`smd`, `heartbeat`, `system-success`, …), the command's op (`subscribe`, `tic`, …), or `undecodable`. */
  readonly kind: string;
  /** The topic, when the frame has one (`smd+265598`, `sor`, …). */
  readonly topic?: string;
  readonly bytes: number;
  readonly at: number;
  /** The frame's text with secrets redacted: only for a tap with `framePayloads: true`. */
  readonly text?: string;
}

export interface ConnectionDiagnostics {
  /** Set to receive `FrameRecord.text` (costs one redaction per frame). */
  readonly framePayloads?: boolean;
  restCall?(record: RestCallRecord): void;
  socketOpening?(record: SocketLifecycleRecord): void;
  socketOpened?(record: SocketLifecycleRecord): void;
  socketClosed?(record: SocketClosedRecord): void;
  frame?(record: FrameRecord): void;
}

/**
 * One tap over many: the client hands the adapters this, so they never loop over sinks themselves. A sink that throws
 * is the sink's bug; it is reported through `onSinkError` and never reaches the adapter that was reporting.
 */
export function fanOutDiagnostics(
  sinks: readonly ConnectionDiagnostics[],
  onSinkError: (error: unknown) => void,
): ConnectionDiagnostics | undefined {
  if (sinks.length === 0) return undefined;
  const each = <K extends Exclude<keyof ConnectionDiagnostics, 'framePayloads'>>(key: K) => {
    const hooks = sinks.filter((sink) => sink[key] !== undefined);
    if (hooks.length === 0) return undefined;
    return (record: Parameters<NonNullable<ConnectionDiagnostics[K]>>[0]) => {
      for (const sink of hooks) {
        try {
          (sink[key] as (value: typeof record) => void).call(sink, record);
        } catch (error) {
          onSinkError(error);
        }
      }
    };
  };
  return compact({
    framePayloads: sinks.some((sink) => sink.framePayloads === true),
    restCall: each('restCall'),
    socketOpening: each('socketOpening'),
    socketOpened: each('socketOpened'),
    socketClosed: each('socketClosed'),
    frame: each('frame'),
  });
}

function compact(diagnostics: {
  [K in keyof ConnectionDiagnostics]: ConnectionDiagnostics[K] | undefined;
}): ConnectionDiagnostics {
  const result: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(diagnostics)) if (value !== undefined) result[key] = value;
  return result as ConnectionDiagnostics;
}
