// Small pieces of markup and text the sections share.
import { esc } from './escape.js';

export function section(id: string, title: string, body: string): string {
  return `<section id="${id}"><h2>${title}</h2>${body}</section>`;
}

export function badge(text: string, tone: 'good' | 'bad' | 'neutral' | 'info'): string {
  return `<span class="badge ${tone}">${esc(text)}</span>`;
}

export function stageRef(index: number, name: string): string {
  return `stage ${index} · ${esc(name)}`;
}

export function pctText(ratio: number): string {
  return `${(ratio * 100).toFixed(2)}%`;
}
