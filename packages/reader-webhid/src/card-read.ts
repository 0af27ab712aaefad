// What a reader hands the kiosk: one card presented once, with the moment it was read.
import type { IdentityCard } from './identity.ts';

export type CardRead =
  | {
      kind: 'id-card';
      identity: IdentityCard;
      /** The card's 1024-byte WLT photo, undecoded: the kiosk shows the registry photo. */
      photo: Uint8Array;
      readAt: Date;
    }
  | {
      kind: 'ic-card';
      /** Canonical upper-case hex. */
      uid: string;
      readAt: Date;
    };

export type CardReadListener = (read: CardRead) => void;
