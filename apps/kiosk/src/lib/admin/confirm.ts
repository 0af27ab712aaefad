import { Confirmation } from '@opencme/ui';

/** The console's one pending question, shown by the shared ConfirmDialog in the admin layout. */
export const confirmation = new Confirmation();

/** Asks first in a dialog (挂失, reject, revoke); true once the person confirms, false if they cancel. */
export const askFirst = (message: string, action: string) => confirmation.ask(message, action);
