// Form controls editor of the template designer (also edits the columns of a table control).
import { Button, Checkbox, Dropdown, Input, InputNumber, Select, Space, Tag } from 'antd';
import { ArrowDownOutlined, ArrowUpOutlined, DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { useEffect, useState } from 'react';
import { useI18n } from '../../i18n/I18nProvider';
import { move, newControlId, pick } from '../../approvals/logic';
import type { Control, ControlKind, ControlType, FormSchema } from '../../approvals/types';
import { defaultKind } from './designer';
import { L } from './Labeled';

const COLUMN_KINDS: ControlType[] = ['text', 'textarea', 'number', 'money', 'date', 'date_range', 'select', 'contact', 'attachment', 'location'];

export function ControlsEditor({
  controls,
  onChange,
  errorId,
  kinds,
  schema,
  column,
}: {
  controls: Control[];
  onChange: (c: Control[]) => void;
  errorId: string | null;
  kinds: ControlType[];
  schema: FormSchema;
  column?: boolean;
}) {
  const { t } = useI18n();
  const [added, setAdded] = useState<string | null>(null);
  const add = (type: ControlType) => {
    const id = newControlId(controls, type);
    setAdded(id);
    onChange([...controls, { id, title: { zh: t(`ap.d.kind.${type}`), en: '' }, required: false, kind: defaultKind(type) }]);
  };
  return (
    <div data-testid={column ? 'ap-columns' : 'ap-controls'}>
      {controls.length === 0 && <div className="hd-muted">{t('ap.d.noControls')}</div>}
      {controls.map((c, i) => (
        <ControlCard
          key={`${i}-${c.id}`}
          control={c}
          index={i}
          count={controls.length}
          error={errorId === c.id}
          defaultOpen={c.id === added || !!column}
          before={controls.slice(0, i)}
          schema={schema}
          column={column}
          onChange={(nc) => onChange(controls.map((x, j) => (j === i ? nc : x)))}
          onMove={(d) => onChange(move(controls, i, d))}
          onRemove={() => onChange(controls.filter((_, j) => j !== i))}
        />
      ))}
      <Dropdown menu={{ items: kinds.map((k) => ({ key: k, label: <span data-testid={`ap-add-kind-${k}`}>{t(`ap.d.kind.${k}`)}</span> })), onClick: (e) => add(e.key as ControlType) }} trigger={['click']}>
        <Button type="dashed" icon={<PlusOutlined />} data-testid={column ? 'ap-add-column' : 'ap-add-control'}>
          {column ? t('ap.d.addColumn') : t('ap.d.addControl')}
        </Button>
      </Dropdown>
    </div>
  );
}

function ControlCard({
  control: c,
  index,
  count,
  error,
  defaultOpen,
  before,
  schema,
  column,
  onChange,
  onMove,
  onRemove,
}: {
  control: Control;
  index: number;
  count: number;
  error: boolean;
  defaultOpen?: boolean;
  before: Control[];
  schema: FormSchema;
  column?: boolean;
  onChange: (c: Control) => void;
  onMove: (d: number) => void;
  onRemove: () => void;
}) {
  const { t, locale } = useI18n();
  const k = c.kind;
  const setKind = (nk: ControlKind) => onChange({ ...c, kind: nk });
  const selects = before.filter((x) => x.kind.type === 'select');
  const vwSel = selects.find((x) => x.id === c.visible_when?.control_id);
  const hasValue = k.type !== 'description' && k.type !== 'formula';
  const [open, setOpen] = useState(!!defaultOpen || error);
  useEffect(() => {
    if (error) setOpen(true);
  }, [error]);
  return (
    <div className={`ap-ctl${error ? ' ap-ctl-error' : ''}`} data-testid="ap-ctl" data-control-id={c.id}>
      <div className="ap-ctl-head">
        <Tag>{t(`ap.d.kind.${k.type}`)}</Tag>
        <button type="button" className="ap-ctl-title ap-ctl-toggle" onClick={() => setOpen(!open)} aria-expanded={open} data-testid="ap-ctl-toggle">
          {open ? '▾' : '▸'} {c.required && <span className="ap-req">*</span>}
          {pick(c.title, locale) || c.id}
        </button>
        {hasValue && (
          <Checkbox checked={!!c.required} onChange={(e) => onChange({ ...c, required: e.target.checked })}>
            {t('ap.d.required')}
          </Checkbox>
        )}
        <Button size="small" type="text" icon={<ArrowUpOutlined />} disabled={index === 0} onClick={() => onMove(-1)} aria-label={t('ap.d.moveUp')} />
        <Button size="small" type="text" icon={<ArrowDownOutlined />} disabled={index === count - 1} onClick={() => onMove(1)} aria-label={t('ap.d.moveDown')} />
        <Button size="small" type="text" danger icon={<DeleteOutlined />} onClick={onRemove} aria-label={t('ap.d.remove')} data-testid="ap-ctl-remove" />
      </div>
      {open && (
      <div className="ap-ctl-body">
        <L label={t('ap.d.controlId')}>
          <Input value={c.id} onChange={(e) => onChange({ ...c, id: e.target.value.replace(/[^A-Za-z0-9_-]/g, '') })} maxLength={64} />
        </L>
        <L label={t('ap.d.titleZh')}>
          <Input value={c.title.zh} onChange={(e) => onChange({ ...c, title: { ...c.title, zh: e.target.value } })} data-testid="ap-ctl-title-zh" />
        </L>
        <L label={t('ap.d.titleEn')}>
          <Input value={c.title.en ?? ''} onChange={(e) => onChange({ ...c, title: { ...c.title, en: e.target.value } })} />
        </L>
        {hasValue && (
          <>
            <L label={t('ap.d.placeholderZh')}>
              <Input value={c.placeholder?.zh ?? ''} onChange={(e) => onChange({ ...c, placeholder: { zh: e.target.value, en: c.placeholder?.en ?? '' } })} />
            </L>
            <L label={t('ap.d.placeholderEn')}>
              <Input value={c.placeholder?.en ?? ''} onChange={(e) => onChange({ ...c, placeholder: { zh: c.placeholder?.zh ?? '', en: e.target.value } })} />
            </L>
          </>
        )}
        {k.type === 'number' && (
          <>
            <L label={t('ap.d.unit')}>
              <Input value={k.unit ?? ''} onChange={(e) => setKind({ ...k, unit: e.target.value || null })} />
            </L>
            <L label={t('ap.d.decimals')}>
              <InputNumber min={0} max={6} value={k.decimals ?? 0} onChange={(v) => setKind({ ...k, decimals: v ?? 0 })} />
            </L>
          </>
        )}
        {k.type === 'money' && (
          <L label={t('ap.d.currency')}>
            <Input value={k.currency ?? 'CNY'} onChange={(e) => setKind({ ...k, currency: e.target.value })} maxLength={3} />
          </L>
        )}
        {(k.type === 'date' || k.type === 'date_range') && (
          <Checkbox checked={!!k.with_time} onChange={(e) => setKind({ ...k, with_time: e.target.checked })}>
            {t('ap.d.withTime')}
          </Checkbox>
        )}
        {k.type === 'contact' && (
          <Space direction="vertical">
            <Checkbox checked={!!k.departments} onChange={(e) => setKind({ ...k, departments: e.target.checked })}>
              {t('ap.d.departments')}
            </Checkbox>
            <Checkbox checked={!!k.multiple} onChange={(e) => setKind({ ...k, multiple: e.target.checked })}>
              {t('ap.d.multiple')}
            </Checkbox>
          </Space>
        )}
        {k.type === 'select' && (
          <div className="ap-wide">
            <Checkbox checked={!!k.multiple} onChange={(e) => setKind({ ...k, multiple: e.target.checked })}>
              {t('ap.d.multiple')}
            </Checkbox>
            <span className="ap-mini-label">{t('ap.d.options')}</span>
            {k.options.map((o, i) => (
              <Space.Compact key={i} style={{ width: '100%', marginBottom: 4 }}>
                <Input style={{ width: '25%' }} value={o.id} onChange={(e) => setKind({ ...k, options: k.options.map((x, j) => (j === i ? { ...x, id: e.target.value.replace(/[^A-Za-z0-9_-]/g, '') } : x)) })} aria-label="id" />
                <Input value={o.label.zh} placeholder="中文" onChange={(e) => setKind({ ...k, options: k.options.map((x, j) => (j === i ? { ...x, label: { ...x.label, zh: e.target.value } } : x)) })} />
                <Input value={o.label.en ?? ''} placeholder="English" onChange={(e) => setKind({ ...k, options: k.options.map((x, j) => (j === i ? { ...x, label: { ...x.label, en: e.target.value } } : x)) })} />
                <Button icon={<DeleteOutlined />} onClick={() => setKind({ ...k, options: k.options.filter((_, j) => j !== i) })} aria-label={t('ap.d.remove')} />
              </Space.Compact>
            ))}
            <Button size="small" icon={<PlusOutlined />} onClick={() => setKind({ ...k, options: [...k.options, { id: `opt${k.options.length + 1}`, label: { zh: `选项${k.options.length + 1}`, en: '' } }] })}>
              {t('ap.d.addOption')}
            </Button>
          </div>
        )}
        {k.type === 'description' && (
          <>
            <L label={`${t('ap.d.descText')} (中文)`} wide>
              <Input.TextArea value={k.text.zh} autoSize onChange={(e) => setKind({ ...k, text: { ...k.text, zh: e.target.value } })} />
            </L>
            <L label={`${t('ap.d.descText')} (English)`} wide>
              <Input.TextArea value={k.text.en ?? ''} autoSize onChange={(e) => setKind({ ...k, text: { ...k.text, en: e.target.value } })} />
            </L>
          </>
        )}
        {k.type === 'formula' && (
          <>
            <L label={t('ap.d.expression')} wide>
              <Input value={k.expression} onChange={(e) => setKind({ ...k, expression: e.target.value })} placeholder="items.amount * 1.06" data-testid="ap-ctl-formula" />
              <span className="hd-muted">{t('ap.d.expressionHelp')}</span>
            </L>
            <L label={t('ap.d.decimals')}>
              <InputNumber min={0} max={6} value={k.decimals ?? 2} onChange={(v) => setKind({ ...k, decimals: v ?? 2 })} />
            </L>
          </>
        )}
        {k.type === 'table' && (
          <div className="ap-wide">
            <span className="ap-mini-label">{t('ap.d.columns')}</span>
            <ControlsEditor controls={k.columns} onChange={(columns) => setKind({ ...k, columns })} errorId={null} kinds={COLUMN_KINDS} schema={schema} column />
          </div>
        )}
        {!column && (
          <div className="ap-wide">
            <span className="ap-mini-label">{t('ap.d.visibleWhen')}</span>
            <Space wrap>
              <Select
                style={{ minWidth: 160 }}
                value={c.visible_when?.control_id ?? ''}
                onChange={(v: string) => onChange({ ...c, visible_when: v ? { control_id: v, option_ids: [] } : null })}
                options={[{ value: '', label: t('ap.d.visibleWhenNone') }, ...selects.map((s) => ({ value: s.id, label: pick(s.title, locale) || s.id }))]}
                aria-label={t('ap.d.visibleWhen')}
              />
              {vwSel && vwSel.kind.type === 'select' && (
                <Select
                  mode="multiple"
                  style={{ minWidth: 200 }}
                  placeholder={t('ap.d.visibleOptions')}
                  value={c.visible_when?.option_ids ?? []}
                  onChange={(ids: string[]) => onChange({ ...c, visible_when: { control_id: vwSel.id, option_ids: ids } })}
                  options={vwSel.kind.options.map((o) => ({ value: o.id, label: pick(o.label, locale) || o.id }))}
                />
              )}
            </Space>
          </div>
        )}
      </div>
      )}
    </div>
  );
}
