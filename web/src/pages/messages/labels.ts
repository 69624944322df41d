import { useMemo } from 'react';
import { useT } from '../../i18n/I18nProvider';
import type { PreviewLabels } from '../../chat/store';

export function usePreviewLabels(): PreviewLabels {
  const t = useT();
  return useMemo(
    () => ({
      location: `[${t('chat.location')}]`,
      link: `[${t('chat.link')}]`,
      chain: `[${t('chat.chain')}]`,
      forward: '',
      recalled: t('chat.recalledShort'),
      image: `[${t('chat.image')}]`,
      file: `[${t('chat.file')}]`,
      voice: `[${t('chat.voice')}]`,
      card: `[${t('ap.card.label')}]`,
    }),
    [t],
  );
}
