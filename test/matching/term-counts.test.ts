import { describe, expect, it } from 'vitest';
import { createTermCountCache } from '../../src/modules/matching/term-counts.js';

describe('term count cache', () => {
  it('returns a count until it expires, per index', () => {
    let now = 0;
    const counts = createTermCountCache({ ttlMs: 1000, maxEntries: 10, now: () => now });
    counts.set('experts', '干燥', 412);

    expect(counts.get('experts', '干燥')).toBe(412);
    expect(counts.get('societies', '干燥')).toBeUndefined();
    now = 999;
    expect(counts.get('experts', '干燥')).toBe(412);
    now = 1000;
    expect(counts.get('experts', '干燥')).toBeUndefined();
  });

  it('drops the oldest entries beyond its size', () => {
    const counts = createTermCountCache({ ttlMs: 60_000, maxEntries: 2 });
    counts.set('experts', '茶叶', 1);
    counts.set('experts', '辣椒', 2);
    counts.set('experts', '刺梨', 3);

    expect(counts.get('experts', '茶叶')).toBeUndefined();
    expect(counts.get('experts', '辣椒')).toBe(2);
    expect(counts.get('experts', '刺梨')).toBe(3);
  });

  it('keeps nothing when turned off', () => {
    const counts = createTermCountCache({ ttlMs: 0, maxEntries: 10 });
    counts.set('experts', '干燥', 412);

    expect(counts.get('experts', '干燥')).toBeUndefined();
  });
});
