/**
 * Puts the bridge's messages on NATS with the contract's headers. Last-value topics (quotes, P&L, summaries, ledgers,
 * books) are core publishes that the last-value stream captures: nothing to await, and skipped while NATS is down —
 * the latest value per key is kept and re-published after a gap when it is back. Orders and trades go through the
 * outbox as JetStream publishes with `Nats-Msg-Id`, in order, one at a time, retried until stored.
 * `Ibkr-Seq` is counted per key at the moment a message really goes out, so it is contiguous within a run.
 * The body ends with the same `bridge` and `seq` as the headers: a consumer that parses the body has them for free,
 * and one in nats.js that skips `msg.headers` saves its header decoding, which costs about as much as parsing the
 * whole body (docs/BENCHMARKS.md, "Bridge").
 */
import type { MsgHdrs } from '@nats-io/transport-node';
import { ContractHeaders } from './contract-headers.js';
import { WIRE_VERSION, type GapBody } from './contract.js';
import type { NatsLink } from './nats-link.js';
import { Outbox, type Body, type OutboxEntry } from './outbox.js';

interface LastValue {
  readonly subject: string;
  readonly kind: string;
  readonly body: Body;
}

export interface PublisherCounters {
  published: number;
  gaps: number;
  /** Last values not published because NATS was down (superseded by the re-publish after the gap). */
  skippedWhileDown: number;
  outboxDropped: number;
  publishErrors: number;
}

export class Publisher {
  readonly #link: NatsLink;
  readonly #run: string;
  readonly #seq = new Map<string, number>();
  readonly #last = new Map<string, LastValue>();
  readonly #outbox: Outbox;
  readonly #encoder = new TextEncoder();
  readonly #onOverflow: (key: string, lost: number) => void;
  #flushing = false;
  #stopped = false;
  readonly counters: PublisherCounters = {
    published: 0,
    gaps: 0,
    skippedWhileDown: 0,
    outboxDropped: 0,
    publishErrors: 0,
  };

  constructor(link: NatsLink, run: string, outboxSize: number, onOverflow: (key: string, lost: number) => void) {
    this.#link = link;
    this.#run = run;
    this.#outbox = new Outbox(outboxSize);
    this.#onOverflow = onOverflow;
  }

  get outboxSize(): number {
    return this.#outbox.size;
  }

  /** A last value (or a gap on a last-value subject): published now if NATS is up, always remembered. */
  value(key: string, subject: string, kind: string, body: Body): void {
    this.#last.set(key, { subject, kind, body });
    const resources = this.#link.resources;
    if (resources === undefined) {
      this.counters.skippedWhileDown++;
      return;
    }
    try {
      const seq = this.#nextSeq(key);
      resources.nc.publish(subject, this.#encode(body, seq), { headers: this.#headers(kind, key, seq) });
      this.counters.published++;
      if (kind === 'gap') this.counters.gaps++;
    } catch {
      this.counters.publishErrors++;
    }
  }

  /** An order or trade message (or a gap on those subjects): queued, stored exactly once, in order. */
  event(key: string, subject: string, kind: string, body: Body): void {
    this.#eventSubjects.set(key, subject);
    if (this.#outbox.push({ key, subject, kind, body }) > 0) this.counters.outboxDropped++;
    void this.flush();
  }

  gapBody(key: string, reason: string, missed?: number): GapBody {
    return { v: WIRE_VERSION, kind: 'gap', key, reason, at: Date.now(), ...(missed === undefined ? {} : { missed }) };
  }

  /** NATS is back: a gap on every last-value key, then its latest value again; then the outbox drains. */
  republish(reason: string): void {
    for (const [key, last] of [...this.#last]) {
      this.value(key, last.subject, 'gap', this.gapBody(key, reason));
      if (last.kind !== 'gap') this.value(key, last.subject, last.kind, last.body);
    }
    void this.flush();
  }

  /** The key is no longer streamed: nothing to re-publish for it. */
  forget(key: string): void {
    this.#last.delete(key);
  }

  /** One JetStream publish at a time, so the stream keeps the order; stops while NATS is down, resumes on up. */
  async flush(): Promise<void> {
    if (this.#flushing) return;
    this.#flushing = true;
    try {
      while (!this.#stopped) {
        const resources = this.#link.resources;
        if (resources === undefined) return;
        const entry = this.#next();
        if (entry === undefined) return;
        try {
          await resources.js.publish(entry.subject, this.#encode(entry.body, entry.seq!), {
            msgID: `${this.#run}-${entry.key}-${entry.seq}`,
            headers: this.#headers(entry.kind, entry.key, entry.seq!),
          });
          this.#outbox.shift();
          this.counters.published++;
          if (entry.kind === 'gap') this.counters.gaps++;
        } catch {
          this.counters.publishErrors++;
          await new Promise((resolve) => setTimeout(resolve, 250));
        }
      }
    } finally {
      this.#flushing = false;
    }
  }

  /** The head of the outbox with its seq assigned; a loss announced first (as its own gap entry). */
  #next(): OutboxEntry | undefined {
    for (const key of this.#outbox.orphanedLosses()) this.#announceLoss(key, this.#outbox.takeLost(key));
    const head = this.#outbox.peek();
    if (head === undefined || head.seq !== undefined) return head;
    const lost = this.#outbox.takeLost(head.key);
    if (lost > 0) {
      // Put the gap in front of the head: it takes the next seq, the head the one after.
      this.#announceLoss(head.key, lost, head);
      return this.#outbox.peek();
    }
    head.seq = this.#nextSeq(head.key);
    return head;
  }

  #announceLoss(key: string, lost: number, before?: OutboxEntry): void {
    this.#onOverflow(key, lost);
    const subject = before?.subject ?? this.#eventSubjects.get(key);
    if (subject === undefined) return;
    // The seq is assigned when the gap reaches the head, like any entry; it is marked as already announced.
    const gap: OutboxEntry = { key, subject, kind: 'gap', body: this.gapBody(key, 'outbox-overflow', lost) };
    if (before === undefined) {
      this.#outbox.append(gap);
      return;
    }
    gap.seq = this.#nextSeq(key);
    this.#outbox.unshift(gap);
    before.seq = this.#nextSeq(key);
  }

  readonly #eventSubjects = new Map<string, string>();

  #nextSeq(key: string): number {
    const seq = (this.#seq.get(key) ?? 0) + 1;
    this.#seq.set(key, seq);
    return seq;
  }

  /** The body's JSON with `"bridge"` and `"seq"` last; every body is a plain object, so its JSON ends with `}`. */
  #encode(body: Body, seq: number): Uint8Array {
    const json = typeof body === 'string' ? body : JSON.stringify(body);
    const tail = `"bridge":"${this.#run}","seq":${seq}}`;
    return this.#encoder.encode(json.length > 2 ? `${json.slice(0, -1)},${tail}` : `{${tail}`);
  }

  #headers(kind: string, key: string, seq: number): MsgHdrs {
    return new ContractHeaders(kind, key, this.#run, seq);
  }

  stop(): void {
    this.#stopped = true;
  }
}
