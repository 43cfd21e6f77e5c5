/**
 * The client's life told on NATS: `evt.<type>` core messages (not stored) and the KV state bucket (`connection`,
 * `bridge`), which a consumer reads or watches to know whether the data can be trusted right now. Puts made while NATS
 * is down are not queued one by one: the latest value of each key is put again when the link is up.
 */
import { HEADERS, WIRE_VERSION, type BridgeNames, type ConnectionStateValue } from './contract.js';
import type { NatsLink } from './nats-link.js';
import { headers } from '@nats-io/transport-node';

export class Lifecycle {
  readonly #link: NatsLink;
  readonly #names: BridgeNames;
  readonly #run: string;
  readonly #encoder = new TextEncoder();
  readonly #state = new Map<string, string>();

  constructor(link: NatsLink, names: BridgeNames, run: string) {
    this.#link = link;
    this.#names = names;
    this.#run = run;
  }

  /** `evt.<type>`: dropped while NATS is down (events are hints; KV and in-band gaps carry the truth). */
  event(type: string, fields: Readonly<Record<string, unknown>>): void {
    const resources = this.#link.resources;
    if (resources === undefined) return;
    const h = headers();
    h.set(HEADERS.bridge, this.#run);
    h.set(HEADERS.kind, type);
    try {
      resources.nc.publish(
        this.#names.evt(type),
        this.#encoder.encode(JSON.stringify({ v: WIRE_VERSION, type, bridge: this.#run, ...fields })),
        { headers: h },
      );
    } catch {
      // The connection closed under us: the KV value and the gaps after reconnect tell the rest.
    }
  }

  connection(value: ConnectionStateValue): void {
    this.put('connection', { v: WIRE_VERSION, ...value });
  }

  put(key: string, value: Readonly<Record<string, unknown>>): void {
    const text = JSON.stringify(value);
    this.#state.set(key, text);
    const resources = this.#link.resources;
    if (resources === undefined) return;
    void resources.state.put(key, this.#encoder.encode(text)).catch(() => undefined);
  }

  /** NATS is (back) up: every state key as it is now. */
  async flush(): Promise<void> {
    const resources = this.#link.resources;
    if (resources === undefined) return;
    await Promise.all(
      [...this.#state].map(([key, text]) =>
        resources.state.put(key, this.#encoder.encode(text)).catch(() => undefined),
      ),
    );
  }
}
