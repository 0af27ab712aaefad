export { default as SyncStatusBar } from './SyncStatusBar.svelte';
export { default as TapResult } from './TapResult.svelte';
