// A minimal event registry for the simulated browser objects (their events carry plain objects,
// as the structural interfaces in web-devices.ts expect).

export class Listeners<Event> {
  readonly #byType = new Map<string, Set<(event: Event) => void>>();

  add(type: string, listener: (event: Event) => void): void {
    let set = this.#byType.get(type);
    if (!set) this.#byType.set(type, (set = new Set()));
    set.add(listener);
  }

  remove(type: string, listener: (event: Event) => void): void {
    this.#byType.get(type)?.delete(listener);
  }

  emit(type: string, event: Event): void {
    for (const listener of [...(this.#byType.get(type) ?? [])]) listener(event);
  }
}

/** The errors browsers reject with, by DOMException name. */
export function domError(name: 'NotFoundError' | 'InvalidStateError' | 'NetworkError' | 'AbortError' | 'SecurityError', message: string): DOMException {
  return new DOMException(message, name);
}
