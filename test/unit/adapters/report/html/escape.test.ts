// esc(): the one way run-provided text reaches the page, as text or as an attribute value.
import { describe, expect, it } from 'vitest';
import { esc } from '../../../../../src/adapters/report/html/escape.js';

describe('esc', () => {
  it('escapes the five markup characters and leaves the rest of the text as it is', () => {
    expect(esc(`<a href="x">Tom & 'Jerry'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;Tom &amp; &#39;Jerry&#39;&lt;/a&gt;');
    expect(esc('&amp;')).toBe('&amp;amp;'); // text, not markup: an entity is escaped again
    expect(esc('ünï ✓ 日本 — 😀')).toBe('ünï ✓ 日本 — 😀');
  });

  it('replaces control characters and lone surrogates, keeps tabs and line breaks', () => {
    expect(esc('a\u0000b\u001bc\u007f\n\td\re')).toBe('a\uFFFDb\uFFFDc\uFFFD\n\td\re');
    expect(esc('x\uD800y')).toBe('x\uFFFDy');
    expect(esc('\uDE00')).toBe('\uFFFD');
  });
});
