import { describe, expect, it } from 'vitest';
import { defaultKind, emptyDefinition } from './designer';
import type { ControlType } from '../../approvals/types';

const KINDS: ControlType[] = [
  'text', 'textarea', 'number', 'money', 'date', 'date_range', 'select', 'contact', 'attachment', 'table',
  'location', 'description', 'leave', 'business_trip', 'outing', 'overtime', 'punch_correction', 'formula',
];

describe('designer defaults', () => {
  it('gives every control kind a well-formed starting shape', () => {
    for (const k of KINDS) {
      const kind = defaultKind(k);
      expect(kind.type).toBe(k);
      if (kind.type === 'select') expect(kind.options.length).toBeGreaterThan(0);
      if (kind.type === 'table') expect(kind.columns.length).toBeGreaterThan(0);
      if (kind.type === 'formula') expect(kind.decimals).toBe(2);
    }
  });
  it('starts a template with a reason and the direct manager', () => {
    const d = emptyDefinition('新模板');
    expect(d.name.zh).toBe('新模板');
    expect(d.form.controls.map((c) => c.id)).toEqual(['reason']);
    expect(d.flow.nodes).toEqual([expect.objectContaining({ type: 'approver', source: { type: 'manager', level: 1 } })]);
    expect(d.settings?.require_reject_comment).toBe(true);
  });
});
