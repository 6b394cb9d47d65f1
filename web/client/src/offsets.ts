/**
 * Tracks the client's position in the user's stream: the highest offset at and below which
 * nothing is missing. Offsets are recorded as a set, not as "the highest seen", because two
 * concurrent emits for one user may deliver out of offset order: an offset below the highest
 * may still be on its way, and that hole is what a resume must fill.
 */
export class OffsetTracker {
  /** Highest offset at and below which everything is handled (or known not to exist). */
  position: number;
  /** Handled offsets above position; they fold into position as the holes below them fill. */
  private readonly above = new Set<number>();

  constructor(position = 0) {
    this.position = position;
  }

  /** Records offset as received. */
  record(offset: number): void {
    if (offset <= this.position) return;
    this.above.add(offset);
    this.fold();
  }

  /** Whether a handled offset sits above a hole, i.e. some offset in between is missing. */
  hasGap(): boolean {
    return this.above.size > 0;
  }

  /**
   * Moves position to at least through: the server said everything up to it has been sent
   * (offsets may skip, so the holes below it will never fill).
   */
  advanceTo(through: number): void {
    if (through <= this.position) return;
    this.position = through;
    for (const o of this.above) if (o <= through) this.above.delete(o);
    this.fold();
  }

  private fold(): void {
    while (this.above.delete(this.position + 1)) this.position++;
  }
}
