import { describe, expect, it } from 'vitest';
import { avatarColor, describeUserAgent, initialOf } from './format';
import { matchesText } from '../admin/members/filter';
import type { Member } from '../api/types';

describe('format', () => {
  it('initialOf takes the first character, upper-casing Latin letters', () => {
    expect(initialOf('张三')).toBe('张');
    expect(initialOf('alice')).toBe('A');
    expect(initialOf('  ')).toBe('?');
    expect(initialOf(null)).toBe('?');
  });

  it('avatarColor is stable', () => {
    expect(avatarColor('abc')).toBe(avatarColor('abc'));
    expect(avatarColor('abc')).toMatch(/^#[0-9a-f]{6}$/);
  });

  it('describes user agents', () => {
    expect(describeUserAgent('Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36')).toBe('Chrome · Linux');
    expect(describeUserAgent('Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Version/17.0 Mobile/15E148 Safari/604.1')).toBe('Safari · iOS');
    expect(describeUserAgent(null)).toBe('Unknown device');
  });
});

describe('admin member filter', () => {
  const m = { name: '张三', employee_id: 'zhangsan01', phone: '13800000000', email: null, position: '工程师' } as Member;
  it('matches on name, employee id, phone and position', () => {
    expect(matchesText(m, '')).toBe(true);
    expect(matchesText(m, '张')).toBe(true);
    expect(matchesText(m, 'ZhangSan')).toBe(true);
    expect(matchesText(m, '1380')).toBe(true);
    expect(matchesText(m, '工程')).toBe(true);
    expect(matchesText(m, 'lisi')).toBe(false);
  });
});
