import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration, parsePercent } from '../../../src/core/units.js';

describe('units', () => {
  it('parses durations with units', () => {
    expect(parseDuration('90s')).toBe(90_000);
    expect(parseDuration('2m')).toBe(120_000);
    expect(parseDuration('1h30m')).toBe(5_400_000);
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('1m30s250ms')).toBe(90_250);
    expect(parseDuration('1.5s')).toBe(1_500);
  });
  it('rejects durations without units or with junk', () => {
    for (const bad of ['', '90', '2x', 'm', '1h30x', 's1', '-5s']) expect(parseDuration(bad)).toBeNull();
  });
  it('formats durations for people', () => {
    expect(formatDuration(5_400_000)).toBe('1h 30m');
    expect(formatDuration(90_000)).toBe('1m 30s');
    expect(formatDuration(0)).toBe('0ms');
    expect(formatDuration(1_000)).toBe('1s');
  });
  it('parses percentages and ratios', () => {
    expect(parsePercent('1%')).toBe(0.01);
    expect(parsePercent(0.05)).toBe(0.05);
    expect(parsePercent('0.5')).toBe(0.5);
    expect(parsePercent('150%')).toBeNull();
    expect(parsePercent('abc')).toBeNull();
  });
});
