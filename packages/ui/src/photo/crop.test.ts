import { describe, expect, it } from 'vitest';
import { clampView, coverScale, encodeUnder, initialView, panView, PORTRAIT, zoomView } from './crop.ts';

const phone = { width: 4000, height: 3000 };

describe('the portrait crop', () => {
  it('starts centred at the scale that just covers the frame', () => {
    const view = initialView(phone);
    expect(view.scale).toBeCloseTo(441 / 3000);
    expect(view.y).toBeCloseTo(0);
    expect(view.x + PORTRAIT.width / view.scale / 2).toBeCloseTo(2000);
  });

  it('never leaves an empty border, however far it is dragged or zoomed out', () => {
    const view = panView(phone, initialView(phone), 10_000, -10_000);
    expect(view.x).toBe(0);
    expect(view.y + PORTRAIT.height / view.scale).toBeCloseTo(3000);
    expect(clampView(phone, { ...view, scale: 0.001 }).scale).toBe(coverScale(phone));
    expect(clampView(phone, { ...view, scale: 100 }).scale).toBeCloseTo(coverScale(phone) * 8);
  });

  it('keeps the point under the finger in place while zooming', () => {
    const start = initialView(phone);
    const at = { x: 100, y: 120 };
    const zoomed = zoomView(phone, start, start.scale * 2, at);
    expect(zoomed.x + at.x / zoomed.scale).toBeCloseTo(start.x + at.x / start.scale);
    expect(zoomed.y + at.y / zoomed.scale).toBeCloseTo(start.y + at.y / start.scale);
  });
});

describe('encoding under 100 KB', () => {
  // A stand-in encoder whose file size grows with quality, as a JPEG encoder's does.
  const encoder = (bytesAtFull: number) => async (q: number) => new Blob([new Uint8Array(Math.round(bytesAtFull * q * q))]);

  it('keeps the highest quality when the photo already fits', async () => {
    expect((await encodeUnder(PORTRAIT.maxBytes, encoder(50_000)))?.quality).toBe(0.95);
  });

  it('finds a quality that fits, close to the limit', async () => {
    const result = await encodeUnder(PORTRAIT.maxBytes, encoder(400_000));
    expect(result!.blob.size).toBeLessThanOrEqual(PORTRAIT.maxBytes);
    expect(result!.blob.size).toBeGreaterThan(PORTRAIT.maxBytes * 0.9);
  });

  it('says so when nothing fits', async () => {
    expect(await encodeUnder(PORTRAIT.maxBytes, encoder(5_000_000))).toBeNull();
  });
});
