// The most frequent failures of the run, across its stages.
import type { RunRecord } from '../../../../core/model.js';
import { group } from '../../cells.js';
import { section, stageRef } from '../blocks.js';
import { esc } from '../escape.js';

const MAX_FAILURE_ROWS = 10;
const MAX_ERROR_CHARS = 240;

export function failuresSection(run: RunRecord): string {
  const rows = run.stages.flatMap((s) => s.failures.map((f) => ({ s, f }))).sort((a, b) => b.f.occurrences - a.f.occurrences);
  if (rows.length === 0) return '';
  const body = rows
    .slice(0, MAX_FAILURE_ROWS)
    .map(
      ({ s, f }) =>
        `<tr><td>${stageRef(s.index, s.name)}</td><td><code>${esc(`${f.method} ${f.name}`.trim())}</code></td>` +
        `<td class="err">${esc(truncate(f.error))}</td><td class="num">${group(f.occurrences)}</td></tr>`,
    );
  const more = rows.length > MAX_FAILURE_ROWS ? `<p class="muted">${rows.length - MAX_FAILURE_ROWS} more in the stages' failures.csv.</p>` : '';
  return section(
    'failures',
    'Failures',
    `<div class="scroll"><table><thead><tr><th>Stage</th><th>Request</th><th>Error</th><th class="num">Occurrences</th></tr></thead><tbody>${body.join('')}</tbody></table></div>${more}`,
  );
}

function truncate(text: string): string {
  const one = text.replace(/\s*[\r\n]+\s*/g, ' ');
  return one.length > MAX_ERROR_CHARS ? `${one.slice(0, MAX_ERROR_CHARS - 1)}…` : one;
}
