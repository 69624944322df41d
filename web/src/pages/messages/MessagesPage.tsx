// Messages tab. Chat is not implemented yet: this page is the extension point.
// A conversation view should plug in here, keyed by the `to` query parameter
// (a member id) that the contacts profile card's "Send message" button sets.
import { useEffect, useState } from 'react';
import { MessageOutlined } from '@ant-design/icons';
import { useSearchParams } from 'react-router';
import { membersApi } from '../../api/endpoints';
import type { Member } from '../../api/types';
import { EmptyState } from '../../components/States';
import { PageHeader } from '../../shell/PageHeader';
import { useT } from '../../i18n/I18nProvider';

export function MessagesPage() {
  const t = useT();
  const [params] = useSearchParams();
  const to = params.get('to');
  const [peer, setPeer] = useState<Member | null>(null);

  useEffect(() => {
    setPeer(null);
    if (!to) return;
    membersApi.get(to).then(setPeer, () => setPeer(null));
  }, [to]);

  return (
    <div className="hd-page">
      <PageHeader title={t('nav.messages')} />
      <div className="hd-page-body" data-testid="messages-page">
        <EmptyState
          icon={<MessageOutlined className="hd-empty-icon" />}
          title={t('messages.comingTitle')}
          description={peer ? t('messages.to', { name: peer.name }) : t('messages.comingBody')}
        />
      </div>
    </div>
  );
}
