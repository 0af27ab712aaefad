import { uuidv7 } from 'uuidv7';

/** A time-ordered unique id (UUIDv7), made where the fact happens, online or not. */
export function newId(): string {
  return uuidv7();
}
