// Renders a template's form for filling in (FormEditor) and a request's values read-only (FormView).
import { Button, Input, InputNumber, Select, Upload } from 'antd';
import { DeleteOutlined, EnvironmentOutlined, FileOutlined, PlusOutlined, UploadOutlined } from '@ant-design/icons';
import { useState, type ReactNode } from 'react';
import { uploadFile } from '../api/upload';
import { useI18n } from '../i18n/I18nProvider';
import { describeError } from '../i18n/errors';
import { columnSum, formatDuration, isVisible, leaveDuration, pick, rangeDuration, valueText, type LeaveRaw, type RawValues } from './logic';
import { DeptSelect, MemberSelect } from './pickers';
import type { Control, FormSchema, FormValues, LeaveBalance, LeaveType, Value } from './types';

export interface FieldErrors {
  /** By control id, or `id.row.column` for table cells. */
  [key: string]: string;
}

interface Ctx {
  leaveTypes: LeaveType[];
  balances: LeaveBalance[];
  computed?: FormValues;
}

type Obj = Record<string, unknown>;
const str = (v: unknown) => (typeof v === 'string' ? v : v == null ? '' : String(v));

export function FormEditor({
  schema,
  values,
  onChange,
  errors,
  leaveTypes,
  balances,
  computed,
}: {
  schema: FormSchema;
  values: RawValues;
  onChange: (v: RawValues) => void;
  errors: FieldErrors;
  leaveTypes: LeaveType[];
  balances: LeaveBalance[];
  computed?: FormValues;
}) {
  const ctx: Ctx = { leaveTypes, balances, computed };
  return (
    <div className="ap-form" data-testid="ap-form">
      {schema.controls
        .filter((c) => isVisible(schema, c, values))
        .map((c) => (
          <ControlField key={c.id} control={c} value={values[c.id]} onChange={(v) => onChange({ ...values, [c.id]: v })} errors={errors} ctx={ctx} />
        ))}
    </div>
  );
}

function Field({ control, error, children, htmlFor }: { control: Control; error?: string; children: ReactNode; htmlFor?: string }) {
  const { locale } = useI18n();
  return (
    <div className={`ap-field${error ? ' ap-field-error' : ''}`} data-testid={`field-${control.id}`} data-error={error ? '1' : undefined}>
      <label className="ap-label" htmlFor={htmlFor}>
        {control.required && (
          <span className="ap-req" aria-hidden>
            *
          </span>
        )}
        {pick(control.title, locale)}
      </label>
      <div className="ap-input">{children}</div>
      {error && (
        <div className="ap-error" role="alert" data-testid="field-error">
          {error}
        </div>
      )}
    </div>
  );
}

function ControlField({ control: c, value, onChange, errors, ctx }: { control: Control; value: unknown; onChange: (v: unknown) => void; errors: FieldErrors; ctx: Ctx }) {
  const { locale, t } = useI18n();
  const err = errors[c.id];
  const ph = pick(c.placeholder, locale) || undefined;
  const id = `ap-${c.id}`;
  const status = err ? ('error' as const) : undefined;
  const k = c.kind;
  switch (k.type) {
    case 'description':
      return (
        <div className="ap-desc" data-testid={`field-${c.id}`}>
          {pick(c.title, locale) && <div className="ap-desc-title">{pick(c.title, locale)}</div>}
          <div className="hd-muted">{pick(k.text, locale)}</div>
        </div>
      );
    case 'table':
      return (
        <Field control={c} error={err}>
          <TableInput control={c} columns={k.columns} value={value} onChange={onChange} errors={errors} ctx={ctx} />
        </Field>
      );
    default:
      return (
        <Field control={c} error={err} htmlFor={id}>
          <SimpleInput control={c} value={value} onChange={onChange} id={id} status={status} placeholder={ph ?? defaultPlaceholder(c, t)} ctx={ctx} />
        </Field>
      );
  }
}

function defaultPlaceholder(c: Control, t: ReturnType<typeof useI18n>['t']): string {
  return ['select', 'contact', 'date', 'leave'].includes(c.kind.type) ? t('ap.form.pleaseSelect') : t('ap.form.pleaseEnter');
}

