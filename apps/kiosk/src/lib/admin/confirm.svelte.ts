/** A question the console asks before an action that is hard to undo (挂失, reject, revoke). */
interface Question {
  message: string;
  /** The confirming button's words: the action itself, e.g. 挂失. */
  action: string;
  answer: (ok: boolean) => void;
}

class Confirmation {
  asking = $state<Question | null>(null);

  ask(message: string, action: string): Promise<boolean> {
    this.asking?.answer(false);
    return new Promise((resolve) => {
      this.asking = {
        message,
        action,
        answer: (ok) => {
          this.asking = null;
          resolve(ok);
        },
      };
    });
  }
}

export const confirmation = new Confirmation();

/** Asks first in a dialog; true once the person confirms, false if they cancel. */
export const askFirst = (message: string, action: string) => confirmation.ask(message, action);
