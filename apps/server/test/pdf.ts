// Reading what the server produces as a recipient does: PDFs through poppler, spreadsheets through exceljs.
/** The verification code as pdftotext reads it under a proof's QR code (wrapped over several lines). */
export function printedCode(text: string): string {
  const after = text.slice(text.indexOf('核验码：') + '核验码：'.length);
  return after.replace(/\s+/g, '').match(/^OC1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+/)?.[0] ?? '';
}

/** A red round stamp as a unit scans its seal (PNG). */
export async function redStamp(): Promise<Buffer> {
  const { default: sharp } = await import('sharp');
  const svg =
    '<svg xmlns="http://www.w3.org/2000/svg" width="300" height="300"><circle cx="150" cy="150" r="140" fill="none" stroke="#d01010" stroke-width="16"/><circle cx="150" cy="150" r="40" fill="#d01010"/></svg>';
  return sharp(Buffer.from(svg)).png().toBuffer();
}

/** The share of strongly red pixels in the seal area of a PDF's first page (pdftoppm at 72 dpi: one pixel a point). */
export async function redInSealArea(pdfFile: string): Promise<number> {
  const { execFileSync } = await import('node:child_process');
  const { default: sharp } = await import('sharp');
  const { SEAL_AREA: a } = await import('../src/proof-pdf.ts');
  const prefix = pdfFile.replace(/\.pdf$/, '-page1');
  execFileSync('pdftoppm', ['-png', '-r', '72', '-f', '1', '-l', '1', '-singlefile', pdfFile, prefix]);
  const { data, info } = await sharp(`${prefix}.png`)
    .extract({ left: Math.round(a.left), top: Math.round(a.top), width: a.width, height: a.height })
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  let red = 0;
  for (let i = 0; i < data.length; i += 3) if (data[i]! > 150 && data[i + 1]! < 90 && data[i + 2]! < 90) red += 1;
  return red / (info.width * info.height);
}

/** The cells of an .xlsx file's first sheet, as text, row by row (the header first). */
export async function sheetRows(bytes: Uint8Array): Promise<string[][]> {
  const { default: ExcelJS } = await import('exceljs');
  const book = new ExcelJS.Workbook();
  await book.xlsx.load(Buffer.from(bytes) as unknown as ArrayBuffer);
  const rows: string[][] = [];
  // The exports hold strings, numbers and dates only: a rich-text cell would read "[object Object]"
  // and fail the test that looks at it.
  // eslint-disable-next-line @typescript-eslint/no-base-to-string
  book.worksheets[0]!.eachRow((row) => rows.push((row.values as unknown[]).slice(1).map((v) => (v === null || v === undefined ? '' : String(v)))));
  return rows;
}