function SimpleInput({
  control: c,
  value,
  onChange,
  id,
  status,
  placeholder,
  ctx,
}: {
  control: Control;
  value: unknown;
  onChange: (v: unknown) => void;
  id: string;
  status?: 'error';
  placeholder?: string;
  ctx: Ctx;
}) {
  const { locale, t } = useI18n();
  const k = c.kind;
  const obj = (value ?? {}) as Obj;
  switch (k.type) {
    case 'text':
      return <Input id={id} value={str(value)} onChange={(e) => onChange(e.target.value)} maxLength={200} status={status} placeholder={placeholder} data-testid={`in-${c.id}`} />;
    case 'textarea':
      return (
        <Input.TextArea id={id} value={str(value)} onChange={(e) => onChange(e.target.value)} maxLength={5000} autoSize={{ minRows: 2, maxRows: 8 }} status={status} placeholder={placeholder} data-testid={`in-${c.id}`} />
      );
    case 'number':
    case 'money':
      return (
        <InputNumber
          id={id}
          value={value === '' || value == null ? null : Number(value)}
          onChange={(v) => onChange(v ?? '')}
          precision={k.type === 'money' ? undefined : (k.decimals ?? 0) || undefined}
          min={k.type === 'money' ? 0 : undefined}
          step={k.type === 'money' ? 0.01 : 1}
          addonAfter={k.type === 'number' ? k.unit || undefined : undefined}
          addonBefore={k.type === 'money' ? (k.currency && k.currency !== 'CNY' ? k.currency : '¥') : undefined}
          status={status}
          placeholder={placeholder}
          style={{ width: '100%' }}
          data-testid={`in-${c.id}`}
        />
      );
    case 'date':
      return (
        <Input id={id} type={k.with_time ? 'datetime-local' : 'date'} value={str(value)} onChange={(e) => onChange(e.target.value)} status={status} data-testid={`in-${c.id}`} />
      );
    case 'date_range':
    case 'business_trip':
    case 'outing':
    case 'overtime': {
      const withTime = k.type === 'date_range' ? !!k.with_time : k.type !== 'business_trip';
      const d = rangeDuration(obj.start, obj.end, withTime);
      return (
        <RangeInputs id={id} withTime={withTime} value={obj} onChange={onChange} status={status} testId={c.id}>
          {d != null && (
            <span className="ap-duration" data-testid={`duration-${c.id}`}>
              {t('ap.form.duration', { d: formatDuration(d, withTime ? 'hour' : 'day', locale) })}
            </span>
          )}
        </RangeInputs>
      );
    }
    case 'select':
      return (
        <Select
          id={id}
          mode={k.multiple ? 'multiple' : undefined}
          allowClear
          value={k.multiple ? (Array.isArray(value) ? value : []) : (str(value) || undefined)}
          onChange={(v) => onChange(v ?? (k.multiple ? [] : ''))}
          options={k.options.map((o) => ({ value: o.id, label: pick(o.label, locale) }))}
          placeholder={placeholder}
          status={status}
          style={{ width: '100%' }}
          data-testid={`in-${c.id}`}
        />
      );
    case 'contact':
      return k.departments ? (
        <DeptSelect id={id} multiple={k.multiple} value={(obj.department_ids as string[]) ?? []} onChange={(ids) => onChange({ department_ids: ids })} status={status} testId={`in-${c.id}`} />
      ) : (
        <MemberSelect id={id} multiple={k.multiple} value={(obj.member_ids as string[]) ?? []} onChange={(ids) => onChange({ member_ids: ids })} status={status} testId={`in-${c.id}`} />
      );
    case 'attachment':
      return <AttachmentInput value={Array.isArray(value) ? (value as string[]) : []} onChange={onChange} testId={`in-${c.id}`} />;
    case 'location':
      return <LocationInput value={obj} onChange={onChange} status={status} testId={`in-${c.id}`} />;
    case 'leave':
      return <LeaveInput id={id} value={obj as LeaveRaw} onChange={onChange} status={status} ctx={ctx} />;
    case 'punch_correction':
      return (
        <Input id={id} type="datetime-local" value={str(obj.at)} onChange={(e) => onChange({ at: e.target.value })} status={status} data-testid={`in-${c.id}`} />
      );
    case 'formula': {
      const v = ctx.computed?.[c.id];
      return (
        <div className="ap-computed" data-testid={`in-${c.id}`}>
          {v && v.type === 'formula' ? v.value : <span className="hd-muted">{t('ap.form.computed')}</span>}
        </div>
      );
    }
    default:
      return null;
  }
}

