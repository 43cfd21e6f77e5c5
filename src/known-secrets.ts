/**
 * The secret values this client has seen (the last few session values) plus any other source of them (the OAuth
 * path's tokens): the redactor scrubs every one of them from any text it is given.
 */
export class KnownSecrets {
  readonly #sessions: string[] = [];
  readonly #others: () => readonly string[];

  constructor(others: () => readonly string[] = () => []) {
    this.#others = others;
  }

  /** Keeps the last few: a rotated session value may still appear in a late log line. */
  remember(value: string): void {
    if (!this.#sessions.includes(value)) this.#sessions.push(value);
    if (this.#sessions.length > 4) this.#sessions.shift();
  }

  all(): readonly string[] {
    const others = this.#others();
    return others.length === 0 ? this.#sessions : [...this.#sessions, ...others];
  }
}
