// The one way run-provided text (names, reasons, URLs, errors) reaches the page.
const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text → HTML text or attribute value: markup characters escaped, control characters and lone surrogates replaced. */
export function esc(text: string): string {
  return (
    text
      .toWellFormed()
      .replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c)
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g, '\uFFFD')
  );
}