function RangeInputs({
  id,
  withTime,
  value,
  onChange,
  status,
  testId,
  children,
  extraStart,
  extraEnd,
}: {
  id: string;
  withTime: boolean;
  value: Obj;
  onChange: (v: unknown) => void;
  status?: 'error';
  testId: string;
  children?: ReactNode;
  extraStart?: ReactNode;
  extraEnd?: ReactNode;
}) {
  const { t } = useI18n();
  const type = withTime ? 'datetime-local' : 'date';
  return (
    <div className="ap-range">
      <div className="ap-range-row">
        <span className="ap-range-label">{t('ap.form.start')}</span>
        <Input id={id} type={type} value={str(value.start)} onChange={(e) => onChange({ ...value, start: e.target.value })} status={status} aria-label={t('ap.form.start')} data-testid={`in-${testId}-start`} />
        {extraStart}
      </div>
      <div className="ap-range-row">
        <span className="ap-range-label">{t('ap.form.end')}</span>
        <Input type={type} value={str(value.end)} onChange={(e) => onChange({ ...value, end: e.target.value })} status={status} aria-label={t('ap.form.end')} data-testid={`in-${testId}-end`} />
        {extraEnd}
      </div>
      {children}
    </div>
  );
}

function LeaveInput({ id, value, onChange, status, ctx }: { id: string; value: LeaveRaw; onChange: (v: unknown) => void; status?: 'error'; ctx: Ctx }) {
  const { locale, t } = useI18n();
  const types = ctx.leaveTypes.filter((lt) => lt.enabled !== false);
  const type = types.find((lt) => lt.key === value.leave_type);
  const withTime = type?.unit === 'hour';
  const half = type?.unit === 'half_day';
  const d = leaveDuration(type, value);
  const bal = ctx.balances.find((b) => b.leave_type === value.leave_type);
  const halfSelect = (key: 'start_half' | 'end_half', def: 'am' | 'pm') => (
    <Select
      className="ap-half"
      value={value[key] ?? def}
      onChange={(v) => onChange({ ...value, [key]: v })}
      options={[
        { value: 'am', label: t('ap.form.am') },
        { value: 'pm', label: t('ap.form.pm') },
      ]}
      aria-label={key === 'start_half' ? `${t('ap.form.start')} ${t('ap.form.am')}/${t('ap.form.pm')}` : `${t('ap.form.end')} ${t('ap.form.am')}/${t('ap.form.pm')}`}
      data-testid={`in-leave-${key}`}
    />
  );
  return (
    <div className="ap-leave">
      <Select
        id={id}
        value={value.leave_type || undefined}
        onChange={(v: string) => {
          const nt = types.find((x) => x.key === v);
          const keepFormat = nt && type && (nt.unit === 'hour') === (type.unit === 'hour');
          onChange(keepFormat ? { ...value, leave_type: v } : { leave_type: v });
        }}
        options={types.map((lt) => ({ value: lt.key, label: pick(lt.name, locale) }))}
        placeholder={t('ap.form.leaveType')}
        status={status}
        style={{ width: '100%' }}
        data-testid="in-leave-type"
      />
      {type && (
        <div className="ap-balance hd-muted" data-testid="leave-balance">
          {bal && !bal.unlimited ? t('ap.form.balance', { n: formatDuration(bal.available, bal.unit, locale) }) : t('ap.form.balanceUnlimited')}
        </div>
      )}
      {type && (
        <RangeInputs
          id={`${id}-start`}
          withTime={withTime}
          value={value as Obj}
          onChange={onChange}
          status={status}
          testId="leave"
          extraStart={half ? halfSelect('start_half', 'am') : null}
          extraEnd={half ? halfSelect('end_half', 'pm') : null}
        >
          {d != null && (
            <span className="ap-duration" data-testid="duration-leave">
              {t('ap.form.duration', { d: formatDuration(d, type.unit, locale) })}
            </span>
          )}
        </RangeInputs>
      )}
    </div>
  );
}

