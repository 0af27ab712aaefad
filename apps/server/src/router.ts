import { accountsRouter } from './routers/accounts.ts';
import { alertsRouter } from './routers/alerts.ts';
import { authRouter } from './routers/auth.ts';
import { claimsRouter } from './routers/claims.ts';
import { devicesRouter } from './routers/devices.ts';
import { enrolmentRouter } from './routers/enrolment.ts';
import { exchangeRouter } from './routers/exchange.ts';
import { hrRouter } from './routers/hr.ts';
import { lookupRouter } from './routers/lookup.ts';
import { meRouter } from './routers/me.ts';
import { onlineRouter } from './routers/online.ts';
import { personsRouter } from './routers/persons.ts';
import { registrationRouter } from './routers/registration.ts';
import { registryRouter } from './routers/registry.ts';
import { projectsRouter } from './routers/projects.ts';
import { proofsRouter } from './routers/proofs.ts';
import { ruleSetsRouter } from './routers/rule-sets.ts';
import { sanctionsRouter } from './routers/sanctions.ts';
import { sessionsRouter } from './routers/sessions.ts';
import { standingRouter } from './routers/standing.ts';
import { syncRouter } from './routers/sync.ts';
import { unitsRouter } from './routers/units.ts';
import { verificationRouter } from './routers/verification.ts';
import type { inferRouterOutputs } from '@trpc/server';
import { router } from './trpc.ts';

export const appRouter = router({
  accounts: accountsRouter,
  alerts: alertsRouter,
  auth: authRouter,
  claims: claimsRouter,
  devices: devicesRouter,
  enrolment: enrolmentRouter,
  exchange: exchangeRouter,
  hr: hrRouter,
  lookup: lookupRouter,
  me: meRouter,
  online: onlineRouter,
  persons: personsRouter,
  registration: registrationRouter,
  registry: registryRouter,
  projects: projectsRouter,
  proofs: proofsRouter,
  ruleSets: ruleSetsRouter,
  sanctions: sanctionsRouter,
  sessions: sessionsRouter,
  standing: standingRouter,
  sync: syncRouter,
  units: unitsRouter,
  verification: verificationRouter,
});

/** The only thing the kiosk app takes from the server, as a type. */
export type AppRouter = typeof appRouter;
/** What each procedure answers, as a client receives it (made here: the kiosk does not depend on @trpc/server). */
export type RouterOutputs = inferRouterOutputs<AppRouter>;
/** What the kiosk may send to POST /api/files/:purpose. */
export type { UploadPurpose } from './repositories/uploads.ts';
