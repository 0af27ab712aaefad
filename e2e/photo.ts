import type { Page } from '@playwright/test';

/** A 4000×3000 JPEG of several MB, as a phone camera makes: drawn and encoded by Chromium itself. */
export async function phonePhoto(page: Page): Promise<Buffer> {
  const base64 = await page.evaluate(async () => {
    const canvas = new OffscreenCanvas(4000, 3000);
    const ctx = canvas.getContext('2d')!;
    const sky = ctx.createLinearGradient(0, 0, 0, 3000);
    sky.addColorStop(0, '#9ec5e8');
    sky.addColorStop(1, '#f0e6d2');
    ctx.fillStyle = sky;
    ctx.fillRect(0, 0, 4000, 3000);
    ctx.fillStyle = '#e0b899';
    ctx.beginPath();
    ctx.ellipse(2000, 1300, 520, 680, 0, 0, Math.PI * 2);
    ctx.fill();
    ctx.fillStyle = '#f7f7f7';
    ctx.fillRect(1300, 2050, 1400, 950);
    // Sensor noise: what makes a phone's JPEG several megabytes.
    const noise = ctx.getImageData(0, 0, 4000, 3000);
    let seed = 1;
    for (let i = 0; i < noise.data.length; i += 4) {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      const n = (seed >> 24) - 64;
      noise.data[i] = noise.data[i]! + n;
      noise.data[i + 1] = noise.data[i + 1]! + n;
      noise.data[i + 2] = noise.data[i + 2]! + n;
    }
    ctx.putImageData(noise, 0, 0);
    const blob = await canvas.convertToBlob({ type: 'image/jpeg', quality: 0.95 });
    const bytes = new Uint8Array(await blob.arrayBuffer());
    let binary = '';
    for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    return btoa(binary);
  });
  return Buffer.from(base64, 'base64');
}
