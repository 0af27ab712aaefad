// What the whole site shows depends on two facts learnt by its pages: whether the server runs the
// demo (`/api/health`), and whether this tab is a kiosk in kiosk mode (签到模式), where the site's
// navigation is hidden so that attendees at the door stay on the door page.
import { z } from 'zod';

export const site = $state({
  /** null until the server answered (offline, a kiosk does not know). */
  demo: null as boolean | null,
  /** Set by the door page while it runs a session. */
  kioskMode: false,
});

const Health = z.object({ demo: z.boolean() });
let asked = false;

/** Asks the server once per page load. */
export function learnDemo(): void {
  if (asked) return;
  asked = true;
  fetch('/api/health')
    .then((res) => res.json())
    .then((body) => (site.demo = Health.safeParse(body).data?.demo ?? site.demo))
    .catch(() => {});
}
