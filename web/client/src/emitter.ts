/** A minimal typed event emitter, so the package needs no runtime dependency. */
export class Emitter<Events extends { [name: string]: unknown[] }> {
  private readonly listeners: { [E in keyof Events]?: Set<(...args: Events[E]) => void> } = {};

  /** Adds a listener; the returned function removes it. */
  on<E extends keyof Events>(name: E, listener: (...args: Events[E]) => void): () => void {
    (this.listeners[name] ??= new Set()).add(listener);
    return () => this.listeners[name]?.delete(listener);
  }

  protected emit<E extends keyof Events>(name: E, ...args: Events[E]): void {
    for (const l of this.listeners[name] ?? []) {
      try {
        l(...args);
      } catch (err) {
        // A page's broken listener must not stop delivery to the others, nor kill the socket.
        queueMicrotask(() => {
          throw err;
        });
      }
    }
  }
}
