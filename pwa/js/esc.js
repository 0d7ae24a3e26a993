// @ts-check
/* The one way the app writes HTML: `html` escapes every value put into it unless the value is itself made by
   `html`, and the screens put only such values on the page
   (`setHtml`), so a title or a note typed by someone can never become markup. */

/** Markup that is safe to put into the page as it is. */
export class Html {
  /** @param {string} text */
  constructor(text) { this.text = text; }
  toString() { return this.text; }
}

/** @param {unknown} value */
export function esc(value) {
  return String(value == null ? '' : value).replace(/[&<>"']/g, (c) => (
    /** @type {Record<string, string>} */ ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]));
}

/** @param {unknown} value @returns {string} */
function part(value) {
  if (value instanceof Html) return value.text;
  if (Array.isArray(value)) return value.map(part).join('');
  if (value == null || value === false) return '';
  return esc(value);
}

/** A template whose every value is escaped; lists are joined, and nothing, false or null write nothing.
    @param {TemplateStringsArray} strings @param {unknown[]} values */
export function html(strings, ...values) {
  let out = strings[0];
  values.forEach((value, i) => { out += part(value) + strings[i + 1]; });
  return new Html(out);
}

/** The only way the screens put markup into the page.
    @param {Element} element @param {Html} content */
export function setHtml(element, content) {
  element.innerHTML = content.text;
}

/** Replaces the element by the markup.
    @param {Element} element @param {Html} content */
export function replaceHtml(element, content) {
  element.outerHTML = content.text;
}
