// Small shared pieces: template icons, status tags, the counts hook.
import {
  AccountBookOutlined,
  CalendarOutlined,
  CarOutlined,
  ClockCircleOutlined,
  CoffeeOutlined,
  EnvironmentOutlined,
  FileTextOutlined,
  FormOutlined,
  SafetyCertificateOutlined,
  ShoppingCartOutlined,
} from '@ant-design/icons';
import { Tag } from 'antd';
import { useCallback, useEffect, useState, type ReactNode } from 'react';
import { useT } from '../i18n/I18nProvider';
import { useLive } from '../state/live';
import { approvalsApi } from './api';
import type { Counts, RequestStatus } from './types';

export const ICON_VIEW: Record<string, { icon: ReactNode; color: string }> = {
  leave: { icon: <CoffeeOutlined />, color: '#f5a623' },
  expense: { icon: <AccountBookOutlined />, color: '#3c8cff' },
  trip: { icon: <CarOutlined />, color: '#19b37d' },
  outing: { icon: <EnvironmentOutlined />, color: '#13a8a8' },
  punch: { icon: <ClockCircleOutlined />, color: '#7a5af8' },
  overtime: { icon: <CalendarOutlined />, color: '#eb5757' },
  purchase: { icon: <ShoppingCartOutlined />, color: '#fa8c16' },
  general: { icon: <FormOutlined />, color: '#2f6bff' },
  seal: { icon: <SafetyCertificateOutlined />, color: '#c41d7f' },
  car: { icon: <CarOutlined />, color: '#52c41a' },
};

export function TemplateIcon({ icon, size = 40 }: { icon: string; size?: number }) {
  const v = ICON_VIEW[icon] ?? { icon: <FileTextOutlined />, color: '#8c8c8c' };
  return (
    <span className="ap-icon" style={{ background: v.color, width: size, height: size, fontSize: size * 0.5 }} aria-hidden>
      {v.icon}
    </span>
  );
}

const STATUS_COLOR: Record<RequestStatus, string> = {
  pending: 'processing',
  approved: 'success',
  rejected: 'error',
  withdrawn: 'default',
  withdrawn_after_approval: 'default',
};

export function StatusTag({ status }: { status: RequestStatus }) {
  const t = useT();
  return (
    <Tag color={STATUS_COLOR[status]} data-testid="ap-status" data-status={status}>
      {t(`ap.status.${status}`)}
    </Tag>
  );
}

/** GET /approvals/counts, refreshed on approval.updated events and on reconnect. */
export function useApprovalCounts(): Counts | null {
  const { subscribe, directoryVersion } = useLive();
  const [counts, setCounts] = useState<Counts | null>(null);
  const load = useCallback(() => {
    approvalsApi.counts().then(setCounts, () => undefined);
  }, []);
  useEffect(() => {
    load();
  }, [load, directoryVersion]);
  useEffect(
    () =>
      subscribe((e) => {
        if ((e as { type?: string }).type === 'approval.updated') load();
      }),
    [subscribe, load],
  );
  return counts;
}

/** Calls `fn` when a live approval.updated event arrives (for `requestId`, or any). */
export function useApprovalEvents(fn: (requestId: string) => void, requestId?: string) {
  const { subscribe } = useLive();
  useEffect(
    () =>
      subscribe((e) => {
        const ev = e as { type?: string; payload?: { request_id?: string | number } };
        if (ev.type !== 'approval.updated') return;
        const id = String(ev.payload?.request_id ?? '');
        if (!requestId || id === requestId) fn(id);
      }),
    [subscribe, fn, requestId],
  );
}
