/**
 * Raw commands asked for while no socket is authenticated wait here, bounded, and go out in order once one is.
 * Subscriptions never wait here: they are desired state and are re-sent from the registry on every `onReady`.
 */
import { IbkrWsError } from '../errors.js';
import type { ClientCommand } from '../protocol/types.js';

interface QueuedCommands {
  readonly commands: readonly ClientCommand[];
  readonly sent: () => void;
  readonly rejected: (error: IbkrWsError) => void;
}

export class CommandQueue {
  readonly #capacity: number;
  readonly #entries: QueuedCommands[] = [];
  #size = 0;

  constructor(capacity: number) {
    this.#capacity = capacity;
  }

  get size(): number {
    return this.#size;
  }

  /** Queues the commands; on overflow nothing is queued and `rejected` is called at once with `queue-overflow`. */
  enqueue(commands: readonly ClientCommand[], sent: () => void, rejected: (error: IbkrWsError) => void): boolean {
    if (this.#size + commands.length > this.#capacity) {
      rejected(
        new IbkrWsError(
          'queue-overflow',
          `${commands.length} raw command(s) refused: ${this.#size} already wait for an authenticated socket (commandQueueSize ${this.#capacity})`,
        ),
      );
      return false;
    }
    this.#entries.push({ commands, sent, rejected });
    this.#size += commands.length;
    return true;
  }

  /** Everything queued, oldest first, and whom to tell once it went out. */
  peek(): { commands: ClientCommand[]; confirm: () => void } {
    const entries = [...this.#entries];
    return {
      commands: entries.flatMap((entry) => entry.commands),
      confirm: () => {
        this.#entries.splice(0, entries.length);
        this.#size -= entries.reduce((total, entry) => total + entry.commands.length, 0);
        for (const entry of entries) entry.sent();
      },
    };
  }

  rejectAll(error: IbkrWsError): void {
    const entries = this.#entries.splice(0);
    this.#size = 0;
    for (const entry of entries) entry.rejected(error);
  }
}
