// Pure helpers of the template designer (tested in designer.test.ts).
import type { ControlKind, ControlType, TemplateDefinition } from '../../approvals/types';

/** A new template: a required reason and the direct manager as the only approver. */
export function emptyDefinition(name: string): TemplateDefinition {
  return {
    name: { zh: name, en: '' },
    icon: 'general',
    group: '',
    description: '',
    scope: { member_ids: [], department_ids: [] },
    form: { controls: [{ id: 'reason', title: { zh: '事由', en: 'Reason' }, required: true, kind: { type: 'textarea' } }] },
    flow: { nodes: [{ type: 'approver', id: 'manager', name: '直属上级', source: { type: 'manager', level: 1 }, mode: 'any' }], missing_approver: 'to_admins', skip_self: true, dedupe_consecutive: true },
    settings: { allow_withdraw_after_approval: false, require_reject_comment: true },
  };
}

/** The settings a freshly added control of `type` starts with. */
export function defaultKind(type: ControlType): ControlKind {
  switch (type) {
    case 'number':
      return { type, decimals: 0 };
    case 'money':
      return { type, currency: 'CNY' };
    case 'date':
    case 'date_range':
      return { type, with_time: false };
    case 'select':
      return { type, multiple: false, options: [{ id: 'opt1', label: { zh: '选项1', en: 'Option 1' } }] };
    case 'contact':
      return { type, departments: false, multiple: false };
    case 'table':
      return { type, columns: [{ id: 'item', title: { zh: '项目', en: 'Item' }, required: true, kind: { type: 'text' } }] };
    case 'description':
      return { type, text: { zh: '', en: '' } };
    case 'formula':
      return { type, expression: '', decimals: 2 };
    default:
      return { type } as ControlKind;
  }
}

