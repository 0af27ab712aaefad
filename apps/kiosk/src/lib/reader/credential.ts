// A card read (读卡) becomes the credential (凭证) the roster knows the person by: an ID card by
// its number, an IC card by its chip UID. The roster holds an ID card only as a digest under the
// kiosk's own key (`rosterKey`), so the number read here is what `recordTap` digests to find the
// holder, and seals to the server for the outbox.
import { type Credential, validateIdNumber } from '@opencme/core';
import { type CardRead, type IdentityCard, ReaderError } from '@opencme/reader-webhid';

/** The number a card identifies its holder by: 公民身份号码, or 永久居留证号码 on a foreigner's card. */
export function cardNumber(identity: IdentityCard): string {
  return (identity.kind === 'foreign-permanent' ? identity.permitNumber : identity.idNumber).toUpperCase();
}

/**
 * The credential of a read. An 18-character number must pass GB 11643's check: the SAM
 * authenticates the card, so a number that fails was garbled on the way and must not become a tap
 * under someone else's number. The old foreign card's 15-character number has no check character.
 */
export function credentialOfRead(read: CardRead): Credential {
  if (read.kind === 'ic-card') return { kind: 'ic-card', value: read.uid };
  const value = cardNumber(read.identity);
  if (value.length === 18 || read.identity.kind !== 'foreign-permanent') {
    const check = validateIdNumber(value);
    if (!check.valid) {
      // The reason goes to the log (in `params`); the person at the door reads the key's words.
      throw new ReaderError({
        code: 'bad-identity',
        messageKey: 'reader.card-number-failed',
        params: { reason: check.reason },
      });
    }
  }
  return { kind: 'id-card', value };
}

/** The holder's name as printed on the card: shown for a card the roster does not know. */
export function cardHolderName(read: CardRead): string | null {
  if (read.kind === 'ic-card') return null;
  return read.identity.kind === 'foreign-permanent' ? read.identity.chineseName || read.identity.englishName : read.identity.name;
}
