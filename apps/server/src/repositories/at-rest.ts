// The start-up step that needs the keys (a migration has none): check that the keys open this
// database, and re-key what versions before issue 9 left unkeyed. Idempotent: it runs every start.
import { LEGACY_ID_CARD_DIGEST } from '@opencme/core';
import type { DB } from '../db/connect.ts';
import { type IdNumberVault, rekeyLegacyDigest } from '../pii.ts';

export async function upgradeAtRest(db: DB, vault: IdNumberVault, log: (line: string) => void): Promise<void> {
  // Keys kept apart from the data can be lost or mixed up: better to stop here than to fail at
  // the first lookup, or to index new people under keys that do not fit the old ones.
  const sample = await db.selectFrom('persons').select('id_number_enc').limit(1).executeTakeFirst();
  if (sample) {
    try {
      vault.decrypt(sample.id_number_enc);
    } catch {
      throw new Error('密钥与数据库不符 / the keys do not open this database: check OPENCME_KEYS_DIR');
    }
  }
  // ID-card taps of a card nobody held were stored with the kiosk's unkeyed digest.
  const legacy = (
    await db
      .selectFrom('taps')
      .select(['tap_id', 'credential_value'])
      .where('credential_kind', '=', 'id-card')
      .where('credential_value', 'like', 'id-card#%')
      .execute()
  ).filter((t) => LEGACY_ID_CARD_DIGEST.test(t.credential_value));
  if (legacy.length === 0) return;
  await db.transaction().execute(async (trx) => {
    for (const t of legacy)
      await trx
        .updateTable('taps')
        .set({ credential_value: rekeyLegacyDigest(vault, t.credential_value) })
        .where('tap_id', '=', t.tap_id)
        .execute();
  });
  log(`已重新加密 ${legacy.length} 条旧签到记录的身份证摘要 / re-keyed the ID-card digest of ${legacy.length} older taps`);
}
