// The server's second look at a registration photo. The browser crops and compresses it, but a
// request can come from anywhere: the bytes themselves must be a JPEG of the registry size.
import sharp, { type Metadata } from 'sharp';
import { PHOTO } from './photos.ts';

export type PortraitCheck = { ok: true; jpeg: Buffer } | { ok: false; message: string; messageEn: string };

const refuse = (message: string, messageEn: string): PortraitCheck => ({ ok: false, message, messageEn });

/** JPEG files start with the SOI marker and a segment marker, whatever the file is called. */
function looksLikeJpeg(bytes: Buffer): boolean {
  return bytes.length > 4 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff;
}

export async function checkPortrait(bytes: Buffer): Promise<PortraitCheck> {
  if (bytes.length === 0) return refuse('请上传照片', 'Please add a photo');
  if (bytes.length > PHOTO.maxBytes) {
    return refuse(`照片为${Math.ceil(bytes.length / 1024)}KB，超过100KB，请重新裁剪`, `The photo is ${Math.ceil(bytes.length / 1024)} KB, over 100 KB: crop it again`);
  }
  const damaged = refuse('照片文件已损坏或不是图片', 'The photo is damaged or not an image');
  let meta: Metadata;
  try {
    // The header alone: a 1.5 KB file can claim 16383×16383 pixels, which takes seconds and a
    // gigabyte to decode. Its format and size are checked before a single pixel is.
    meta = await sharp(bytes, { failOn: 'error' }).metadata();
  } catch {
    return damaged;
  }
  if (meta.format !== 'jpeg' || !looksLikeJpeg(bytes)) {
    return refuse(`照片须为JPEG格式（收到的是${meta.format?.toUpperCase() ?? '未知格式'}），请重新裁剪`, `The photo must be a JPEG (this is ${meta.format ?? 'unknown'}): crop it again`);
  }
  if (meta.width !== PHOTO.width || meta.height !== PHOTO.height) {
    return refuse(
      `照片尺寸须为${PHOTO.width}×${PHOTO.height}像素（收到${meta.width}×${meta.height}），请重新裁剪`,
      `The photo must be ${PHOTO.width}×${PHOTO.height} px (this is ${meta.width}×${meta.height}): crop it again`,
    );
  }
  try {
    // Then the decoder, not the name or the first bytes, decides the file is whole; it stops at
    // the registry size whatever the header said.
    await sharp(bytes, { failOn: 'error', limitInputPixels: PHOTO.width * PHOTO.height }).stats();
  } catch {
    return damaged;
  }
  return { ok: true, jpeg: bytes };
}
