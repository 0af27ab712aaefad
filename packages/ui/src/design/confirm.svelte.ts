/** A question asked before an act that is hard to undo, as `ConfirmDialog` shows it. */
export interface Question {
  /** What will happen, to whom: 确定将 张三 的 IC卡 挂失吗？ */
  description: string;
  /** The confirming button's words: the act itself, e.g. 挂失. */
  confirmLabel: string;
  answer: (confirmed: boolean) => void;
}

/**
 * One app's pending question: pages `ask` and await the answer; one `ConfirmDialog` (in the app's
 * layout) shows `asking`. A new question answers an open one with no.
 */
export class Confirmation {
  asking = $state.raw<Question | null>(null);

  ask(description: string, confirmLabel: string): Promise<boolean> {
    this.asking?.answer(false);
    return new Promise((resolve) => {
      const question: Question = {
        description,
        confirmLabel,
        answer: (confirmed) => {
          if (this.asking === question) this.asking = null;
          resolve(confirmed);
        },
      };
      this.asking = question;
    });
  }
}
