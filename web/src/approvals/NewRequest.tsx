// Filling in and submitting a request: the form, a live flow preview, drafts, and server errors
// shown on the control they name.
import { Alert, App as AntApp, Button, Space } from 'antd';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useNavigate, useParams } from 'react-router';
import { isApiError } from '../api/client';
import { Loading } from '../components/States';
import { ErrorAlert } from '../components/ErrorAlert';
import { describeError } from '../i18n/errors';
import { useI18n } from '../i18n/I18nProvider';
import { useDebounced } from '../lib/useDebounce';
import { PageHeader } from '../shell/PageHeader';
import { useSession } from '../state/session';
import { approvalsApi } from './api';
import { TemplateIcon } from './common';
import { FormEditor, type FieldErrors } from './FormRenderer';
import { buildValues, errorTarget, newClientRequestId, pick, type RawValues } from './logic';
import { MemberSelect, peopleNames, rememberNames } from './pickers';
import type { LeaveBalance, LeaveType, Preview, Template } from './types';
import { FlowSteps } from './FlowSteps';

export function NewRequest() {
  const { t, locale } = useI18n();
  const { templateId = '' } = useParams();
  const navigate = useNavigate();
  const { message } = AntApp.useApp();
  const { me } = useSession();
  const [template, setTemplate] = useState<Template | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [leaveTypes, setLeaveTypes] = useState<LeaveType[]>([]);
  const [balances, setBalances] = useState<LeaveBalance[]>([]);
  const [values, setValues] = useState<RawValues>({});
  const [chosen, setChosen] = useState<Record<string, string[]>>({});
  const [errors, setErrors] = useState<FieldErrors>({});
  const [banner, setBanner] = useState<{ title: string; text: string; code: string } | null>(null);
  const [preview, setPreview] = useState<Preview | null>(null);
  const [previewHint, setPreviewHint] = useState<string | null>(null);
  const [submitting, setSubmitting] = useState(false);
  const [hasDraft, setHasDraft] = useState(false);
  const clientRequestId = useRef(newClientRequestId());

  useEffect(() => {
    let cancelled = false;
    (async () => {
      try {
        const tp = await approvalsApi.template(templateId);
        if (cancelled) return;
        setTemplate(tp);
        const hasLeave = tp.definition.form.controls.some((c) => c.kind.type === 'leave');
        if (hasLeave) {
          approvalsApi.leaveTypes().then((r) => !cancelled && setLeaveTypes(r.items), () => undefined);
          approvalsApi.balances().then((r) => !cancelled && setBalances(r.items), () => undefined);
        }
        const draft = await approvalsApi.draft(templateId).catch(() => null);
        if (!cancelled && draft && Object.keys(draft.values ?? {}).length) {
          setValues(draft.values);
          setHasDraft(true);
          message.info(t('ap.form.draftRestored'));
        }
      } catch (e) {
        if (!cancelled) setLoadError(describeError(t, e));
      }
    })();
    return () => {
      cancelled = true;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [templateId]);

  const schema = template?.definition.form;
  const body = useMemo(() => (schema ? buildValues(schema, values) : {}), [schema, values]);
  const previewKey = useDebounced(JSON.stringify([body, chosen]), 400);

  useEffect(() => {
    if (!template) return;
    const ctl = new AbortController();
    const [v, ch] = JSON.parse(previewKey) as [RawValues, Record<string, string[]>];
    approvalsApi.preview({ template_id: template.id, values: v, chosen: ch }, ctl.signal).then(
      (p) => {
        rememberNames(p.people);
        setPreview(p);
        setPreviewHint(null);
      },
      (e) => {
        if (ctl.signal.aborted) return;
        setPreviewHint(isApiError(e) && e.status === 422 ? e.message : describeError(t, e));
      },
    );
    return () => ctl.abort();
  }, [template, previewKey, t]);

  const change = useCallback((v: RawValues) => {
    setValues(v);
    setErrors({});
    setBanner(null);
  }, []);

  const showError = (e: unknown) => {
    if (!isApiError(e)) {
      setBanner({ title: t('common.error'), text: describeError(t, e), code: 'error' });
      return;
    }
    const leave = schema?.controls.find((c) => c.kind.type === 'leave');
    if (e.code === 'leave_overlap' || e.code === 'insufficient_balance') {
      setBanner({ title: t(e.code === 'leave_overlap' ? 'ap.form.overlap' : 'ap.form.insufficient'), text: e.message, code: e.code });
      if (leave) setErrors({ [leave.id]: e.message });
      return;
    }
    const target = errorTarget(e.field);
    if (target?.area === 'values') {
      const key = target.row != null && target.column ? `${target.controlId}.${target.row}.${target.column}` : target.controlId;
      setErrors({ [key]: e.message });
      setBanner({ title: t('ap.form.fixErrors'), text: e.message, code: 'field' });
      requestAnimationFrame(() => document.querySelector(`[data-testid="field-${target.controlId}"]`)?.scrollIntoView({ block: 'center', behavior: 'smooth' }));
      return;
    }
    if (target?.area === 'flow') {
      setErrors({ [`chosen.${target.nodeId}`]: e.message });
    }
    setBanner({ title: t('common.error'), text: describeError(t, e), code: e.code });
  };

  const submit = async () => {
    if (!template) return;
    setSubmitting(true);
    try {
      const r = await approvalsApi.submit({ template_id: template.id, values: body, chosen, client_request_id: clientRequestId.current });
      if (hasDraft) approvalsApi.deleteDraft(template.id).catch(() => undefined);
      message.success(t('ap.form.submitted'));
      navigate(`/workbench/approvals/${r.id}`, { replace: true });
    } catch (e) {
      showError(e);
    } finally {
      setSubmitting(false);
    }
  };

  const saveDraft = async () => {
    if (!template) return;
    try {
      await approvalsApi.saveDraft(template.id, values);
      setHasDraft(true);
      message.success(t('ap.form.draftSaved'));
    } catch (e) {
      message.error(describeError(t, e));
    }
  };
  const discardDraft = async () => {
    if (!template) return;
    try {
      await approvalsApi.deleteDraft(template.id);
      setHasDraft(false);
      setValues({});
      setErrors({});
      message.success(t('ap.form.draftDiscarded'));
    } catch (e) {
      message.error(describeError(t, e));
    }
  };

  if (loadError) return <ErrorAlert error={loadError} />;
  if (!template || !schema) return <Loading />;
  const names = peopleNames(preview?.people);
  return (
    <div className="hd-page ap-page" data-testid="ap-new">
      <PageHeader title={pick(template.definition.name, locale)} onBack={() => navigate('/workbench/approvals')} />
      <div className="hd-page-body ap-new-body">
        <div className="ap-new-main">
          <div className="ap-new-head">
            <TemplateIcon icon={template.definition.icon ?? ''} />
            <div>
              <div className="ap-new-title">{pick(template.definition.name, locale)}</div>
              {template.definition.description && <div className="hd-muted">{template.definition.description}</div>}
            </div>
          </div>
          {banner && (
            <Alert type="error" showIcon message={banner.title} description={banner.text} className="hd-form-alert" data-testid="ap-submit-error" data-code={banner.code} role="alert" />
          )}
          <FormEditor schema={schema} values={values} onChange={change} errors={errors} leaveTypes={leaveTypes} balances={balances} computed={preview?.values} />
        </div>
        <aside className="ap-new-flow" data-testid="ap-flow-preview" aria-label={t('ap.flow.title')}>
          <h2>{t('ap.flow.title')}</h2>
          {preview?.choices_needed.map((c) => (
            <div className="ap-field" key={c.node_id} data-testid={`choose-${c.node_id}`}>
              <label className="ap-label">
                <span className="ap-req">*</span>
                {t('ap.flow.choose', { name: c.name || (c.kind === 'cc' ? t('ap.flow.cc') : t('ap.flow.approve')) })}
              </label>
              <MemberSelect multiple={c.multiple} value={chosen[c.node_id] ?? []} onChange={(ids) => setChosen((m) => ({ ...m, [c.node_id]: ids }))} status={errors[`chosen.${c.node_id}`] ? 'error' : undefined} />
            </div>
          ))}
          {preview?.steps && !previewHint ? (
            <FlowSteps applicant={me?.member.name ?? ''} steps={preview.steps.map((s) => ({ ...s, members: s.members }))} names={names} />
          ) : (
            <div className="hd-muted" data-testid="ap-flow-hint">
              {t('ap.flow.incomplete')}
              {previewHint && <div className="ap-flow-hint-detail">{previewHint}</div>}
            </div>
          )}
        </aside>
      </div>
      <div className="ap-actionbar">
        <Space wrap>
          <Button onClick={saveDraft} data-testid="ap-save-draft">
            {t('ap.form.saveDraft')}
          </Button>
          {hasDraft && (
            <Button onClick={discardDraft} data-testid="ap-discard-draft">
              {t('ap.form.discardDraft')}
            </Button>
          )}
          <Button type="primary" onClick={submit} loading={submitting} data-testid="ap-submit">
            {t('ap.form.submit')}
          </Button>
        </Space>
      </div>
    </div>
  );
}
