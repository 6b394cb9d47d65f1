/**
 * The keys (offsets, or event ids from servers without offsets) of the events this page has
 * handed on, to drop repeats: a gateway retry, a resume overlapping live delivery, a replay
 * overlapping a resume. Bounded so a page left open for days does not grow without limit; the
 * oldest keys go first, and by then their events are far below the position a resume asks for.
 */
export class SeenSet<K> {
  private readonly keys = new Set<K>();

  constructor(private readonly limit = 50_000) {}

  /** Adds key; false when it was already there. */
  add(key: K): boolean {
    if (this.keys.has(key)) return false;
    this.keys.add(key);
    if (this.keys.size > this.limit) {
      const oldest = this.keys.values().next();
      if (!oldest.done) this.keys.delete(oldest.value);
    }
    return true;
  }

  has(key: K): boolean {
    return this.keys.has(key);
  }
}
