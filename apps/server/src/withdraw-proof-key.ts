// Withdraws a proof-signing key, for the system's operator (a key leaked, or a copy of the data
// folder went astray): `node apps/server/src/withdraw-proof-key.ts <keyId> <reason>`, with the
// same DATA_DIR (or DATABASE_URL) as the server. The next time verifiers fetch the key list, nothing the key signed
// verifies. To print again after withdrawing the key in use, stop the server, move
// data/proof-key.pem away and start it: a new key is made and published beside the old one.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openDatabase, postgresUrl } from './db/connect.ts';
import { withdrawProofKey } from './repositories/proof-keys.ts';

const [keyId, ...words] = process.argv.slice(2);
const reason = words.join(' ').trim();
if (!keyId || !reason) {
  console.error('用法 / usage: node apps/server/src/withdraw-proof-key.ts <keyId> <reason>');
  process.exit(2);
}
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const dataDir = path.resolve(process.env.DATA_DIR ?? path.join(root, 'data'));
const { db } = await openDatabase({ url: postgresUrl(), file: path.join(dataDir, 'opencme.sqlite') });
const found = await withdrawProofKey(db, { keyId, reason, at: new Date() });
await db.destroy();
console.log(found ? `已停用 / withdrawn: ${keyId}` : `没有这个密钥 / no such key: ${keyId}`);
process.exit(found ? 0 : 1);
