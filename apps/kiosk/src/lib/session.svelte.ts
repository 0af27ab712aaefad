import { apiClient, type RouterOutputs } from './api.ts';

const api = apiClient();

export type Me = NonNullable<RouterOutputs['auth']['me']>;
export type Role = Me['role'];

/**
 * The signed-in account, one for every page that needs one (the admin console, a staff member's
 * claims): `undefined` until asked, `null` when nobody is signed in.
 */
class Session {
  me = $state<Me | null | undefined>(undefined);

  async refresh(): Promise<void> {
    this.me = await api.auth.me.query().catch(() => null);
  }

  /** Throws the server's refusal (wrong password, unit not yet verified…) for the form to show. */
  async signIn(login: string, password: string): Promise<void> {
    await api.auth.login.mutate({ login, password });
    await this.refresh();
  }

  async signOut(): Promise<void> {
    await api.auth.logout.mutate().catch(() => undefined);
    this.me = null;
  }
}

export const session = new Session();
