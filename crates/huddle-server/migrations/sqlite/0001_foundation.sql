-- Organizations, directory, accounts, sessions, audit log and the event log.
-- Ids are time-sortable 64-bit integers; times are UTC milliseconds.

CREATE TABLE organizations (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    code TEXT NOT NULL UNIQUE,
    directory_version INTEGER NOT NULL DEFAULT 0,
    settings TEXT NOT NULL DEFAULT '{}',
    created_at INTEGER NOT NULL
);

CREATE TABLE departments (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES organizations(id),
    parent_id INTEGER REFERENCES departments(id),
    name TEXT NOT NULL,
    sort_order INTEGER NOT NULL DEFAULT 0,
    visibility_mode TEXT NOT NULL DEFAULT 'all',
    visibility_departments TEXT NOT NULL DEFAULT '[]',
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX departments_org_parent ON departments(org_id, parent_id);

CREATE TABLE members (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES organizations(id),
    name TEXT NOT NULL,
    employee_id TEXT NOT NULL,
    phone TEXT,
    email TEXT,
    position TEXT,
    main_department_id INTEGER,
    manager_id INTEGER,
    status TEXT NOT NULL DEFAULT 'active',
    join_date TEXT,
    leave_date TEXT,
    avatar_url TEXT,
    role TEXT NOT NULL DEFAULT 'member',
    password_hash TEXT,
    must_change_password INTEGER NOT NULL DEFAULT 0,
    settings TEXT NOT NULL DEFAULT '{}',
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX members_org_employee_id ON members(org_id, employee_id);
CREATE UNIQUE INDEX members_org_phone ON members(org_id, phone) WHERE phone IS NOT NULL;
CREATE UNIQUE INDEX members_org_email ON members(org_id, email) WHERE email IS NOT NULL;
CREATE INDEX members_login_employee_id ON members(employee_id);
CREATE INDEX members_login_phone ON members(phone);
CREATE INDEX members_login_email ON members(email);

CREATE TABLE member_departments (
    org_id INTEGER NOT NULL,
    member_id INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    department_id INTEGER NOT NULL REFERENCES departments(id),
    is_leader INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (member_id, department_id)
);
CREATE INDEX member_departments_department ON member_departments(department_id);

CREATE TABLE admin_scopes (
    org_id INTEGER NOT NULL,
    member_id INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    department_id INTEGER NOT NULL REFERENCES departments(id),
    PRIMARY KEY (member_id, department_id)
);

CREATE TABLE sessions (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL,
    member_id INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL UNIQUE,
    csrf_token TEXT NOT NULL,
    ip TEXT,
    user_agent TEXT,
    created_at INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX sessions_member ON sessions(member_id);

CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL,
    actor_id INTEGER,
    actor_name TEXT NOT NULL,
    action TEXT NOT NULL,
    target_type TEXT NOT NULL,
    target_id TEXT,
    detail TEXT NOT NULL DEFAULT '{}',
    ip TEXT,
    user_agent TEXT,
    created_at INTEGER NOT NULL
);
CREATE INDEX audit_log_org ON audit_log(org_id, id);

-- Every state change that clients may want to hear about, in commit order per organization.
CREATE TABLE events (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX events_org ON events(org_id, id);
