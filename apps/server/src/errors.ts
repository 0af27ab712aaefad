import { TRPCError } from '@trpc/server';

type Code = ConstructorParameters<typeof TRPCError>[0]['code'];

/** The values a message's `{name}` placeholders take. */
export type MessageParams = Record<string, string | number>;

/**
 * An error the user reads. It carries a stable message key (e.g. 'registry.card-already-bound-someone')
 * and its parameters, never a sentence: the app's catalogue, one per language, says it in the
 * user's language, so no language is written into the server.
 */
export class UserFacingError extends TRPCError {
  readonly messageKey: string;
  readonly params: MessageParams;
  /** The input field the error is about, when one is: a form shows the error beside it. */
  readonly field: string | null;
  constructor(code: Code, messageKey: string, params: MessageParams = {}, field: string | null = null) {
    // The key is also the message, for logs and for clients without the catalogue.
    super({ code, message: messageKey });
    this.messageKey = messageKey;
    this.params = params;
    this.field = field;
  }
}

/** A message key with the parameters it takes: what core's checks and the server's other refusals return. */
export interface Message {
  key: string;
  params?: MessageParams;
}
