// The arithmetic of the portrait crop (一寸照裁剪), apart from the canvas so it can be tested.

/** The registry portrait: 358×441 px, under 100 KB (DOMAIN.md). */
export const PORTRAIT = { width: 358, height: 441, maxBytes: 100 * 1024 } as const;

/** Where the source image sits under the crop frame: its scale and the frame's top-left corner in source pixels. */
export interface CropView {
  scale: number;
  x: number;
  y: number;
}

/** The smallest scale at which the image still covers the whole frame (no empty borders). */
export function coverScale(source: { width: number; height: number }, frame = PORTRAIT): number {
  return Math.max(frame.width / source.width, frame.height / source.height);
}

/** The view that shows the middle of the image at the cover scale: where a person's face usually is. */
export function initialView(source: { width: number; height: number }, frame = PORTRAIT): CropView {
  const scale = coverScale(source, frame);
  return clampView(source, { scale, x: (source.width - frame.width / scale) / 2, y: (source.height - frame.height / scale) / 2 }, frame);
}

/** Keeps the frame inside the image and the zoom between cover and 8× cover. */
export function clampView(source: { width: number; height: number }, view: CropView, frame = PORTRAIT): CropView {
  const min = coverScale(source, frame);
  const scale = Math.min(Math.max(view.scale, min), min * 8);
  const w = frame.width / scale;
  const h = frame.height / scale;
  return { scale, x: Math.min(Math.max(view.x, 0), source.width - w), y: Math.min(Math.max(view.y, 0), source.height - h) };
}

/** Zooms about a point of the frame (in frame pixels), so what is under the finger stays there. */
export function zoomView(source: { width: number; height: number }, view: CropView, scale: number, at: { x: number; y: number }, frame = PORTRAIT): CropView {
  const sx = view.x + at.x / view.scale;
  const sy = view.y + at.y / view.scale;
  const next = clampView(source, { ...view, scale }, frame);
  return clampView(source, { scale: next.scale, x: sx - at.x / next.scale, y: sy - at.y / next.scale }, frame);
}

/** Moves the image by a drag of (dx, dy) frame pixels. */
export function panView(source: { width: number; height: number }, view: CropView, dx: number, dy: number, frame = PORTRAIT): CropView {
  return clampView(source, { ...view, x: view.x - dx / view.scale, y: view.y - dy / view.scale }, frame);
}

/**
 * Encodes at the best JPEG quality whose file fits the limit: a binary search over quality, so a
 * busy photo still fits and a plain one keeps its detail. Returns null if even the lowest fails.
 */
export async function encodeUnder(limit: number, encode: (quality: number) => Promise<Blob>): Promise<{ blob: Blob; quality: number } | null> {
  let best: { blob: Blob; quality: number } | null = null;
  let low = 0.3;
  let high = 0.95;
  const first = await encode(high);
  if (first.size <= limit) return { blob: first, quality: high };
  for (let round = 0; round < 6; round++) {
    const quality = Math.round(((low + high) / 2) * 100) / 100;
    const blob = await encode(quality);
    if (blob.size <= limit) {
      best = { blob, quality };
      low = quality;
    } else high = quality;
  }
  if (best) return best;
  const last = await encode(0.3);
  return last.size <= limit ? { blob: last, quality: 0.3 } : null;
}
