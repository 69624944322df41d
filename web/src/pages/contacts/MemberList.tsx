import type { Member } from '../../api/types';
import { Avatar } from '../../components/Avatar';
import { useDirectory } from '../../state/directory';

interface Props {
  members: Member[];
  onOpen: (m: Member) => void;
  testId?: string;
}

/** Clickable list of people (name, position, main department). */
export function MemberList({ members, onOpen, testId }: Props) {
  const { deptName } = useDirectory();
  return (
    <ul className="hd-people" data-testid={testId}>
      {members.map((m) => {
        const sub = [m.position, deptName(m.main_department_id ?? m.department_ids[0])].filter(Boolean).join(' · ');
        return (
          <li key={m.id}>
            <button type="button" className="hd-person" onClick={() => onOpen(m)} data-testid="person" data-member-id={m.id}>
              <Avatar name={m.name} id={m.id} url={m.avatar_url} size={40} />
              <span className="hd-person-text">
                <span className="hd-person-name">{m.name}</span>
                {sub && <span className="hd-person-sub">{sub}</span>}
              </span>
            </button>
          </li>
        );
      })}
    </ul>
  );
}
