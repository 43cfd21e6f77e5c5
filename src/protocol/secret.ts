/**
 * A value that must never be printed: the tickle `session`, cookies.
 *
 * The session value travels through the statechart's context, which the inspector serialises and users log. Wrapping
 * it makes redaction the default rather than a discipline: JSON, `util.inspect`, string coercion and template literals
 * all print `[redacted]`. Only `reveal()` gives the value, and only adapters that put it on the wire call it.
 */
const REDACTED = '[redacted]';

export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  /** The real value, for the wire only (the `Cookie` header, the `{"session":…}` frame). */
  reveal(): string {
    return this.#value;
  }

  /** Compares without revealing: used to detect a rotated session. */
  equals(other: Secret | undefined): boolean {
    return other !== undefined && other.#value === this.#value;
  }

  toJSON(): string {
    return REDACTED;
  }

  toString(): string {
    return REDACTED;
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return REDACTED;
  }
}

export const REDACTED_TEXT = REDACTED;