export function AttachmentInput({ value, onChange, testId }: { value: string[]; onChange: (v: unknown) => void; testId: string }) {
  const { t } = useI18n();
  const [names, setNames] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(0);
  const [error, setError] = useState<string | null>(null);
  return (
    <div data-testid={testId}>
      <Upload
        multiple
        showUploadList={false}
        customRequest={async ({ file }) => {
          setBusy((n) => n + 1);
          try {
            const f = file as File;
            const up = await uploadFile(f, { kind: 'file' });
            setNames((m) => ({ ...m, [up.id]: up.name }));
            onChange([...value, up.id]);
            setError(null);
          } catch (e) {
            setError(describeError(t, e));
          } finally {
            setBusy((n) => n - 1);
          }
        }}
      >
        <Button icon={<UploadOutlined />} loading={busy > 0}>
          {t('ap.form.upload')}
        </Button>
      </Upload>
      {error && <div className="ap-error">{error}</div>}
      <ul className="ap-files">
        {value.map((id) => (
          <li key={id}>
            <FileOutlined /> <a href={`/api/v1/files/${encodeURIComponent(id)}`}>{names[id] ?? id}</a>
            <Button type="text" size="small" icon={<DeleteOutlined />} aria-label={t('ap.d.remove')} onClick={() => onChange(value.filter((x) => x !== id))} />
          </li>
        ))}
      </ul>
    </div>
  );
}

function LocationInput({ value, onChange, status, testId }: { value: Obj; onChange: (v: unknown) => void; status?: 'error'; testId: string }) {
  const { t } = useI18n();
  const num = (v: unknown) => (v === '' || v == null ? null : Number(v));
  const use = () =>
    navigator.geolocation?.getCurrentPosition((p) => onChange({ ...value, lat: Number(p.coords.latitude.toFixed(6)), lng: Number(p.coords.longitude.toFixed(6)) }));
  return (
    <div className="ap-location" data-testid={testId}>
      <Input value={str(value.title)} onChange={(e) => onChange({ ...value, title: e.target.value })} placeholder={t('ap.form.placeTitle')} aria-label={t('ap.form.placeTitle')} status={status} />
      <div className="ap-range-row">
        <InputNumber value={num(value.lat)} onChange={(v) => onChange({ ...value, lat: v ?? '' })} min={-90} max={90} placeholder={t('ap.form.lat')} aria-label={t('ap.form.lat')} status={status} />
        <InputNumber value={num(value.lng)} onChange={(v) => onChange({ ...value, lng: v ?? '' })} min={-180} max={180} placeholder={t('ap.form.lng')} aria-label={t('ap.form.lng')} status={status} />
        <Button icon={<EnvironmentOutlined />} onClick={use}>
          {t('ap.form.useMyLocation')}
        </Button>
      </div>
    </div>
  );
}

