/** The verification code as pdftotext reads it under a proof's QR code (wrapped over several lines). */
export function printedCode(text: string): string {
  const after = text.slice(text.indexOf('核验码：') + '核验码：'.length);
  return after.replace(/\s+/g, '').match(/^OC1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+/)?.[0] ?? '';
}
