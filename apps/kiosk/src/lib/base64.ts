/**
 * Standard base64 of a file or blob, as the API takes uploads (photos, evidence, attachments).
 * In chunks: spreading a 10 MB file into one `String.fromCharCode` call overflows its arguments.
 */
export async function blobToBase64(blob: Blob): Promise<string> {
  const bytes = new Uint8Array(await blob.arrayBuffer());
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}
