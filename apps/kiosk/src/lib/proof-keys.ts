// The server's proof-verification keys, kept in this browser: fetched from the well-known URL
// whenever the network allows, and read from storage when it does not, so that /verify works
// offline after one online visit. (The key is made when a server first starts, so it cannot be
// built into the app.) Each key carries its validity: a key the server has withdrawn arrives
// marked so the next time this page is online, and from then on verifies nothing here either.
import { type PublishedProofKey, publishedProofKeySchema, publishedProofKeysSchema } from '@opencme/core';
import { z } from 'zod';

const STORAGE_KEY = 'opencme.proofKeys';
const WELL_KNOWN = '/.well-known/opencme-proof-keys.json';

const storedSchema = z.object({ keys: z.array(publishedProofKeySchema), savedAt: z.iso.datetime() });
type Stored = z.infer<typeof storedSchema>;

export interface ProofKeys {
  keys: PublishedProofKey[];
  /** When the keys were saved here; null when this browser has none. */
  savedAt: string | null;
  /** Whether they were just refreshed from the server. */
  fresh: boolean;
}

function read(): Stored | null {
  try {
    const parsed = storedSchema.safeParse(JSON.parse(localStorage.getItem(STORAGE_KEY) ?? 'null'));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

export async function loadProofKeys(): Promise<ProofKeys> {
  try {
    const res = await fetch(WELL_KNOWN, { cache: 'no-store' });
    if (!res.ok) throw new Error(String(res.status));
    const body = publishedProofKeysSchema.parse(await res.json());
    // Keys once seen are kept: a proof signed before a key rotation must still verify offline. The
    // server's word on a key (its validity, a withdrawal) replaces what was saved.
    const known = read()?.keys ?? [];
    const merged = [...body.keys, ...known.filter((k) => !body.keys.some((b) => b.keyId === k.keyId))];
    const stored: Stored = { keys: merged, savedAt: new Date().toISOString() };
    localStorage.setItem(STORAGE_KEY, JSON.stringify(stored));
    return { ...stored, fresh: true };
  } catch {
    const stored = read();
    return stored ? { ...stored, fresh: false } : { keys: [], savedAt: null, fresh: false };
  }
}
