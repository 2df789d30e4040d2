import type { Clock, TimerHandle } from '@codesight/schema';

/**
 * Named one-shot timers on an injected {@link Clock}. Setting a name replaces its pending timer, and a
 * due timer hands its task to `run` (the engine's serial queue) instead of calling it directly.
 */
export class TimerSet<Name extends string> {
  private readonly handles = new Map<Name, TimerHandle>();

  constructor(
    private readonly clock: Clock,
    private readonly run: (task: () => Promise<void> | void) => void,
  ) {}

  set(name: Name, ms: number, task: () => Promise<void> | void): void {
    this.clear(name);
    const handle = this.clock.setTimeout(
      () => {
        if (this.handles.get(name) !== handle) return;
        this.handles.delete(name);
        this.run(task);
      },
      Math.max(0, ms),
    );
    this.handles.set(name, handle);
  }

  has(name: Name): boolean {
    return this.handles.has(name);
  }

  clear(name: Name): void {
    const handle = this.handles.get(name);
    if (handle === undefined) return;
    this.clock.clearTimeout(handle);
    this.handles.delete(name);
  }

  clearAll(): void {
    for (const name of [...this.handles.keys()]) this.clear(name);
  }
}
