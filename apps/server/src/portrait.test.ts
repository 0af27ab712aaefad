// The server's check of a registration photo, on real image bytes made with sharp.
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { PHOTO } from './photos.ts';
import { checkPortrait } from './portrait.ts';

const jpeg = (width: number, height: number, quality = 80) =>
  sharp({ create: { width, height, channels: 3, background: '#b0c4de' } })
    .jpeg({ quality })
    .toBuffer();

/** A photo-like JPEG whose noise keeps it large, as a phone's photo is. */
async function noisyJpeg(width: number, height: number): Promise<Buffer> {
  const pixels = Buffer.alloc(width * height * 3);
  let seed = 7;
  for (let i = 0; i < pixels.length; i++) {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    pixels[i] = seed >> 23;
  }
  return sharp(pixels, { raw: { width, height, channels: 3 } })
    .jpeg({ quality: 95 })
    .toBuffer();
}

describe('checkPortrait', () => {
  it('accepts a 358×441 JPEG under 100 KB', async () => {
    const result = await checkPortrait(await jpeg(PHOTO.width, PHOTO.height));
    expect(result.ok).toBe(true);
  });

  it('refuses a PNG, even one of the right size, and says it must be a JPEG', async () => {
    const png = await sharp({ create: { width: PHOTO.width, height: PHOTO.height, channels: 3, background: '#fff' } })
      .png()
      .toBuffer();
    expect(await checkPortrait(png)).toMatchObject({ ok: false, key: 'portrait.not-jpeg', params: { format: 'PNG' } });
  });

  it('refuses a huge phone JPEG by its size before decoding it', async () => {
    const huge = await noisyJpeg(4000, 3000);
    expect(huge.length).toBeGreaterThan(1024 * 1024);
    expect(await checkPortrait(huge)).toMatchObject({ ok: false, key: 'portrait.too-large' });
  });

  it('refuses a right-sized but noisy JPEG over 100 KB', async () => {
    const big = await noisyJpeg(PHOTO.width, PHOTO.height);
    expect(big.length).toBeGreaterThan(PHOTO.maxBytes);
    expect(await checkPortrait(big)).toMatchObject({ ok: false, key: 'portrait.too-large' });
  });

  it('refuses a text file renamed .jpg, and a JPEG cut short', async () => {
    expect(await checkPortrait(Buffer.from('这不是照片 / not a photo'))).toMatchObject({ ok: false, key: 'portrait.damaged' });
    const whole = await jpeg(PHOTO.width, PHOTO.height);
    expect(await checkPortrait(whole.subarray(0, whole.length / 2))).toMatchObject({ ok: false, key: 'portrait.damaged' });
  });

  it('refuses a 1×1 image with the size it needs', async () => {
    expect(await checkPortrait(await jpeg(1, 1))).toMatchObject({
      ok: false,
      key: 'portrait.wrong-size',
      params: { width: 358, height: 441, gotWidth: 1, gotHeight: 1 },
    });
  });

  it('refuses nothing at all', async () => {
    expect(await checkPortrait(Buffer.alloc(0))).toMatchObject({ ok: false, key: 'portrait.missing' });
  });
});
