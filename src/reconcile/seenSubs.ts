import { COGNITO_SUB } from '../constants.js';
/**
 * The set of `sub`s a reconcile run has seen, kept small enough for a million users. A
 * `sub` is a UUID: it is stored as its 16 bytes in an open-addressing table (at most half
 * full) instead of as a string in a `Set`, which costs about ten times as much. Anything that
 * is not a UUID goes to an ordinary `Set`.
 *
 * Cost: 17 bytes a slot, slots a power of two at least twice the entries. For a million
 * users that is 36 MB held and 54 MB at the peak, while the table doubles (old and new
 * side by side); past 1,048,576 users the next doubling peaks at 107 MB.
 *
 * @internal
 */
export class SeenSubs {
  #words: Uint32Array;
  #used: Uint8Array;
  #size = 0;
  #peakBytes = 0;
  readonly #others = new Set<string>();
  readonly #scratch = new Uint32Array(4);

  constructor(initialSlots = 1024) {
    const slots = 2 ** Math.ceil(Math.log2(Math.max(16, initialSlots)));
    this.#words = new Uint32Array(slots * 4);
    this.#used = new Uint8Array(slots);
    this.#peakBytes = this.bytes;
  }

  /** How many distinct subs it holds. */
  get size(): number {
    return this.#size + this.#others.size;
  }

  /** Bytes held by the packed table (the fallback `Set` not counted). */
  get bytes(): number {
    return this.#words.byteLength + this.#used.byteLength;
  }

  /** The most bytes the packed table held at once, counting both tables while it grew. */
  get peakBytes(): number {
    return this.#peakBytes;
  }

  add(sub: string): void {
    const words = uuidWords(sub, this.#scratch);
    if (words === undefined) {
      this.#others.add(sub);
      return;
    }
    if ((this.#size + 1) * 2 > this.#used.length) this.#grow();
    if (this.#insert(words)) this.#size += 1;
  }

  has(sub: string): boolean {
    const words = uuidWords(sub, this.#scratch);
    if (words === undefined) return this.#others.has(sub);
    const mask = this.#used.length - 1;
    for (let slot = hash(words) & mask; this.#used[slot] === 1; slot = (slot + 1) & mask) {
      if (this.#matches(slot, words)) return true;
    }
    return false;
  }

  #insert(words: Uint32Array): boolean {
    const mask = this.#used.length - 1;
    let slot = hash(words) & mask;
    for (; this.#used[slot] === 1; slot = (slot + 1) & mask) {
      if (this.#matches(slot, words)) return false;
    }
    this.#used[slot] = 1;
    this.#words.set(words, slot * 4);
    return true;
  }

  #matches(slot: number, words: Uint32Array): boolean {
    const at = slot * 4;
    const stored = this.#words;
    return stored[at] === words[0] && stored[at + 1] === words[1] && stored[at + 2] === words[2] && stored[at + 3] === words[3];
  }

  #grow(): void {
    const oldWords = this.#words;
    const oldUsed = this.#used;
    this.#words = new Uint32Array(oldWords.length * 2);
    this.#used = new Uint8Array(oldUsed.length * 2);
    this.#peakBytes = Math.max(this.#peakBytes, this.bytes + oldWords.byteLength + oldUsed.byteLength);
    for (let slot = 0; slot < oldUsed.length; slot += 1) {
      if (oldUsed[slot] === 1) this.#insert(oldWords.subarray(slot * 4, slot * 4 + 4));
    }
  }
}

/** The UUID's 128 bits as four words (in `scratch`, copied on insert), or `undefined`. */
function uuidWords(sub: string, scratch: Uint32Array): Uint32Array | undefined {
  if (sub.length !== 36 || !COGNITO_SUB.test(sub)) return undefined;
  const hex = sub.replaceAll('-', '');
  for (let index = 0; index < 4; index += 1) scratch[index] = Number.parseInt(hex.slice(index * 8, index * 8 + 8), 16);
  return scratch;
}

function hash(words: Uint32Array): number {
  let h = Math.imul(words[0]! ^ 0x9e3779b9, 0x85ebca6b);
  h = Math.imul(h ^ words[1]! ^ (h >>> 13), 0xc2b2ae35);
  h = Math.imul(h ^ words[2]! ^ (h >>> 16), 0x85ebca6b);
  return (h ^ words[3]! ^ (h >>> 13)) >>> 0;
}