function TableInput({ control, columns, value, onChange, errors, ctx }: { control: Control; columns: Control[]; value: unknown; onChange: (v: unknown) => void; errors: FieldErrors; ctx: Ctx }) {
  const { locale, t } = useI18n();
  const rows: Obj[] = Array.isArray(value) && value.length ? (value as Obj[]) : [{}];
  const setRow = (i: number, row: Obj) => onChange(rows.map((r, j) => (j === i ? row : r)));
  const sumCols = columns.filter((c) => c.kind.type === 'number' || c.kind.type === 'money');
  return (
    <div className="ap-table" data-testid={`table-${control.id}`}>
      {rows.map((row, i) => (
        <div className="ap-table-row" key={i} data-testid="table-row">
          <div className="ap-table-row-head">
            <span>{t('ap.form.row', { n: i + 1 })}</span>
            {rows.length > 1 && (
              <Button type="link" size="small" danger onClick={() => onChange(rows.filter((_, j) => j !== i))} data-testid="table-remove-row">
                {t('ap.form.removeRow')}
              </Button>
            )}
          </div>
          {columns.map((col) => {
            const key = `${control.id}.${i}.${col.id}`;
            const err = errors[key];
            const id = `ap-${control.id}-${i}-${col.id}`;
            return (
              <Field key={col.id} control={col} error={err} htmlFor={id}>
                <SimpleInput
                  control={{ ...col, id: `${control.id}-${col.id}` }}
                  value={row[col.id]}
                  onChange={(v) => setRow(i, { ...row, [col.id]: v })}
                  id={id}
                  status={err ? 'error' : undefined}
                  placeholder={pick(col.placeholder, locale) || undefined}
                  ctx={ctx}
                />
              </Field>
            );
          })}
        </div>
      ))}
      <Button type="dashed" block icon={<PlusOutlined />} onClick={() => onChange([...rows, {}])} data-testid={`table-add-${control.id}`}>
        {t('ap.form.addRow')}
      </Button>
      {sumCols.map((col) => (
        <div className="ap-sum" key={col.id} data-testid={`sum-${control.id}-${col.id}`}>
          {t('ap.form.sum')} · {pick(col.title, locale)}: <strong>{columnSum(rows, col.id).toFixed(col.kind.type === 'money' ? 2 : (col.kind.type === 'number' ? col.kind.decimals : 0) ?? 0)}</strong>
        </div>
      ))}
    </div>
  );
}

/** A request's values, read-only, in the form's order. */
export function FormView({ schema, values, names, leaveTypes }: { schema: FormSchema; values: FormValues; names: (id: string) => string; leaveTypes: LeaveType[] }) {
  const { locale, t } = useI18n();
  const row = (c: Control, v: Value | undefined): ReactNode => {
    if (!v) return <span className="hd-muted">{t('ap.form.none')}</span>;
    switch (v.type) {
      case 'attachment':
        return (
          <ul className="ap-files">
            {v.file_ids.map((id, i) => (
              <li key={id}>
                <FileOutlined />{' '}
                <a href={`/api/v1/files/${encodeURIComponent(id)}`} download data-testid="ap-attachment">
                  {pick(c.title, locale)} {i + 1}
                </a>
              </li>
            ))}
          </ul>
        );
      case 'leave': {
        const lt = leaveTypes.find((x) => x.key === v.leave_type);
        const halfLabel = (h?: string) => (h ? ` ${h === 'am' ? t('ap.form.am') : t('ap.form.pm')}` : '');
        return (
          <span>
            {pick(lt?.name, locale) || v.leave_type} · {v.start.replace('T', ' ')}
            {halfLabel(v.start_half)} ~ {v.end.replace('T', ' ')}
            {halfLabel(v.end_half)} · {formatDuration(v.duration, v.unit, locale)}
          </span>
        );
      }
      case 'table': {
        const cols = c.kind.type === 'table' ? c.kind.columns : [];
        return (
          <div className="ap-view-table">
            {v.rows.map((r, i) => (
              <div key={i} className="ap-view-table-row">
                <div className="hd-muted">{t('ap.form.row', { n: i + 1 })}</div>
                {cols.map((col) => (
                  <div key={col.id} className="ap-view-kv">
                    <span className="hd-muted">{pick(col.title, locale)}</span>
                    <span>{valueText(col, r[col.id], locale, names) || '—'}</span>
                  </div>
                ))}
              </div>
            ))}
            {Object.entries(v.sums).map(([col, sum]) => (
              <div key={col} className="ap-sum">
                {t('ap.form.sum')} · {pick(cols.find((x) => x.id === col)?.title, locale)}: <strong>{sum}</strong>
              </div>
            ))}
          </div>
        );
      }
      default:
        return valueText(c, v, locale, names);
    }
  };
  return (
    <dl className="ap-view" data-testid="ap-values">
      {schema.controls
        .filter((c) => c.kind.type !== 'description' && (values[c.id] || !c.visible_when))
        .map((c) => (
          <div className="ap-view-item" key={c.id} data-testid={`value-${c.id}`}>
            <dt>{pick(c.title, locale)}</dt>
            <dd>{row(c, values[c.id])}</dd>
          </div>
        ))}
    </dl>
  );
}
