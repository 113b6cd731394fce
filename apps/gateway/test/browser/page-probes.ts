/**
 * Code the browser suite runs inside its pages, as source text: the gateway's TypeScript has no DOM types, and
 * these few lines need none of the test's own.
 */

/** Width, height and count of non-black pixels of the canvas `selector`. */
export const litPixels = (selector: string): string => `(() => {
  const c = document.querySelector(${JSON.stringify(selector)});
  const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  let n = 0;
  for (let i = 0; i < px.length; i += 4) if (px[i] > 0) n++;
  return { n, w: c.width, h: c.height };
})()`;

/**
 * The controls (buttons, inputs, selects, text areas, canvases, links) without an accessible name: no label
 * element, aria-label or aria-labelledby, and for buttons and links no text.
 */
export const UNNAMED_CONTROLS = `[...document.querySelectorAll('button, input, select, textarea, canvas, a')]
  .filter((el) => {
    if (el.getAttribute('aria-label') || el.getAttribute('aria-labelledby')) return false;
    if (el.labels && el.labels.length > 0) return false;
    if ((el.tagName === 'BUTTON' || el.tagName === 'A') && el.textContent.trim()) return false;
    return true;
  })
  .map((el) => el.outerHTML.slice(0, 80))`;

/** The page's scroll width and, for each selector, the horizontal extent of its first element. */
export const layout = (selectors: string[]): string => `({
  scrollWidth: document.documentElement.scrollWidth,
  controls: ${JSON.stringify(selectors)}.map((s) => {
    const r = document.querySelector(s).getBoundingClientRect();
    return { s, left: Math.round(r.left), right: Math.round(r.right), width: Math.round(r.width) };
  }),
})`;
