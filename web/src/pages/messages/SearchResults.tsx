// Message search results (GET /api/v1/search/messages): within one chat or across all
// of them. Snippets are rendered as text with only <b> kept as bold.
import { Button, Spin } from 'antd';
import { useEffect, useState } from 'react';
import { chatApi } from '../../api/endpoints';
import type { SearchHit } from '../../api/types';
import { useChat } from '../../chat/ChatProvider';
import { listTime, parseSnippet } from '../../chat/logic';
import { previewText } from '../../chat/store';
import { describeError } from '../../i18n/errors';
import { useI18n } from '../../i18n/I18nProvider';
import { usePreviewLabels } from './labels';

export function Snippet({ html }: { html: string }) {
  return (
    <>
      {parseSnippet(html).map((p, i) => (p.bold ? <b key={i}>{p.text}</b> : <span key={i}>{p.text}</span>))}
    </>
  );
}

export function SearchResults({
  query,
  convId,
  onPick,
}: {
  query: string;
  convId?: string;
  onPick: (hit: SearchHit) => void;
}) {
  const { t, locale } = useI18n();
  const { store, memberName } = useChat();
  const labels = usePreviewLabels();
  const [hits, setHits] = useState<SearchHit[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const q = query.trim();

  useEffect(() => {
    setHits([]);
    setCursor(null);
    setError(null);
    if (!q) return;
    const ctl = new AbortController();
    const timer = setTimeout(() => {
      setLoading(true);
      chatApi.searchMessages(q, { conversation_id: convId }, ctl.signal).then(
        (page) => {
          setHits(page.items);
          setCursor(page.next_cursor ?? null);
          setLoading(false);
        },
        (e) => {
          if ((e as Error)?.name === 'AbortError') return;
          setError(describeError(t, e));
          setLoading(false);
        },
      );
    }, 250);
    return () => {
      clearTimeout(timer);
      ctl.abort();
    };
  }, [q, convId, t]);

  const more = () => {
    if (!cursor) return;
    setLoading(true);
    chatApi.searchMessages(q, { conversation_id: convId, cursor }).then(
      (page) => {
        setHits((h) => [...h, ...page.items]);
        setCursor(page.next_cursor ?? null);
        setLoading(false);
      },
      (e) => {
        setError(describeError(t, e));
        setLoading(false);
      },
    );
  };

  if (!q) return null;
  const now = Date.now();
  return (
    <div className="hd-search-results" data-testid="search-results">
      {error && <div className="hd-msg-error">{error}</div>}
      {!loading && !error && hits.length === 0 && <div className="hd-muted hd-search-none">{t('chat.searchNone')}</div>}
      <ul>
        {hits.map((h) => {
          const conv = store.conversation(h.conversation_id);
          return (
            <li key={h.message.id}>
              <button type="button" className="hd-search-hit" onClick={() => onPick(h)} data-testid="search-hit" data-seq={h.seq}>
                <span className="hd-search-hit-top">
                  <span className="hd-search-hit-name">
                    {memberName(h.message.sender_id)}
                    {!convId && conv ? <span className="hd-muted"> · {conv.name}</span> : null}
                  </span>
                  <span className="hd-muted">{listTime(h.message.created_at, now, locale, t('chat.yesterday'))}</span>
                </span>
                <span className="hd-search-hit-text">{h.snippet_html ? <Snippet html={h.snippet_html} /> : previewText(h.message.content, labels)}</span>
              </button>
            </li>
          );
        })}
      </ul>
      {loading && (
        <div className="hd-center">
          <Spin size="small" />
        </div>
      )}
      {cursor && !loading && (
        <Button type="link" block onClick={more} data-testid="search-more">
          {t('chat.searchMore')}
        </Button>
      )}
    </div>
  );
}
