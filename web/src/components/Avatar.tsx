import { avatarColor, initialOf } from '../lib/format';

interface Props {
  name: string;
  id?: string;
  url?: string | null;
  size?: number;
}

/** Square-ish rounded avatar showing the first character of the name. */
export function Avatar({ name, id, url, size = 36 }: Props) {
  const style = {
    width: size,
    height: size,
    borderRadius: Math.round(size / 5),
    fontSize: Math.round(size * 0.45),
    background: url ? undefined : avatarColor(id ?? name),
  };
  if (url) return <img className="hd-avatar" src={url} alt={name} style={style} />;
  return (
    <span className="hd-avatar" style={style} aria-hidden="true">
      {initialOf(name)}
    </span>
  );
}
