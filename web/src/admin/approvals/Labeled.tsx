// Label + control pair used by the template designer's editors.
import type { ReactNode } from 'react';

export function L({ label, children, wide }: { label: string; children: ReactNode; wide?: boolean }) {
  return (
    <label className={wide ? 'ap-wide' : undefined}>
      <span className="ap-mini-label">{label}</span>
      {children}
    </label>
  );
}
