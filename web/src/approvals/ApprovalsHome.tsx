// Workbench → 审批: "new request" template picker and the four lists (tabs).
import { Badge, Button, Input, Select, Tabs } from 'antd';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { useNavigate, useSearchParams } from 'react-router';
import { EmptyState, Loading } from '../components/States';
import { ErrorAlert } from '../components/ErrorAlert';
import { describeError } from '../i18n/errors';
import { useI18n } from '../i18n/I18nProvider';
import { useDebounced } from '../lib/useDebounce';
import { formatTime } from '../lib/format';
import { PageHeader } from '../shell/PageHeader';
import { approvalsApi } from './api';
import { StatusTag, TemplateIcon, useApprovalCounts, useApprovalEvents } from './common';
import { pick } from './logic';
import type { RequestBox, RequestSummary, Template } from './types';

const TABS = ['new', 'waiting', 'handled', 'mine', 'cc'] as const;
type Tab = (typeof TABS)[number];

export function ApprovalsHome() {
  const { t } = useI18n();
  const navigate = useNavigate();
  const [params, setParams] = useSearchParams();
  const counts = useApprovalCounts();
  const tab: Tab = (TABS as readonly string[]).includes(params.get('tab') ?? '') ? (params.get('tab') as Tab) : 'new';
  const [templates, setTemplates] = useState<Template[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    approvalsApi.templates().then(
      (r) => setTemplates(r.items),
      (e) => setError(describeError(t, e)),
    );
  }, [t]);
  return (
    <div className="hd-page ap-page" data-testid="approvals-app">
      <PageHeader title={t('ap.title')} onBack={() => navigate('/workbench')} />
      <div className="hd-page-body">
        <Tabs
          activeKey={tab}
          onChange={(k) => setParams(k === 'new' ? {} : { tab: k }, { replace: true })}
          items={TABS.map((k) => ({
            key: k,
            label: (
              <span data-testid={`ap-tab-${k}`}>
                {k === 'waiting' ? (
                  <Badge count={counts?.waiting ?? 0} size="small" offset={[8, -2]} data-testid="ap-waiting-badge">
                    {t('ap.tab.waiting')}
                  </Badge>
                ) : (
                  t(`ap.tab.${k}`)
                )}
              </span>
            ),
            children: k === 'new' ? <TemplatePicker templates={templates} error={error} /> : <RequestListView box={k} templates={templates ?? []} />,
          }))}
        />
      </div>
    </div>
  );
}

function TemplatePicker({ templates, error }: { templates: Template[] | null; error: string | null }) {
  const { t, locale } = useI18n();
  const navigate = useNavigate();
  const groups = useMemo(() => {
    const m = new Map<string, Template[]>();
    for (const tp of templates ?? []) {
      if (!tp.enabled || !tp.can_file) continue;
      const g = tp.definition.group || t('ap.group.other');
      m.set(g, [...(m.get(g) ?? []), tp]);
    }
    return [...m.entries()];
  }, [templates, t]);
  if (error) return <ErrorAlert error={error} />;
  if (!templates) return <Loading />;
  if (!groups.length) return <EmptyState title={t('ap.noTemplates')} />;
  return (
    <div className="ap-picker" data-testid="ap-template-picker">
      {groups.map(([g, list]) => (
        <section key={g} className="ap-group">
          <h2 className="ap-group-title">{g}</h2>
          <ul className="hd-tiles">
            {list.map((tp) => (
              <li key={tp.id}>
                <button type="button" className="hd-tile" onClick={() => navigate(`/workbench/approvals/new/${tp.id}`)} data-testid="ap-template" data-name={tp.definition.name.zh}>
                  <TemplateIcon icon={tp.definition.icon ?? ''} />
                  <span>{pick(tp.definition.name, locale)}</span>
                </button>
              </li>
            ))}
          </ul>
        </section>
      ))}
    </div>
  );
}

function RequestListView({ box, templates }: { box: RequestBox; templates: Template[] }) {
  const { t, locale } = useI18n();
  const navigate = useNavigate();
  const [status, setStatus] = useState<string | undefined>();
  const [templateId, setTemplateId] = useState<string | undefined>();
  const [q, setQ] = useState('');
  const dq = useDebounced(q, 300);
  const [items, setItems] = useState<RequestSummary[] | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  const query = useMemo(() => ({ box, status, template_id: templateId, q: dq.trim() || undefined, limit: 30 }), [box, status, templateId, dq]);
  const load = useCallback(() => {
    approvalsApi.list(query).then(
      (r) => {
        setItems(r.items);
        setCursor(r.next_cursor ?? null);
        setError(null);
      },
      (e) => setError(describeError(t, e)),
    );
  }, [query, t]);
  useEffect(load, [load]);
  useApprovalEvents(load);
  const more = async () => {
    if (!cursor) return;
    setLoadingMore(true);
    try {
      const r = await approvalsApi.list({ ...query, cursor });
      setItems((prev) => [...(prev ?? []), ...r.items]);
      setCursor(r.next_cursor ?? null);
    } catch (e) {
      setError(describeError(t, e));
    } finally {
      setLoadingMore(false);
    }
  };
  return (
    <div className="ap-list" data-testid={`ap-list-${box}`}>
      <div className="ap-filters">
        <Input.Search allowClear value={q} onChange={(e) => setQ(e.target.value)} placeholder={t('ap.filter.search')} aria-label={t('ap.filter.search')} data-testid="ap-search" />
        <Select
          allowClear
          value={status}
          onChange={setStatus}
          placeholder={t('ap.filter.status')}
          aria-label={t('ap.filter.status')}
          options={(['pending', 'approved', 'rejected', 'withdrawn'] as const).map((s) => ({ value: s, label: t(`ap.status.${s}`) }))}
          data-testid="ap-filter-status"
        />
        <Select
          allowClear
          value={templateId}
          onChange={setTemplateId}
          placeholder={t('ap.filter.template')}
          aria-label={t('ap.filter.template')}
          options={templates.map((tp) => ({ value: tp.id, label: pick(tp.definition.name, locale) }))}
          data-testid="ap-filter-template"
        />
      </div>
      <ErrorAlert error={error} />
      {!items ? (
        <Loading />
      ) : items.length === 0 ? (
        <EmptyState title={t('ap.list.empty')} />
      ) : (
        <ul className="ap-items">
          {items.map((r) => (
            <li key={r.id}>
              <button type="button" className="ap-item" onClick={() => navigate(`/workbench/approvals/${r.id}`)} data-testid="ap-item" data-sp-no={r.sp_no}>
                <TemplateIcon icon={r.icon} size={36} />
                <span className="ap-item-body">
                  <span className="ap-item-title">
                    {box === 'mine' ? pick(r.template_name, locale) : `${r.applicant.name} · ${pick(r.template_name, locale)}`}
                  </span>
                  <span className="ap-item-summary hd-muted">{r.summary}</span>
                  <span className="ap-item-foot hd-muted">
                    {formatTime(r.created_at, locale)}
                    {r.status === 'pending' && r.awaiting.length > 0 && ` · ${t('ap.awaiting', { names: r.awaiting.map((p) => p.name).join('、') })}`}
                  </span>
                </span>
                <StatusTag status={r.status} />
              </button>
            </li>
          ))}
        </ul>
      )}
      {cursor && (
        <Button block onClick={more} loading={loadingMore} data-testid="ap-more">
          {t('common.loadMore')}
        </Button>
      )}
    </div>
  );
}
