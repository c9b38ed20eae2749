// The stages that did not complete, and why.
import type { RunRecord } from '../../../../core/model.js';
import { badge, section, stageRef } from '../blocks.js';
import { esc } from '../escape.js';

export function incomplete(run: RunRecord): string {
  const list = run.stages.filter((s) => s.status !== 'completed');
  if (list.length === 0) return '';
  const items = list.map(
    (s) => `<li>${stageRef(s.index, s.name)}: ${badge(s.status, s.status === 'skipped' ? 'neutral' : 'bad')} ${esc(s.reason ?? 'no reason recorded')}</li>`,
  );
  return section('incomplete', 'Stages that did not complete', `<ul class="plain">${items.join('')}</ul>`);
}
