// The verification code printed under the QR code must read back exactly from the PDF's text:
// an electronic copy is verified by pasting it, and pdftotext (like a viewer's copy) drops a
// hyphen that ends a line, taking it for a word break.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { codeLines, renderProofsPdf } from './proof-pdf.ts';

describe('the printed verification code', () => {
  it('is cut into lines that never end in a hyphen and join back to the code', () => {
    const code = 'OC1.' + 'ab-'.repeat(60) + '.' + '--x'.repeat(30);
    for (const width of [5, 17, 40, 64]) {
      const lines = codeLines(code, width);
      expect(lines.join('')).toBe(code);
      expect(lines.every((l) => l.length <= width && l.length > 0)).toBe(true);
      expect(lines.slice(0, -1).filter((l) => l.endsWith('-'))).toEqual([]);
    }
  });

  it('reads back from the PDF with pdftotext even where hyphens fall at every line end', async () => {
    // Hyphens at every fourth place: whatever the line width, a naive cut would end lines on one.
    const code = 'OC1.' + 'AbC-'.repeat(80) + '.' + 'x_y-'.repeat(20);
    const pdf = await renderProofsPdf(
      [
        {
          kind: 'attendance-certificate',
          code,
          institution: '湖南省人民医院',
          institutionId: 'unit',
          payload: {
            kind: 'attendance-certificate',
            id: '01a22d29-db65-7ea1-bd01-9d5395afa734',
            name: '林嘉怡',
            idMasked: '440***********123X',
            projectNumber: '',
            projectName: '急危重症诊疗新进展学习班',
            creditClass: 'I',
            credits: 2,
            cmeYear: 2026,
            issuedOn: '2026-11-23',
            keyId: '80acf17ea63ab06c',
          },
        },
      ],
      { verifyUrl: 'https://cme.example.cn/verify' },
    );
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'opencme-code-'));
    const file = path.join(dir, 'certificate.pdf');
    fs.writeFileSync(file, pdf);
    const text = execFileSync('pdftotext', [file, '-'], { encoding: 'utf8' });
    fs.rmSync(dir, { recursive: true, force: true });
    const printed = text.slice(text.indexOf('核验码：') + '核验码：'.length).replace(/\s+/g, '');
    expect(printed.startsWith(code)).toBe(true);
  });
});
