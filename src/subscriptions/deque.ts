/**
 * A growable ring buffer: O(1) push, shift and unshift without the O(n) copy of `Array#shift`, which matters for a
 * never-drop buffer of a thousand order updates read one at a time.
 */
export class Deque<T> {
  #items: Array<T | undefined>;
  #head = 0;
  #length = 0;

  constructor(initialCapacity = 8) {
    this.#items = new Array<T | undefined>(Math.max(2, initialCapacity));
  }

  get length(): number {
    return this.#length;
  }

  push(item: T): void {
    if (this.#length === this.#items.length) this.#grow();
    this.#items[(this.#head + this.#length) % this.#items.length] = item;
    this.#length += 1;
  }

  unshift(item: T): void {
    if (this.#length === this.#items.length) this.#grow();
    this.#head = (this.#head - 1 + this.#items.length) % this.#items.length;
    this.#items[this.#head] = item;
    this.#length += 1;
  }

  shift(): T | undefined {
    if (this.#length === 0) return undefined;
    const item = this.#items[this.#head];
    this.#items[this.#head] = undefined;
    this.#head = (this.#head + 1) % this.#items.length;
    this.#length -= 1;
    return item;
  }

  peekLast(): T | undefined {
    return this.#length === 0 ? undefined : this.#items[(this.#head + this.#length - 1) % this.#items.length];
  }

  clear(): void {
    this.#items = new Array<T | undefined>(this.#items.length);
    this.#head = 0;
    this.#length = 0;
  }

  #grow(): void {
    const grown = new Array<T | undefined>(this.#items.length * 2);
    for (let index = 0; index < this.#length; index++)
      grown[index] = this.#items[(this.#head + index) % this.#items.length];
    this.#items = grown;
    this.#head = 0;
  }
}
