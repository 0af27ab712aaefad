// SW3, the SAM's own status byte (SW1/SW2 are the card's, forwarded). Texts follow the
// vendors' Chinese wording of GA/T 467; see readers.md §1.3.
import { type Bilingual, ReaderError, hexByte } from './errors.ts';

export const SW3_OK = 0x90;
/** Find-card (寻找证/卡) alone answers 9F on success. */
export const SW3_FOUND = 0x9f;
export const SW3_NO_CARD = 0x80;

export const SAM_STATUS: Readonly<Record<number, Bilingual>> = {
  0x90: { zh: '操作成功', en: 'Success' },
  0x9f: { zh: '寻找证/卡成功', en: 'Card found' },
  0x91: { zh: '证/卡中此项无内容', en: 'The card holds no content for this item' },
  0x10: { zh: '接收数据校验和错', en: 'The SAM received a bad checksum' },
  0x11: { zh: '接收数据长度错', en: 'The SAM received a bad length' },
  0x21: { zh: '接收数据命令错', en: 'The SAM received a bad command' },
  0x23: { zh: '越权操作', en: 'Operation not permitted' },
  0x24: { zh: '无法识别的错误', en: 'Unrecognised error' },
  0x31: { zh: '证/卡认证SAM失败', en: 'The card failed to authenticate the SAM' },
  0x32: { zh: 'SAM认证证/卡失败', en: 'The SAM failed to authenticate the card' },
  0x33: { zh: '信息验证错误', en: 'Information verification error' },
  0x40: { zh: '无法识别的卡类型', en: 'Unrecognised card type' },
  0x41: { zh: '读证/卡操作失败', en: 'Reading the card failed' },
  0x47: { zh: '取随机数失败', en: 'Getting a random number failed' },
  0x60: { zh: 'SAM自检失败，不能接收命令', en: 'SAM self-test failed; it accepts no commands' },
  0x66: { zh: 'SAM未经授权', en: 'SAM not authorised' },
  0x80: { zh: '寻找证/卡失败', en: 'No card found' },
  0x81: { zh: '选取证/卡失败', en: 'Selecting the card failed' },
};

export function describeStatus(sw3: number): Bilingual {
  return SAM_STATUS[sw3] ?? { zh: `未知状态 ${hexByte(sw3)}`, en: `Unknown status ${hexByte(sw3)}` };
}

/**
 * The error for an unexpected SW3. `hint` says what the person at the reader should do, since
 * after a failed read the card must leave the field before the SAM will find it again.
 */
export function statusError(sw3: number, hint?: Bilingual): ReaderError {
  const text = describeStatus(sw3);
  return new ReaderError({
    code: 'sam-status',
    sw3,
    message: `${text.zh}（SW3=${hexByte(sw3)}）${hint ? `，${hint.zh}` : ''}`,
    messageEn: `${text.en} (SW3=${hexByte(sw3)})${hint ? `; ${hint.en}` : ''}`,
  });
}
