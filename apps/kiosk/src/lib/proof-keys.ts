// The server's proof-verification keys, kept in this browser: fetched from the well-known URL
// whenever the network allows, and read from storage when it does not, so that /verify works
// offline after one online visit. (The key is made when a server first starts, so it cannot be
// built into the app.)
import { base64UrlDecode } from '@opencme/core';

const STORAGE_KEY = 'opencme.proofKeys';
const WELL_KNOWN = '/.well-known/opencme-proof-keys.json';

interface Stored {
  keys: { keyId: string; publicKey: string }[];
  savedAt: string;
}

export interface ProofKeys {
  keys: Uint8Array[];
  /** When the keys were saved here; null when this browser has none. */
  savedAt: string | null;
  /** Whether they were just refreshed from the server. */
  fresh: boolean;
}

function read(): Stored | null {
  try {
    const raw = localStorage.getItem(STORAGE_KEY);
    return raw ? (JSON.parse(raw) as Stored) : null;
  } catch {
    return null;
  }
}

function decode(stored: Stored | null, fresh: boolean): ProofKeys {
  if (!stored) return { keys: [], savedAt: null, fresh };
  return { keys: stored.keys.map((k) => base64UrlDecode(k.publicKey)), savedAt: stored.savedAt, fresh };
}

export async function loadProofKeys(): Promise<ProofKeys> {
  try {
    const res = await fetch(WELL_KNOWN, { cache: 'no-store' });
    if (!res.ok) throw new Error(String(res.status));
    const body = (await res.json()) as { keys: Stored['keys'] };
    // Keys once seen are kept: a proof signed before a key rotation must still verify offline.
    const known = read()?.keys ?? [];
    const merged = [...body.keys, ...known.filter((k) => !body.keys.some((b) => b.keyId === k.keyId))];
    const stored: Stored = { keys: merged, savedAt: new Date().toISOString() };
    localStorage.setItem(STORAGE_KEY, JSON.stringify(stored));
    return decode(stored, true);
  } catch {
    return decode(read(), false);
  }
}
