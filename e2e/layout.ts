// The screens the app is used on, and what a page must be on each of them: as wide as the screen
// (no sideways scroll), nothing drawn over anything else, on a kiosk every target big enough for a
// finger, and nothing a person cannot read (record ids, JSON, message keys). One implementation
// for every spec that looks at a layout.
import path from 'node:path';
import { expect, type Page, type TestInfo } from '@playwright/test';

export const SIZES = [
  { name: 'phone', width: 390, height: 844 },
  { name: 'tablet-landscape', width: 1280, height: 800 },
  { name: 'tablet-portrait', width: 800, height: 1280 },
  { name: 'desktop', width: 1440, height: 900 },
] as const;
export type Size = (typeof SIZES)[number];

/** The smallest target a fingertip hits reliably, in CSS px (half a pixel for rounding). */
export const TOUCH_TARGET = 48;

/** Resizes the window and lets layout (and charts listening for size changes) settle. */
export async function resize(page: Page, size: Size): Promise<void> {
  await page.setViewportSize({ width: size.width, height: size.height });
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
}

export interface Layout {
  scrollWidth: number;
  clientWidth: number;
  text: string;
  /** Pairs of boxes drawn over each other, described for a person. */
  overlaps: string[];
  /** Interactive elements smaller than a fingertip, with their size. */
  small: string[];
}

/**
 * The page as the eye and the finger meet it. Boxes are the visible buttons, links, fields, labels,
 * headings and table cells, each cut to the scrolling boxes it lies in (a wide table scrolls inside
 * its box: what is scrolled out of view overlaps nothing); an inline box broken over lines counts
 * line by line. Two boxes overlap when they share more than 2 px each way and neither holds the other.
 * With a modal dialog open only the dialog counts: the rest of the page cannot be seen or touched.
 */
export function measure(page: Page, touchTarget: number): Promise<Layout> {
  return page.evaluate((touchTarget) => {
    const scope = document.querySelector('dialog[open]') ?? document;
    type Box = { el: Element; what: string; rects: { left: number; top: number; right: number; bottom: number }[] };
    const describe = (el: Element) => {
      const words = (el.textContent || el.getAttribute('aria-label') || el.getAttribute('name') || '').replace(/\s+/g, ' ').trim().slice(0, 30);
      return `${el.tagName.toLowerCase()} "${words}"`;
    };
    /** The part of a rect left visible by the element's clipping ancestors, or null if none is. */
    const clipped = (el: Element, r: DOMRect) => {
      let { left, top, right, bottom } = r;
      for (let a = el.parentElement; a && a !== document.documentElement; a = a.parentElement) {
        const style = getComputedStyle(a);
        if (style.overflowX === 'visible' && style.overflowY === 'visible') continue;
        const c = a.getBoundingClientRect();
        left = Math.max(left, c.left);
        right = Math.min(right, c.right);
        top = Math.max(top, c.top);
        bottom = Math.min(bottom, c.bottom);
      }
      return right - left > 0 && bottom - top > 0 ? { left: left + scrollX, top: top + scrollY, right: right + scrollX, bottom: bottom + scrollY } : null;
    };
    const visible = (el: Element) => {
      const style = getComputedStyle(el);
      return style.visibility !== 'hidden' && style.display !== 'none' && Number(style.opacity) > 0;
    };

    const boxes: Box[] = [];
    const small: string[] = [];
    const interactive = 'button, a[href], input:not([type=hidden]), select, textarea, summary';
    for (const el of scope.querySelectorAll(`${interactive}, label, h1, h2, h3, h4, h5, h6, th, td, legend`)) {
      if (!visible(el)) continue;
      const rects = [...el.getClientRects()].map((r) => clipped(el, r)).filter((r) => r !== null);
      if (rects.length === 0) continue;
      boxes.push({ el, what: describe(el), rects });
      if (el.matches(interactive)) {
        // A radio or checkbox is tapped by its label.
        const target = el instanceof HTMLInputElement && (el.type === 'radio' || el.type === 'checkbox') ? (el.closest('label') ?? el) : el;
        const r = target.getBoundingClientRect();
        if (r.width < touchTarget - 0.5 || r.height < touchTarget - 0.5) small.push(`${describe(el)} ${Math.round(r.width)}×${Math.round(r.height)}`);
      }
    }

    const overlaps: string[] = [];
    for (const [i, a] of boxes.entries()) {
      for (const b of boxes.slice(i + 1)) {
        if (a.el.contains(b.el) || b.el.contains(a.el)) continue;
        // A label and the field it names are one target.
        if (a.el instanceof HTMLLabelElement && a.el.control === b.el) continue;
        if (b.el instanceof HTMLLabelElement && b.el.control === a.el) continue;
        const hit = a.rects.some((p) =>
          b.rects.some((q) => Math.min(p.right, q.right) - Math.max(p.left, q.left) > 2 && Math.min(p.bottom, q.bottom) - Math.max(p.top, q.top) > 2),
        );
        if (hit) overlaps.push(`${a.what} / ${b.what}`);
      }
    }
    const root = document.scrollingElement ?? document.documentElement;
    return { scrollWidth: root.scrollWidth, clientWidth: root.clientWidth, text: document.body.innerText, overlaps, small };
  }, touchTarget);
}

/**
 * Checks the page as it is now (softly: every defect of every size is reported at once). `touch`:
 * a kiosk page, where every target must take a fingertip.
 */
export async function checkLayout(page: Page, where: string, options: { touch?: boolean } = {}): Promise<void> {
  const layout = await measure(page, options.touch ? TOUCH_TARGET : 0);
  expect.soft(layout.scrollWidth, `${where}: no horizontal scroll`).toBeLessThanOrEqual(layout.clientWidth);
  expect.soft(layout.overlaps, `${where}: overlapping elements`).toEqual([]);
  if (options.touch) expect.soft(layout.small, `${where}: targets under ${TOUCH_TARGET}×${TOUCH_TARGET} px`).toEqual([]);
  expectReadable(layout.text, where);
}

/** What a person reads: no record ids, no JSON, no untranslated message keys. */
export function expectReadable(text: string, where: string): void {
  expect.soft(text, `${where}: a record's id on screen`).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}/i);
  expect.soft(text, `${where}: JSON on screen`).not.toMatch(/[{[]\s*"|":/);
  expect
    .soft(text, `${where}: a message key on screen`)
    .not.toMatch(/\b(?:app|admin|pair|pin|session|tap|demo|reader|status|selfTest|review|claims|register|compliance|print|rules|audit)\.[a-z][a-zA-Z]+\b/);
}

/**
 * The whole page as a PNG under test-results/screens/<name>.png, attached to the test's report:
 * a layout can pass every check and still look wrong to a person.
 */
export async function keepScreenshot(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  const file = path.join(testInfo.project.outputDir, 'screens', `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  await testInfo.attach(name, { path: file, contentType: 'image/png' });
}
