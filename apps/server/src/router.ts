import { authRouter } from './routers/auth.ts';
import { devicesRouter } from './routers/devices.ts';
import { personsRouter } from './routers/persons.ts';
import { registrationRouter } from './routers/registration.ts';
import { registryRouter } from './routers/registry.ts';
import { sessionsRouter } from './routers/sessions.ts';
import { syncRouter } from './routers/sync.ts';
import { unitsRouter } from './routers/units.ts';
import { router } from './trpc.ts';

export const appRouter = router({
  auth: authRouter,
  devices: devicesRouter,
  persons: personsRouter,
  registration: registrationRouter,
  registry: registryRouter,
  sessions: sessionsRouter,
  sync: syncRouter,
  units: unitsRouter,
});

/** The only thing the kiosk app takes from the server, as a type. */
export type AppRouter = typeof appRouter;
