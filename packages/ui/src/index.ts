export { default as SyncStatusBar } from './SyncStatusBar.svelte';
export { default as TapResult } from './TapResult.svelte';
export { default as PhotoCropper, type CroppedPhoto, type CropperTexts } from './photo/PhotoCropper.svelte';
export { PORTRAIT } from './photo/crop.ts';
