/**
 * What the simulator saw: one record per connection with its client frames, the counters, and the events tests and
 * users wait on. Bounded: a long-running simulator keeps the newest connections and the first frames of each.
 */
import { EventEmitter } from 'node:events';
import type {
  ClientFrameRecord,
  ConnectionRecord,
  SimulatorCounters,
  SimulatorEventName,
  SimulatorEvents,
} from './types.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

interface ConnectionEntry extends Omit<Mutable<ConnectionRecord>, 'frames'> {
  frames: ClientFrameRecord[];
}

const DEFAULT_WAIT_MS = 5_000;

export class TrafficRecord {
  readonly counters: Mutable<SimulatorCounters> = {
    connections: 0,
    clientFrames: 0,
    droppedBeforeGreeting: 0,
    topicUnknown: 0,
    serverFrames: 0,
    heartbeats: 0,
    restRequests: 0,
    tickles: 0,
    failedTickles: 0,
    brokerageSessionsLost: 0,
  };
  readonly #emitter = new EventEmitter();
  readonly #open = new Map<number, ConnectionEntry>();
  readonly #closed: ConnectionEntry[] = [];
  readonly #pendingWaits = new Set<(error: Error) => void>();
  readonly #framesPerConnection: number;
  readonly #closedToKeep: number;
  #nextId = 1;

  constructor(limits: { recordedFramesPerConnection: number; recordedConnections: number }) {
    this.#framesPerConnection = limits.recordedFramesPerConnection;
    this.#closedToKeep = limits.recordedConnections;
    // Any number of tests may listen; the default cap of 10 would only print a warning.
    this.#emitter.setMaxListeners(0);
  }

  openConnection(path: string): number {
    const id = this.#nextId++;
    this.counters.connections += 1;
    this.#open.set(id, {
      id,
      path,
      openedAt: Date.now(),
      closedAt: undefined,
      closeCode: undefined,
      frames: [],
      framesNotRecorded: 0,
    });
    this.emit('connection', { connectionId: id, path });
    return id;
  }

  closeConnection(id: number, code: number): void {
    const entry = this.#open.get(id);
    if (entry === undefined) return;
    this.#open.delete(id);
    entry.closedAt = Date.now();
    entry.closeCode = code;
    this.#closed.push(entry);
    if (this.#closed.length > this.#closedToKeep) this.#closed.shift();
    this.emit('disconnect', { connectionId: id, code });
  }

  recordClientFrame(frame: ClientFrameRecord): void {
    this.counters.clientFrames += 1;
    if (frame.outcome === 'dropped-before-greeting') this.counters.droppedBeforeGreeting += 1;
    if (frame.outcome === 'topic-unknown') this.counters.topicUnknown += 1;
    const entry = this.#open.get(frame.connectionId);
    if (entry !== undefined) {
      if (entry.frames.length < this.#framesPerConnection) entry.frames.push(frame);
      else entry.framesNotRecorded += 1;
    }
    this.emit('client-frame', frame);
  }

  get connections(): readonly ConnectionRecord[] {
    const all = [...this.#closed, ...this.#open.values()].sort((a, b) => a.id - b.id);
    return all.map((entry) => ({ ...entry, frames: [...entry.frames] }));
  }

  emit<E extends SimulatorEventName>(event: E, payload: SimulatorEvents[E]): void {
    this.#emitter.emit(event, payload);
  }

  on<E extends SimulatorEventName>(event: E, listener: (payload: SimulatorEvents[E]) => void): () => void {
    const wrapped = (payload: SimulatorEvents[E]): void => listener(payload);
    this.#emitter.on(event, wrapped);
    return () => {
      this.#emitter.off(event, wrapped);
    };
  }

  waitForClientFrame(
    predicate: (frame: ClientFrameRecord) => boolean = () => true,
    timeoutMs = DEFAULT_WAIT_MS,
  ): Promise<ClientFrameRecord> {
    return new Promise((resolve, reject) => {
      const finish = (): void => {
        clearTimeout(timer);
        stopListening();
        this.#pendingWaits.delete(fail);
      };
      const fail = (error: Error): void => {
        finish();
        reject(error);
      };
      const timer = setTimeout(() => fail(new Error(`no matching client frame within ${timeoutMs} ms`)), timeoutMs);
      const stopListening = this.on('client-frame', (frame) => {
        if (!predicate(frame)) return;
        finish();
        resolve(frame);
      });
      this.#pendingWaits.add(fail);
    });
  }

  /** Rejects pending waits and drops listeners: nothing may hold the process after close(). */
  dispose(): void {
    for (const fail of [...this.#pendingWaits]) fail(new Error('the simulator was closed'));
    this.#emitter.removeAllListeners();
  }
}
