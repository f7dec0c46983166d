import { describe, expect, test } from 'vitest';
import { PickerSelect, regionGroups } from '../../src/web/picker.js';

const regions = [
  { code: '520000', name: '贵州省', level: 'province', parent_code: null },
  { code: '520300', name: '遵义市', level: 'prefecture', parent_code: '520000' },
  { code: '520328', name: '湄潭县', level: 'county', parent_code: '520300' },
];

describe('region picker', () => {
  test('offers province, prefecture and county by name for who may serve all three', () => {
    expect(regionGroups(regions, { wholePrefecture: true })).toEqual([
      { label: '贵州省', options: [['520000', '贵州省（全省）']] },
      {
        label: '遵义市',
        options: [
          ['520300', '遵义市（全市）'],
          ['520328', '湄潭县'],
        ],
      },
    ]);
    // A station sits in one county.
    expect(regionGroups(regions)).toEqual([{ label: '遵义市', options: [['520328', '湄潭县']] }]);
  });

  test('keeps a stored value the options no longer offer selected, so saving does not clear it', () => {
    const html = String(
      PickerSelect({ label: '地区', name: 'region_code', groups: regionGroups(regions), value: '520399' }),
    );
    expect(html).toContain('<option value="520399" selected="">520399</option>');
    const offered = String(
      PickerSelect({ label: '地区', name: 'region_code', groups: regionGroups(regions), value: '520328' }),
    );
    expect(offered).toContain('<option value="520328" selected="">湄潭县</option>');
    expect(offered.match(/selected=""/g)).toHaveLength(1);
  });
});
