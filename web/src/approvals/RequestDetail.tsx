// A request: header, read-only values, progress timeline and the actions the caller may take.
import { App as AntApp, Button, Input, Modal, Radio, Select, Space, Tag, Timeline, type ButtonProps } from 'antd';
import { useCallback, useEffect, useState } from 'react';
import { FileOutlined } from '@ant-design/icons';
import { useNavigate, useParams } from 'react-router';
import { Loading } from '../components/States';
import { ErrorAlert } from '../components/ErrorAlert';
import { describeError } from '../i18n/errors';
import { useI18n } from '../i18n/I18nProvider';
import { formatTime } from '../lib/format';
import { PageHeader } from '../shell/PageHeader';
import { approvalsApi } from './api';
import { StatusTag, TemplateIcon, useApprovalEvents } from './common';
import { AttachmentInput, FormView } from './FormRenderer';
import { pick } from './logic';
import { MemberSelect, peopleNames, rememberNames } from './pickers';
import type { LeaveType, RequestDetail as Detail, Step } from './types';

type Dialog = null | 'approve' | 'reject' | 'return' | 'transfer' | 'add' | 'comment' | 'reassign';

const EVENT_KINDS = new Set(['commented', 'nudged', 'transferred', 'added_approver', 'returned', 'withdrawn', 'reassigned']);

