import 'fake-indexeddb/auto';
import { rosterKey, SEALED_ID } from '@opencme/core';
import { type CardRead, type IdentityCard, ReaderError } from '@opencme/reader-webhid';
import { SAMPLE_FOREIGN_2023, SAMPLE_FOREIGN_OLD, SAMPLE_HMT_PERMIT, SAMPLE_RESIDENT } from '@opencme/reader-webhid/simulators';
import { afterEach, describe, expect, it } from 'vitest';
import { type KioskDb, openKioskDb } from '../kiosk/db.ts';
import { NoKeysYet, recordTap } from '../kiosk/taps.ts';
import { giveKeys } from '../kiosk/test-keys.ts';
import { cardHolderName, cardNumber, credentialOfRead } from './credential.ts';
import { readerMessage } from './reader-message.ts';

const idCard = (identity: IdentityCard): CardRead => ({ kind: 'id-card', identity, photo: new Uint8Array(1024), readAt: new Date() });

describe('credentialOfRead', () => {
  it('takes the ID number of a resident card and of a residence permit, the UID of an IC card', () => {
    expect(credentialOfRead(idCard(SAMPLE_RESIDENT))).toEqual({ kind: 'id-card', value: '11010519491231002X' });
    expect(credentialOfRead(idCard(SAMPLE_HMT_PERMIT))).toEqual({ kind: 'id-card', value: '810000199001010027' });
    expect(credentialOfRead({ kind: 'ic-card', uid: '26DEFAE7', readAt: new Date() })).toEqual({ kind: 'ic-card', value: '26DEFAE7' });
  });

  it("takes a foreigner's permit number, checked when it has 18 characters", () => {
    expect(credentialOfRead(idCard(SAMPLE_FOREIGN_2023))).toEqual({ kind: 'id-card', value: '931586198001010028' });
    expect(credentialOfRead(idCard(SAMPLE_FOREIGN_OLD))).toEqual({ kind: 'id-card', value: 'PAK310080010103' });
    expect(() => credentialOfRead(idCard({ ...SAMPLE_FOREIGN_2023, permitNumber: '931586198001010029' }))).toThrow(ReaderError);
  });

  it('upper-cases a lower-case check character, so the roster key matches', () => {
    expect(credentialOfRead(idCard({ ...SAMPLE_RESIDENT, idNumber: '11010519491231002x' })).value).toBe('11010519491231002X');
  });

  it("refuses a number whose check character is wrong, in the user's words, without the reason's code", () => {
    const read = idCard({ ...SAMPLE_RESIDENT, idNumber: '110105194912310021' });
    let caught: unknown;
    try {
      credentialOfRead(read);
    } catch (error) {
      caught = error;
    }
    expect(caught).toMatchObject({ code: 'bad-identity', messageKey: 'reader.card-number-failed' });
    expect(readerMessage(caught)).toBe('证件号码校验失败，请拿开证件后重新放置');
  });

  it("names the card's holder for a card the roster does not know", () => {
    expect(cardHolderName(idCard(SAMPLE_RESIDENT))).toBe('测试样本');
    expect(cardHolderName(idCard(SAMPLE_FOREIGN_OLD))).toBe('外国样本');
    expect(cardHolderName({ kind: 'ic-card', uid: '26DEFAE7', readAt: new Date() })).toBeNull();
  });
});

describe('a read resolved against the roster', () => {
  let db: KioskDb;
  afterEach(() => db.delete());

  const at = new Date('2026-11-22T02:00:00Z');
  const tap = (read: CardRead) => recordTap(db, { deviceId: 'd', sessionId: 's', credential: credentialOfRead(read), source: 'reader', now: at });
  async function kiosk() {
    db = openKioskDb('credential-test');
    // recordTap decides by the session's window: the taps below fall inside it.
    await db.sessions.add({
      id: 's',
      projectId: 'p',
      projectName: '学习班',
      title: '上午',
      venue: '报告厅',
      startsAt: '2026-11-22T09:00:00+08:00',
      endsAt: '2026-11-22T12:00:00+08:00',
    });
    await db.people.add({ id: 'p1', name: '测试样本', cmeNumber: '3426000001', department: '儿科', photo: 'data:image/jpeg;base64,AA', cards: [] });
  }

  it('finds the holder of an ID card by its digest under the kiosk’s key and of an IC card by its UID', async () => {
    await kiosk();
    const keys = await giveKeys(db);
    await db.people.update('p1', { cards: [(await rosterKey({ kind: 'id-card', value: '11010519491231002X' }, keys.rosterKey))!, 'ic-card:26DEFAE7'] });

    const byIdCard = await tap(idCard({ ...SAMPLE_RESIDENT, idNumber: '11010519491231002x' }));
    expect(byIdCard.person?.id).toBe('p1');
    // The outbox keeps the number only sealed to the server, which alone opens it.
    expect(byIdCard.tap.credential.value).toMatch(SEALED_ID);
    const byIcCard = await tap({ kind: 'ic-card', uid: '26DEFAE7', readAt: new Date() });
    expect(byIcCard.person?.id).toBe('p1');
    const stranger = await tap(idCard(SAMPLE_HMT_PERMIT));
    expect(stranger.person).toBeNull();
    expect(await db.taps.count()).toBe(3);
    const outbox = JSON.stringify(await db.taps.toArray());
    expect(outbox).not.toMatch(/11010519491231002X/i);
    expect(outbox).not.toContain(cardNumber(SAMPLE_HMT_PERMIT));
  });

  it('takes no ID card before the kiosk has its keys, and records nothing', async () => {
    await kiosk();
    await expect(tap(idCard(SAMPLE_RESIDENT))).rejects.toBeInstanceOf(NoKeysYet);
    expect(await db.taps.count()).toBe(0);
  });
});
