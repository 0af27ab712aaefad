import { describe, expect, it } from 'vitest';
import { approvalsBelow, decide, REVIEW_DECISIONS, reasonRequired, type ReviewChain, type ReviewRecord, reviewState, waitsFor } from './review-chain.ts';

const twoOffices: ReviewChain = ['city', 'province'];
const approvedBy = (...offices: ReviewRecord['office'][]): ReviewRecord[] => offices.map((office) => ({ office, decision: 'approve' }));

describe('the review chain', () => {
  it('waits for the first office before anyone decided', () => {
    expect(reviewState(twoOffices, [])).toEqual({ ok: true, state: { status: 'pending', step: 0, office: 'city' } });
  });

  it('passes an approval on to the next office', () => {
    expect(decide({ chain: twoOffices, decisions: [], office: 'city', decision: 'approve' })).toEqual({
      ok: true,
      state: { status: 'pending', step: 1, office: 'province' },
    });
  });

  it('approves the thing at the last office', () => {
    expect(decide({ chain: twoOffices, decisions: approvedBy('city'), office: 'province', decision: 'approve' })).toEqual({
      ok: true,
      state: { status: 'approved', step: 2 },
    });
    expect(decide({ chain: ['unit'], decisions: [], office: 'unit', decision: 'approve' })).toEqual({ ok: true, state: { status: 'approved', step: 1 } });
  });

  it('returns the thing to its author from any office, with a reason', () => {
    expect(decide({ chain: twoOffices, decisions: [], office: 'city', decision: 'return', reason: '课程安排不完整' })).toEqual({
      ok: true,
      state: { status: 'returned', step: 0, office: 'city' },
    });
    expect(decide({ chain: twoOffices, decisions: approvedBy('city'), office: 'province', decision: 'return', reason: '课程安排不完整' })).toEqual({
      ok: true,
      state: { status: 'returned', step: 1, office: 'province' },
    });
  });

  it('rejects the thing for good from any office, with a reason', () => {
    expect(decide({ chain: ['department', 'unit'], decisions: [], office: 'department', decision: 'reject', reason: '与论文申报重复' })).toEqual({
      ok: true,
      state: { status: 'rejected', step: 0, office: 'department' },
    });
    expect(
      decide({ chain: ['department', 'unit'], decisions: approvedBy('department'), office: 'unit', decision: 'reject', reason: '授课记录缺少盖章' }),
    ).toEqual({
      ok: true,
      state: { status: 'rejected', step: 1, office: 'unit' },
    });
  });

  it('refuses every decision on a thing no office reviews', () => {
    for (const decision of REVIEW_DECISIONS)
      expect(decide({ chain: [], decisions: [], office: 'unit', decision, reason: '理由' })).toEqual({ ok: false, reason: 'empty-chain' });
  });

  it('refuses every decision once the chain ended, whichever way', () => {
    const ended: ReviewRecord[][] = [
      approvedBy('city', 'province'),
      [{ office: 'city', decision: 'return' }],
      [...approvedBy('city'), { office: 'province', decision: 'reject' }],
    ];
    for (const decisions of ended) {
      for (const decision of REVIEW_DECISIONS) {
        for (const office of twoOffices)
          expect(decide({ chain: twoOffices, decisions, office, decision, reason: '理由' })).toEqual({ ok: false, reason: 'already-decided' });
      }
    }
  });

  it('refuses an office that does not review this kind of thing', () => {
    expect(decide({ chain: twoOffices, decisions: [], office: 'unit', decision: 'approve' })).toEqual({ ok: false, reason: 'not-in-chain' });
    expect(decide({ chain: ['department', 'unit'], decisions: approvedBy('department'), office: 'city', decision: 'reject', reason: '理由' })).toEqual({
      ok: false,
      reason: 'not-in-chain',
    });
  });

  it('refuses an office of the chain out of its turn, before and after it', () => {
    expect(decide({ chain: twoOffices, decisions: [], office: 'province', decision: 'approve' })).toEqual({ ok: false, reason: 'not-your-turn' });
    expect(decide({ chain: twoOffices, decisions: approvedBy('city'), office: 'city', decision: 'approve' })).toEqual({ ok: false, reason: 'not-your-turn' });
    expect(decide({ chain: twoOffices, decisions: approvedBy('city'), office: 'city', decision: 'return', reason: '理由' })).toEqual({
      ok: false,
      reason: 'not-your-turn',
    });
  });

  it('refuses a return or a rejection without its reason, and lets an approval go without one', () => {
    expect(REVIEW_DECISIONS.filter(reasonRequired)).toEqual(['return', 'reject']);
    for (const reason of [undefined, null, '', '   ']) {
      expect(decide({ chain: twoOffices, decisions: [], office: 'city', decision: 'return', reason })).toEqual({ ok: false, reason: 'reason-required' });
      expect(decide({ chain: twoOffices, decisions: [], office: 'city', decision: 'reject', reason })).toEqual({ ok: false, reason: 'reason-required' });
      expect(decide({ chain: twoOffices, decisions: [], office: 'city', decision: 'approve', reason }).ok).toBe(true);
    }
  });

  it("names the office's turn before a missing reason", () => {
    expect(decide({ chain: twoOffices, decisions: [], office: 'province', decision: 'reject' })).toEqual({ ok: false, reason: 'not-your-turn' });
  });

  it('refuses a history that breaks the chain like the decision that broke it', () => {
    expect(reviewState(twoOffices, approvedBy('province'))).toEqual({ ok: false, reason: 'not-your-turn' });
    expect(reviewState(twoOffices, approvedBy('city', 'province', 'province'))).toEqual({ ok: false, reason: 'already-decided' });
    expect(decide({ chain: twoOffices, decisions: approvedBy('unit'), office: 'city', decision: 'approve' })).toEqual({ ok: false, reason: 'not-in-chain' });
  });

  it('rebuilds the decisions of a thing stored as how far it climbed', () => {
    expect(approvalsBelow(['department', 'unit', 'city'], 0)).toEqual([]);
    expect(approvalsBelow(['department', 'unit', 'city'], 2)).toEqual(approvedBy('department', 'unit'));
    expect(reviewState(['department', 'unit', 'city'], approvalsBelow(['department', 'unit', 'city'], 2))).toEqual({
      ok: true,
      state: { status: 'pending', step: 2, office: 'city' },
    });
  });

  it('puts a thing in the queue of the office whose turn it is, and in no other', () => {
    expect(waitsFor(twoOffices, [], 'city')).toBe(true);
    expect(waitsFor(twoOffices, [], 'province')).toBe(false);
    expect(waitsFor(twoOffices, approvedBy('city'), 'province')).toBe(true);
    expect(waitsFor(twoOffices, approvedBy('city', 'province'), 'province')).toBe(false);
    expect(waitsFor([], [], 'unit')).toBe(false);
  });
});
