// The server's second look at a registration photo. The browser crops and compresses it, but a
// request can come from anywhere: the bytes themselves must be a JPEG of the registry size.
import sharp, { type Metadata } from 'sharp';
import type { Message, MessageParams } from './errors.ts';
import { PHOTO } from './photos.ts';

export type PortraitCheck = { ok: true; jpeg: Buffer } | ({ ok: false } & Message);

const refuse = (key: string, params: MessageParams = {}): PortraitCheck => ({ ok: false, key, params });

/** JPEG files start with the SOI marker and a segment marker, whatever the file is called. */
function looksLikeJpeg(bytes: Buffer): boolean {
  return bytes.length > 4 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff;
}

export async function checkPortrait(bytes: Buffer): Promise<PortraitCheck> {
  if (bytes.length === 0) return refuse('portrait.missing');
  if (bytes.length > PHOTO.maxBytes) {
    return refuse('portrait.too-large', { kilobytes: Math.ceil(bytes.length / 1024) });
  }
  const damaged = refuse('portrait.damaged');
  let meta: Metadata;
  try {
    // The header alone: a 1.5 KB file can claim 16383×16383 pixels, which takes seconds and a
    // gigabyte to decode. Its format and size are checked before a single pixel is.
    meta = await sharp(bytes, { failOn: 'error' }).metadata();
  } catch {
    return damaged;
  }
  if (meta.format !== 'jpeg' || !looksLikeJpeg(bytes)) {
    return refuse('portrait.not-jpeg', { format: meta.format?.toUpperCase() ?? '?' });
  }
  if (meta.width !== PHOTO.width || meta.height !== PHOTO.height) {
    return refuse('portrait.wrong-size', { width: PHOTO.width, height: PHOTO.height, gotWidth: meta.width ?? 0, gotHeight: meta.height ?? 0 });
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
