import { TRPCError } from '@trpc/server';

type Code = ConstructorParameters<typeof TRPCError>[0]['code'];

/**
 * An error the user reads. The message is Chinese (the interface's default language) and the
 * English text travels beside it in `data.messageEn`, so the client shows the user's language.
 */
export class UserFacingError extends TRPCError {
  readonly messageEn: string;
  constructor(code: Code, zh: string, en: string) {
    super({ code, message: zh });
    this.messageEn = en;
  }
}
