// How a one-time reset code (一次性验证码) reaches its owner. Only in person today: the unit admin
// reads it off the screen and hands it over. An SMS or WeChat channel implements the same
// interface later (sends to the person's phone or OpenID and shows the admin nothing).

export interface ResetCodeChannel {
  /** Stored with the code, so the audit log says how it travelled. */
  readonly name: string;
  /**
   * Delivers `code` to its owner; answers the code when the administrator must pass it on
   * herself, or null when the channel delivered it.
   */
  deliver(code: string, recipient: { personId: string | null; phone: string | null }): Promise<{ showToIssuer: string | null }>;
}

export const IN_PERSON: ResetCodeChannel = {
  name: 'in-person',
  deliver: (code) => Promise.resolve({ showToIssuer: code }),
};
