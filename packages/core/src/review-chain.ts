// The review chain (逐级审核): offices decide on a thing one after another, from the bottom of the
// tree up, each only in its turn. One engine for everything reviewed this way: a project's
// declaration (项目申报审核), its credit report (学分审核) and a claim of non-project credits
// (非项目学分申报). Which offices a thing goes through comes from the thing (a project's level, a
// claim's activity); the engine only says whether a decision is allowed and where it leads.
// Refusals are codes; the server turns them into messages for its own kind of thing.

/** The offices that review, from the bottom of the tree up: 科室 → 单位医教科 → 市州卫健委 → 省继教办. */
export const REVIEW_OFFICES = ['department', 'unit', 'city', 'province'] as const;
export type ReviewOffice = (typeof REVIEW_OFFICES)[number];

/** The offices that review one thing, in the order it climbs them. */
export type ReviewChain = readonly ReviewOffice[];

/**
 * approve: on to the next office, or approved after the last one; return (退回): back to its
 * author, who may amend it and submit it again (the chain then starts afresh); reject: closed for
 * good.
 */
export const REVIEW_DECISIONS = ['approve', 'return', 'reject'] as const;
export type ReviewDecision = (typeof REVIEW_DECISIONS)[number];

/** One office's decision, as the history of a thing keeps it. */
export interface ReviewRecord {
  office: ReviewOffice;
  decision: ReviewDecision;
}

/**
 * Where a thing stands in its chain. `step` counts the offices that approved it: the index of the
 * office it waits for while pending, the chain's length once approved.
 */
export type ReviewState =
  | { status: 'pending'; step: number; office: ReviewOffice }
  | { status: 'approved'; step: number }
  | { status: 'returned'; step: number; office: ReviewOffice }
  | { status: 'rejected'; step: number; office: ReviewOffice };

/**
 * Why a decision is refused:
 * - `empty-chain`: the thing has no office to review it (a catalogue mistake, never the reviewer's);
 * - `already-decided`: the chain ended (approved, returned or rejected) before this decision;
 * - `not-in-chain`: this office does not review this kind of thing at all;
 * - `not-your-turn`: this office reviews it, but another office must decide first (or did already);
 * - `reason-required`: a return or a rejection without its reason.
 */
export type ReviewRefusal = 'empty-chain' | 'already-decided' | 'not-in-chain' | 'not-your-turn' | 'reason-required';

export type ReviewOutcome = { ok: true; state: ReviewState } | { ok: false; reason: ReviewRefusal };

/** Whether a decision needs its reason written down: the author must learn why it came back. */
export function reasonRequired(decision: ReviewDecision): boolean {
  return decision !== 'approve';
}

function step(chain: ReviewChain, state: ReviewState, record: ReviewRecord): ReviewOutcome {
  if (state.status !== 'pending') return { ok: false, reason: 'already-decided' };
  if (!chain.includes(record.office)) return { ok: false, reason: 'not-in-chain' };
  if (record.office !== state.office) return { ok: false, reason: 'not-your-turn' };
  if (record.decision === 'return') return { ok: true, state: { status: 'returned', step: state.step, office: record.office } };
  if (record.decision === 'reject') return { ok: true, state: { status: 'rejected', step: state.step, office: record.office } };
  const next = state.step + 1;
  return { ok: true, state: next === chain.length ? { status: 'approved', step: next } : { status: 'pending', step: next, office: chain[next]! } };
}

/**
 * The state a thing reached through its decisions since it was (last) submitted, replayed one by
 * one: a history that breaks the chain's order is refused like the decision that broke it.
 */
export function reviewState(chain: ReviewChain, decisions: readonly ReviewRecord[]): ReviewOutcome {
  const first = chain[0];
  if (first === undefined) return { ok: false, reason: 'empty-chain' };
  let outcome: ReviewOutcome = { ok: true, state: { status: 'pending', step: 0, office: first } };
  for (const record of decisions) {
    if (!outcome.ok) break;
    outcome = step(chain, outcome.state, record);
  }
  return outcome;
}

/**
 * A new decision on a thing: refused (with the reason's code) unless it is this office's turn on a
 * thing still under review; otherwise the state it leads to.
 */
export function decide(input: {
  chain: ReviewChain;
  decisions: readonly ReviewRecord[];
  office: ReviewOffice;
  decision: ReviewDecision;
  reason?: string | null;
}): ReviewOutcome {
  const before = reviewState(input.chain, input.decisions);
  if (!before.ok) return before;
  const after = step(input.chain, before.state, { office: input.office, decision: input.decision });
  if (after.ok && reasonRequired(input.decision) && !input.reason?.trim()) return { ok: false, reason: 'reason-required' };
  return after;
}

/**
 * The decisions that brought a thing under review to `step`: one approval by each office below
 * it. (The server stores how far a thing climbed, not each decision again.)
 */
export function approvalsBelow(chain: ReviewChain, step: number): ReviewRecord[] {
  return chain.slice(0, step).map((office) => ({ office, decision: 'approve' }));
}

/** Whether a thing waits for this office's decision now (a reviewer's queue). */
export function waitsFor(chain: ReviewChain, decisions: readonly ReviewRecord[], office: ReviewOffice): boolean {
  const state = reviewState(chain, decisions);
  return state.ok && state.state.status === 'pending' && state.state.office === office;
}
