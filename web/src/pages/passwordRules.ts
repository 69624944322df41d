import type { FormRule } from 'antd';
import type { TFunction } from '../i18n';

export const MIN_PASSWORD = 8;

export function passwordRules(t: TFunction): FormRule[] {
  return [
    { required: true, message: t('common.required') },
    { min: MIN_PASSWORD, message: t('password.minLength') },
  ];
}

/** The confirm field must equal the field named `other`. */
export function confirmRule(t: TFunction, other: string): FormRule {
  return ({ getFieldValue }) => ({
    validator(_, value) {
      if (!value) return Promise.reject(new Error(t('common.required')));
      if (value === getFieldValue(other)) return Promise.resolve();
      return Promise.reject(new Error(t('password.mismatch')));
    },
  });
}
