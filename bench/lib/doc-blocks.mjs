// docs/benchmarks.md is written by more than one bench script: bench.mjs writes the page, and
// bench/sweep.mjs (which takes an hour or more) its own block. Each keeps the other's block so a
// quick `npm run bench` does not throw an expensive sweep away.
export const SWEEP_BEGIN = '<!-- bench/sweep.mjs: begin (npm run bench -- --sweep rewrites this block) -->';
export const SWEEP_END = '<!-- bench/sweep.mjs: end -->';

/** The sweep's block of a page, markers included, or '' when it has none. */
export function extractBlock(doc) {
  const a = doc.indexOf(SWEEP_BEGIN);
  const b = doc.indexOf(SWEEP_END);
  return a >= 0 && b > a ? doc.slice(a, b + SWEEP_END.length) : '';
}

/** The page with its sweep block replaced by `block`, or `block` inserted before the first "## What limits" (else appended). */
export function replaceBlock(doc, block) {
  const old = extractBlock(doc);
  if (old) return doc.replace(old, block);
  const at = doc.indexOf('\n## What limits');
  return at >= 0 ? `${doc.slice(0, at)}\n${block}\n${doc.slice(at)}` : `${doc.trimEnd()}\n\n${block}\n`;
}