export function RequestDetail() {
  const { t, locale } = useI18n();
  const { requestId = '' } = useParams();
  const navigate = useNavigate();
  const { message, modal } = AntApp.useApp();
  const [detail, setDetail] = useState<Detail | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [leaveTypes, setLeaveTypes] = useState<LeaveType[]>([]);
  const [dialog, setDialog] = useState<Dialog>(null);
  const [comment, setComment] = useState('');
  const [person, setPerson] = useState<string[]>([]);
  const [files, setFiles] = useState<string[]>([]);
  const [position, setPosition] = useState<'before' | 'after'>('before');
  const [toStep, setToStep] = useState<number | undefined>();
  const [from, setFrom] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const [dialogError, setDialogError] = useState<string | null>(null);

  const load = useCallback(() => {
    approvalsApi.get(requestId).then(
      (d) => {
        rememberNames(d.people);
        setDetail(d);
        setError(null);
      },
      (e) => setError(describeError(t, e)),
    );
  }, [requestId, t]);
  useEffect(load, [load]);
  useApprovalEvents(load, requestId);
  const hasLeave = !!detail?.form.controls.some((c) => c.kind.type === 'leave');
  useEffect(() => {
    if (hasLeave) approvalsApi.leaveTypes().then((r) => setLeaveTypes(r.items), () => undefined);
  }, [hasLeave]);

  if (error && !detail) return <ErrorAlert error={error} testId="ap-detail-error" />;
  if (!detail) return <Loading />;
  const names = peopleNames(detail.people);
  const a = detail.allowed;

  const open = (d: Dialog) => {
    setComment('');
    setPerson([]);
    setFiles([]);
    setPosition('before');
    setToStep(a.return_to[a.return_to.length - 1]);
    setFrom(a.reassign_from[0]);
    setDialogError(null);
    setDialog(d);
  };
  const run = async (fn: () => Promise<unknown>) => {
    setBusy(true);
    setDialogError(null);
    try {
      await fn();
      setDialog(null);
      message.success(t('ap.act.done'));
      load();
    } catch (e) {
      setDialogError(describeError(t, e));
      load();
    } finally {
      setBusy(false);
    }
  };
  const confirmDialog = () => {
    const id = detail.id;
    switch (dialog) {
      case 'approve':
        return run(() => approvalsApi.approve(id, comment.trim(), files));
      case 'reject':
        if (detail.require_reject_comment && !comment.trim()) {
          setDialogError(t('ap.act.commentRequired'));
          return;
        }
        return run(() => approvalsApi.reject(id, comment.trim(), files));
      case 'return':
        if (toStep == null) return;
        return run(() => approvalsApi.returnTo(id, toStep, comment.trim()));
      case 'transfer':
        if (!person[0]) return;
        return run(() => approvalsApi.transfer(id, person[0], comment.trim()));
      case 'reassign':
        if (!from || !person[0]) return;
        return run(() => approvalsApi.reassign(id, from, person[0], comment.trim()));
      case 'add':
        if (!person[0]) return;
        return run(() => approvalsApi.addApprover(id, person[0], position, comment.trim()));
      case 'comment':
        if (!comment.trim()) return;
        return run(() => approvalsApi.comment(id, comment.trim(), files));
    }
  };
  const withdraw = () =>
    modal.confirm({
      title: t('ap.act.withdrawConfirm'),
      okText: t('ap.act.withdraw'),
      cancelText: t('common.cancel'),
      okButtonProps: { danger: true, 'data-testid': 'ap-withdraw-ok' } as ButtonProps,
      onOk: () =>
        approvalsApi.withdraw(detail.id).then(
          () => {
            message.success(t('ap.act.done'));
            load();
          },
          (e) => message.error(describeError(t, e)),
        ),
    });
  const nudge = () =>
    approvalsApi.nudge(detail.id).then(
      () => {
        message.success(t('ap.act.nudged'));
        load();
      },
      (e) => message.error(describeError(t, e)),
    );

  const stepLabel = (s: Step, i: number) => t('ap.act.stepN', { n: i + 1, name: s.name || t('ap.flow.approve') });
  const events = detail.timeline.filter((e) => EVENT_KINDS.has(e.kind));
  const anyAction = a.approve || a.reject || a.withdraw || a.return_to.length > 0 || a.transfer || a.add_approver || a.nudge || a.comment || a.reassign_from.length > 0;

  return (
    <div className="hd-page ap-page" data-testid="ap-detail" data-status={detail.status}>
      <PageHeader title={pick(detail.template_name, locale)} onBack={() => (window.history.length > 1 ? navigate(-1) : navigate('/workbench/approvals'))} />
      <div className="hd-page-body ap-detail-body">
        <section className="ap-detail-head">
          <TemplateIcon icon={detail.icon} />
          <div className="ap-detail-head-text">
            <div className="ap-detail-title">
              {detail.applicant.name} · {pick(detail.template_name, locale)} <StatusTag status={detail.status} />
            </div>
            <div className="hd-muted">
              {t('ap.detail.spNo')} <span data-testid="ap-sp-no">{detail.sp_no}</span> · {t('ap.detail.submittedAt')} {formatTime(detail.created_at, locale)}
            </div>
          </div>
        </section>
        <section className="ap-card">
          <FormView schema={detail.form} values={detail.values} names={names} leaveTypes={leaveTypes} />
        </section>
        <section className="ap-card">
          <h2 className="ap-section-title">{t('ap.detail.progress')}</h2>
          <div data-testid="ap-timeline">
          <Timeline
            items={[
              {
                color: 'blue',
                children: (
                  <div data-testid="ap-tl-submitted">
                    <div className="ap-step-title">
                      {detail.applicant.name} {t('ap.tl.submitted')}
                    </div>
                    <div className="hd-muted">{formatTime(detail.created_at, locale)}</div>
                  </div>
                ),
              },
              ...detail.state.steps.map((s, i) => ({
                color: s.status === 'approved' || s.status === 'notified' ? 'green' : s.status === 'rejected' ? 'red' : s.status === 'in_progress' ? 'blue' : 'gray',
                children: (
                  <div data-testid="ap-step" data-step-status={s.status}>
                    <div className="ap-step-title">
                      {s.name || (s.kind === 'cc' ? t('ap.flow.cc') : t('ap.flow.approve'))} <Tag>{t(`ap.step.${s.status}`)}</Tag>
                      {s.kind === 'approve' && s.approvers.length > 1 && <span className="hd-muted">{t(`ap.flow.mode.${s.mode}`)}</span>}
                    </div>
                    {s.auto && <div className="hd-muted" data-testid="ap-step-auto">{t(`ap.flow.auto.${s.auto}`)}</div>}
                    <ul className="ap-approvers">
                      {s.approvers.map((ap, j) => (
                        <li key={`${ap.member_id}-${j}`} data-testid="ap-approver" data-decision={ap.decision}>
                          <span className="ap-approver-name">{names(ap.member_id)}</span>
                          {s.kind === 'approve' && (ap.decision !== 'pending' || s.status === 'in_progress') && (
                            <span className={`ap-decision ap-decision-${ap.decision}`}>{t(`ap.decision.${ap.decision}`)}</span>
                          )}
                          {!!ap.decided_at && <span className="hd-muted"> · {formatTime(ap.decided_at, locale)}</span>}
                          {ap.comment && <div className="ap-comment" data-testid="ap-approver-comment">“{ap.comment}”</div>}
                          <FileLinks ids={ap.file_ids} />
                        </li>
                      ))}
                    </ul>
                    {i === detail.state.current && null}
                  </div>
                ),
              })),
              ...events.map((e) => {
                const d = e.data ?? {};
                const to = d.to ?? d.member_id;
                const text = e.comment || (typeof d.comment === 'string' ? d.comment : '');
                const step = typeof d.to_step === 'number' ? detail.state.steps[d.to_step] : undefined;
                return {
                  color: 'gray',
                  children: (
                    <div data-testid="ap-event" data-kind={e.kind}>
                      <div className="ap-step-title">
                        {names(e.actor_id)} {t(`ap.tl.${e.kind}` as 'ap.tl.commented')}
                        {typeof to === 'string' || typeof to === 'number' ? ` → ${names(String(to))}` : ''}
                        {d.position === 'before' || d.position === 'after' ? ` (${t(d.position === 'before' ? 'ap.act.before' : 'ap.act.after')})` : ''}
                        {step && typeof d.to_step === 'number' ? ` → ${stepLabel(step, d.to_step)}` : ''}
                      </div>
                      {text && <div className="ap-comment">{text}</div>}
                      <FileLinks ids={e.file_ids} />
                      <div className="hd-muted">{formatTime(e.created_at, locale)}</div>
                    </div>
                  ),
                };
              }),
            ]}
          />
          </div>
        </section>
      </div>
      {anyAction && (
        <div className="ap-actionbar" data-testid="ap-actions">
          <Space wrap>
            {a.comment && (
              <Button onClick={() => open('comment')} data-testid="ap-act-comment">
                {t('ap.act.comment')}
              </Button>
            )}
            {a.nudge && (
              <Button onClick={nudge} data-testid="ap-act-nudge">
                {t('ap.act.nudge')}
              </Button>
            )}
            {a.withdraw && (
              <Button danger onClick={withdraw} data-testid="ap-act-withdraw">
                {t('ap.act.withdraw')}
              </Button>
            )}
            {a.reassign_from.length > 0 && (
              <Button onClick={() => open('reassign')} data-testid="ap-act-reassign">
                {t('ap.act.reassign')}
              </Button>
            )}
            {a.transfer && (
              <Button onClick={() => open('transfer')} data-testid="ap-act-transfer">
                {t('ap.act.transfer')}
              </Button>
            )}
            {a.add_approver && (
              <Button onClick={() => open('add')} data-testid="ap-act-add">
                {t('ap.act.addApprover')}
              </Button>
            )}
            {a.return_to.length > 0 && (
              <Button onClick={() => open('return')} data-testid="ap-act-return">
                {t('ap.act.return')}
              </Button>
            )}
            {a.reject && (
              <Button danger onClick={() => open('reject')} data-testid="ap-act-reject">
                {t('ap.act.reject')}
              </Button>
            )}
            {a.approve && (
              <Button type="primary" onClick={() => open('approve')} data-testid="ap-act-approve">
                {t('ap.act.approve')}
              </Button>
            )}
          </Space>
        </div>
      )}
      <Modal
        open={dialog !== null}
        title={dialog ? t(dialog === 'add' ? 'ap.act.addApprover' : (`ap.act.${dialog}` as 'ap.act.approve')) : ''}
        onCancel={() => setDialog(null)}
        onOk={confirmDialog}
        confirmLoading={busy}
        okText={t('common.confirm')}
        cancelText={t('common.cancel')}
        okButtonProps={{ 'data-testid': 'ap-dialog-ok', danger: dialog === 'reject' } as ButtonProps}
        destroyOnHidden
      >
        <div className="ap-dialog" data-testid="ap-dialog">
          {dialog === 'reassign' && (
            <Select
              value={from}
              onChange={setFrom}
              aria-label={t('ap.act.reassignFrom')}
              style={{ width: '100%' }}
              options={a.reassign_from.map((m) => ({ value: m, label: names(m) || m }))}
              data-testid="ap-dialog-from"
            />
          )}
          {(dialog === 'transfer' || dialog === 'add' || dialog === 'reassign') && (
            <MemberSelect value={person} onChange={setPerson} placeholder={t('ap.act.person')} testId="ap-dialog-person" />
          )}
          {dialog === 'add' && (
            <Radio.Group value={position} onChange={(e) => setPosition(e.target.value)}>
              <Radio value="before">{t('ap.act.before')}</Radio>
              <Radio value="after">{t('ap.act.after')}</Radio>
            </Radio.Group>
          )}
          {dialog === 'return' && (
            <Select
              value={toStep}
              onChange={setToStep}
              aria-label={t('ap.act.returnTo')}
              style={{ width: '100%' }}
              options={a.return_to.map((i) => ({ value: i, label: detail.state.steps[i] ? stepLabel(detail.state.steps[i], i) : String(i + 1) }))}
              data-testid="ap-dialog-step"
            />
          )}
          <Input.TextArea
            value={comment}
            onChange={(e) => setComment(e.target.value)}
            autoSize={{ minRows: 3, maxRows: 8 }}
            autoFocus
            placeholder={dialog === 'reject' ? t('ap.act.reasonPlaceholder') : t('ap.act.commentPlaceholder')}
            aria-label={t('ap.act.comment')}
            data-testid="ap-dialog-comment"
          />
          {(dialog === 'approve' || dialog === 'reject' || dialog === 'comment') && (
            <AttachmentInput value={files} onChange={(v) => setFiles(v as string[])} testId="ap-dialog-files" />
          )}
          <ErrorAlert error={dialogError} testId="ap-dialog-error" />
        </div>
      </Modal>
    </div>
  );
}

function FileLinks({ ids }: { ids?: string[] }) {
  const t = useI18n().t;
  if (!ids?.length) return null;
  return (
    <div className="ap-files">
      {ids.map((id, i) => (
        <a key={id} href={`/api/v1/files/${encodeURIComponent(id)}`} download className="ap-file-link">
          <FileOutlined /> {t('ap.attachment')} {i + 1}
        </a>
      ))}
    </div>
  );
}
