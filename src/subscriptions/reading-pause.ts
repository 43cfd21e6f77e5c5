/**
 * One socket, many consumers that may each need it paused: reading pauses when the first consumer asks and resumes
 * when the last one lets go. A counter rather than a flag, so one consumer draining cannot resume reading while
 * another is still full.
 */
export class ReadingPause {
  readonly #pauseReading: (paused: boolean) => void;
  #holders = 0;

  constructor(pauseReading: (paused: boolean) => void) {
    this.#pauseReading = pauseReading;
  }

  get paused(): boolean {
    return this.#holders > 0;
  }

  hold(): void {
    this.#holders += 1;
    if (this.#holders === 1) this.#pauseReading(true);
  }

  release(): void {
    if (this.#holders === 0) return;
    this.#holders -= 1;
    if (this.#holders === 0) this.#pauseReading(false);
  }
}
