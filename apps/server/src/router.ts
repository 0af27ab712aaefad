import { authRouter } from './routers/auth.ts';
import { claimsRouter } from './routers/claims.ts';
import { devicesRouter } from './routers/devices.ts';
import { lookupRouter } from './routers/lookup.ts';
import { personsRouter } from './routers/persons.ts';
import { proofsRouter } from './routers/proofs.ts';
import { ruleSetsRouter } from './routers/rule-sets.ts';
import { sessionsRouter } from './routers/sessions.ts';
import { standingRouter } from './routers/standing.ts';
import { syncRouter } from './routers/sync.ts';
import { verificationRouter } from './routers/verification.ts';
import { router } from './trpc.ts';

export const appRouter = router({
  auth: authRouter,
  claims: claimsRouter,
  devices: devicesRouter,
  lookup: lookupRouter,
  persons: personsRouter,
  proofs: proofsRouter,
  ruleSets: ruleSetsRouter,
  sessions: sessionsRouter,
  standing: standingRouter,
  sync: syncRouter,
  verification: verificationRouter,
});

/** The only thing the kiosk app takes from the server, as a type. */
export type AppRouter = typeof appRouter;
