import { describe, expect, it } from 'vitest';
import { detectLocale, makeT, normalizeLocale, translate } from './index';
import { en } from './en';
import { zhCN } from './zh-CN';

describe('i18n', () => {
  it('detects Chinese and English browsers, defaulting to English', () => {
    expect(detectLocale(['zh-CN', 'en'])).toBe('zh-CN');
    expect(detectLocale(['zh-TW'])).toBe('zh-CN');
    expect(detectLocale(['en-US', 'zh-CN'])).toBe('en');
    expect(detectLocale(['fr-FR', 'zh'])).toBe('zh-CN');
    expect(detectLocale(['de'])).toBe('en');
    expect(detectLocale([])).toBe('en');
    expect(detectLocale(undefined)).toBe('en');
  });

  it('translates with interpolation', () => {
    expect(translate('en', 'contacts.members', { count: 3 })).toBe('3 members');
    expect(translate('zh-CN', 'contacts.members', { count: 3 })).toBe('3 位成员');
    expect(makeT('zh-CN')('nav.contacts')).toBe('通讯录');
    // unknown placeholders stay visible rather than vanishing
    expect(translate('en', 'contacts.noResults')).toBe('No one matches “{q}”');
  });

  it('has the required login guidance in both languages', () => {
    expect(translate('en', 'login.help')).toBe(
      'Use the employee ID, phone or email your company assigned. Forgot your password? Ask your administrator to reset it.',
    );
    expect(translate('zh-CN', 'login.help')).toBe('请使用企业为你分配的工号、手机号或邮箱登录。忘记密码请联系管理员重置。');
    expect(translate('zh-CN', 'errors.invalid_credentials')).toBe(
      '请使用企业为你分配的工号、手机号或邮箱登录，并检查密码。忘记密码请联系管理员重置。',
    );
  });

  it('zh-CN covers every key with a non-empty string and the same placeholders', () => {
    for (const key of Object.keys(en) as (keyof typeof en)[]) {
      expect(zhCN[key], key).toBeTruthy();
      const ph = (s: string) => (s.match(/\{\w+\}/g) ?? []).sort().join(',');
      expect(ph(zhCN[key]), key).toBe(ph(en[key]));
    }
    expect(Object.keys(zhCN).sort()).toEqual(Object.keys(en).sort());
  });

  it('normalizes locale values from settings', () => {
    expect(normalizeLocale('zh-CN')).toBe('zh-CN');
    expect(normalizeLocale('en')).toBe('en');
    expect(normalizeLocale('fr')).toBeNull();
    expect(normalizeLocale(undefined)).toBeNull();
  });
});
