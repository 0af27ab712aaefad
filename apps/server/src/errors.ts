import { TRPCError } from '@trpc/server';

type Code = ConstructorParameters<typeof TRPCError>[0]['code'];

/**
 * An error the user reads. The message is Chinese (the interface's default language) and the
 * English text travels beside it in `data.messageEn`, so the client shows the user's language.
 */
export class UserFacingError extends TRPCError {
  readonly messageEn: string;
  /** The input field the error is about, when one is: a form shows the error beside it. */
  readonly field: string | null;
  constructor(code: Code, zh: string, en: string, field: string | null = null) {
    super({ code, message: zh });
    this.messageEn = en;
    this.field = field;
  }
}
