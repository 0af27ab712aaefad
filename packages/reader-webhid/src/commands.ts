// The SAM commands a reader uses (readers.md §1.2), as CMD/PARA pairs.
import { encodeCommand } from './frame.ts';

export const SAM_COMMANDS = {
  /** 复位 SAM. */
  reset: { cmd: 0x10, para: 0xff },
  /** SAM 状态检测. */
  status: { cmd: 0x11, para: 0xff },
  /** 读 SAM 管理信息 (编号). */
  readSamId: { cmd: 0x12, para: 0xff },
  /** 寻找证/卡: answers 9F with 4 bytes when a card is in the field. */
  findCard: { cmd: 0x20, para: 0x01 },
  /** 选取证/卡. */
  selectCard: { cmd: 0x20, para: 0x02 },
  /** 读固定信息: text and photo (1295-byte answer). */
  readBaseInfo: { cmd: 0x30, para: 0x01 },
  /** 读最新追加住址. */
  readAppendedAddress: { cmd: 0x30, para: 0x03 },
  /** 读固定信息和指纹: text, photo and fingerprint (1297 / 1809 / 2321-byte answer). */
  readBaseInfoWithFingerprint: { cmd: 0x30, para: 0x10 },
} as const;

export type SamCommandName = keyof typeof SAM_COMMANDS;

export function commandFrame(name: SamCommandName): Uint8Array {
  const { cmd, para } = SAM_COMMANDS[name];
  return encodeCommand(cmd, para);
}
