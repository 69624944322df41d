import { describe, expect, it } from 'vitest';
import { ApiError } from '../api/client';
import { describeError, fieldLabel, formatWait } from './errors';
import { makeT } from './index';

const zh = makeT('zh-CN');
const en = makeT('en');
const err = (code: string, message = `server text for ${code}`, field: string | null = null, retryAfter: number | null = null, status = 400) =>
  new ApiError(status, code, message, field, retryAfter);

const CODES = [
  'invalid_credentials',
  'too_many_attempts',
  'unauthenticated',
  'forbidden',
  'csrf_failed',
  'password_change_required',
  'not_found',
  'already_exists',
  'department_cycle',
  'department_not_empty',
  'department_name_taken',
  'department_is_root',
  'last_super_admin',
  'already_set_up',
  'rate_limited',
  'validation_failed',
  'internal_error',
];

describe('describeError', () => {
  it('gives every known code its own text in both languages, never the server English', () => {
    for (const code of CODES) {
      for (const t of [zh, en]) {
        const text = describeError(t, err(code, 'ENGLISH FROM SERVER'));
        expect(text, code).toBeTruthy();
        expect(text, code).not.toMatch(/^errors\./);
        if (code !== 'validation_failed') expect(text, code).not.toContain('ENGLISH FROM SERVER');
      }
      expect(describeError(zh, err(code)), code).not.toBe(describeError(en, err(code)));
    }
  });

  it('shows the sign-in guidance for invalid credentials', () => {
    expect(describeError(zh, err('invalid_credentials', 'Wrong login or password', null, null, 401))).toBe(
      '请使用企业为你分配的工号、手机号或邮箱登录，并检查密码。忘记密码请联系管理员重置。',
    );
    expect(describeError(en, err('invalid_credentials'))).toContain('check your password');
  });

  it('falls back to the server message for unknown codes', () => {
    expect(describeError(zh, err('some_future_code', 'That id was used for another message.'))).toBe(
      'That id was used for another message.',
    );
    expect(describeError(en, err('http_502', 'Bad Gateway', null, null, 502))).toBe('Bad Gateway');
  });

  it('knows the chat error codes', () => {
    expect(describeError(zh, err('recall_window_passed', 'x'))).toBe('已超过可撤回时间，无法撤回该消息。');
    expect(describeError(en, err('owner_must_transfer', 'x'))).toContain('Transfer ownership');
    for (const code of ['already_recalled', 'already_joined', 'client_msg_id_reused']) {
      expect(describeError(zh, err(code, 'server text'))).not.toBe('server text');
    }
  });

  it('includes the Retry-After wait when there is one', () => {
    expect(describeError(zh, err('too_many_attempts', 'x', null, 300, 429))).toBe(
      '登录失败次数过多，请在 5 分钟后重试，或联系管理员重置密码。',
    );
    expect(describeError(en, err('too_many_attempts', 'x', null, 61, 429))).toContain('try again in 2 minutes');
    expect(describeError(en, err('too_many_attempts', 'x', null, null, 429))).toContain('wait a while');
    expect(describeError(zh, err('rate_limited', 'x', null, 3, 429))).toBe('操作过于频繁，请在 3 秒后重试。');
    expect(describeError(en, err('rate_limited', 'x', null, 0, 429))).toBe(en('errors.rate_limited'));
  });

  it('names the clashing field for already_exists', () => {
    expect(describeError(zh, err('already_exists', 'x', 'employee_id', null, 409))).toBe('该工号已被其他成员使用。');
    expect(describeError(zh, err('already_exists', 'x', 'phone', null, 409))).toBe('该手机号已被其他成员使用。');
    expect(describeError(en, err('already_exists', 'x', 'email', null, 409))).toBe('This email is already used by another member.');
    expect(describeError(en, err('already_exists', 'x', null, null, 409))).toBe('A record with the same value already exists.');
  });

  it('prefixes validation messages with the localized field label', () => {
    const e = err('validation_failed', 'Phone must be 11 digits.', 'phone', null, 422);
    expect(describeError(zh, e)).toBe('请检查“手机号”：Phone must be 11 digits.');
    expect(describeError(en, e)).toBe('Please check the field “Phone”: Phone must be 11 digits.');
    // per-form label overrides and unknown fields
    expect(describeError(zh, err('validation_failed', 'Too long.', 'name'), { fieldLabels: { name: '部门名称' } })).toBe(
      '请检查“部门名称”：Too long.',
    );
    expect(describeError(en, err('validation_failed', 'Bad.', 'frobnicate'))).toBe('Please check the field “frobnicate”: Bad.');
    expect(describeError(en, err('validation_failed', 'Bad JSON.'))).toBe('Please check your input: Bad JSON.');
  });

  it('handles network failures and non-API errors', () => {
    expect(describeError(zh, new ApiError(0, 'network_error', 'Failed to fetch'))).toBe('无法连接服务器，请检查网络后重试。');
    expect(describeError(en, new Error('boom'))).toBe('boom');
    expect(describeError(en, 'plain')).toBe('plain');
    expect(describeError(zh, null)).toBe('出错了');
  });
});

describe('helpers', () => {
  it('formats waits in seconds, then whole minutes', () => {
    expect(formatWait(en, 1)).toBe('1 second');
    expect(formatWait(en, 45)).toBe('45 seconds');
    expect(formatWait(en, 60)).toBe('1 minute');
    expect(formatWait(en, 899)).toBe('15 minutes');
    expect(formatWait(zh, 0.2)).toBe('1 秒');
  });

  it('maps fields to form labels', () => {
    expect(fieldLabel(zh, 'employee_id')).toBe('工号');
    expect(fieldLabel(en, 'parent_id')).toBe('Parent department');
    expect(fieldLabel(en, 'nope')).toBe('nope');
  });
});

describe('upload errors', () => {
  it('localizes too large, quota and a refused picture', () => {
    expect(describeError(zh, err('payload_too_large', 'too big', null, null, 413))).toBe('文件太大，无法上传。');
    expect(describeError(en, err('quota_exceeded', 'full', null, null, 409))).toContain('storage is full');
    expect(describeError(zh, err('validation_failed', 'not a supported picture', 'file', null, 422))).toBe('请检查“文件”：not a supported picture');
  });
});
