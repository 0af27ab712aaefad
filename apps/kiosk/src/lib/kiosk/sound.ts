// Each answer at the door has its own sound, so that the operator hears a problem without looking.
import type { TapDecision } from '@opencme/core';

/** Tones (Hz, ms) per decision: rising for in, falling for out, low and repeated for problems. */
const TONES: Record<TapDecision['kind'], [number, number][]> = {
  'sign-in': [
    [880, 120],
    [1320, 160],
  ],
  'sign-out': [
    [1320, 120],
    [880, 160],
  ],
  'already-signed-in': [[1046, 90]],
  'outside-window': [
    [330, 200],
    [330, 200],
  ],
  'unknown-card': [[262, 350]],
  'denied-card': [
    [220, 180],
    [220, 180],
    [220, 180],
  ],
};

let context: AudioContext | null = null;

export function playTapSound(kind: TapDecision['kind']): void {
  if (typeof AudioContext === 'undefined') return;
  context ??= new AudioContext();
  let start = context.currentTime;
  for (const [frequency, ms] of TONES[kind]) {
    const oscillator = context.createOscillator();
    const gain = context.createGain();
    oscillator.frequency.value = frequency;
    gain.gain.value = 0.2;
    oscillator.connect(gain).connect(context.destination);
    oscillator.start(start);
    oscillator.stop(start + ms / 1000);
    start += ms / 1000 + 0.05;
  }
}
