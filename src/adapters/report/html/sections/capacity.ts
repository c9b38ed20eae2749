// The capacity search: its answer, and each probe's users and verdict in the order they ran.
import type { RunRecord } from '../../../../core/model.js';
import { section } from '../blocks.js';
import { chart } from '../chart-kit/chart.js';
import type { Mark } from '../chart-kit/marks.js';
import { extent } from '../chart-kit/scale.js';
import { esc } from '../escape.js';
import { C } from '../theme.js';

export function capacitySection(run: RunRecord): string {
  const cap = run.capacity;
  if (cap === null) return '';
  const answer =
    cap.users === null
      ? '<strong class="bad">no user count met the SLO</strong>'
      : `<strong>${cap.users} users</strong> met the SLO` + (cap.breachedAt === null ? '' : `; ${cap.breachedAt} users breached it`);
  let figure = '<p class="muted">No probe ran.</p>';
  if (cap.probes.length > 0) {
    const probes = cap.probes.map((p, i) => ({ n: String(i + 1), users: p.users, pass: p.pass }));
    // The answer (green) and the smallest breach (red) as dashed rules, labelled above the plot.
    const rule = (users: number | null, color: string, label: string): Mark[] =>
      users === null ? [] : [{ kind: 'vrule', x: users, color, dash: '4,3', label, bold: true, above: true }];
    const [lo, hi] = extent([...probes.map((p) => p.users), cap.users ?? NaN, cap.breachedAt ?? NaN]);
    const svg = chart(
      "Capacity search: each probe's users and whether it met the SLO",
      [
        {
          width: 720,
          height: Math.max(120, probes.length * 26),
          x: { kind: 'linear', min: lo, max: hi, title: 'users' },
          y: { kind: 'point', domain: probes.map((p) => p.n), title: 'probe' },
          marks: [
            ...rule(cap.users, C.pass, `capacity ${cap.users ?? ''}`),
            ...rule(cap.breachedAt, C.fail, `breach ${cap.breachedAt ?? ''}`),
            { kind: 'line', points: probes.map((p) => [p.users, p.n] as const), color: '#bbb', width: 1 },
            { kind: 'dots', points: probes.map((p) => [p.users, p.n] as const), color: (i) => (probes[i]?.pass ? C.pass : C.fail), r: 5.4 },
            ...probes.map((p): Mark => ({ kind: 'label', x: p.users, y: p.n, dx: 9, dy: 3.5, text: String(p.users) })),
          ],
        },
      ],
      {
        title: 'Probes in the order they ran',
        legend: [
          { label: 'pass', color: C.pass, symbol: 'circle' },
          { label: 'fail', color: C.fail, symbol: 'circle' },
        ],
      },
    );
    figure = `<figure class="wide">${svg}</figure>`;
  }
  return section('capacity', 'Capacity search', `<p>${answer}. ${esc(cap.reason)}</p>${figure}`);
}
