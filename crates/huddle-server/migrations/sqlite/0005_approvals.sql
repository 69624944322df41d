-- Approvals (审批): templates with immutable versions, requests carrying the flow resolved at
-- submit, the people index behind the "waiting for me / handled / CC'd" lists, the timeline,
-- drafts, approval roles, leave types and the leave ledger.

-- Per-organization approval settings; its row also marks that the built-in templates and leave
-- types were created for the organization.
CREATE TABLE approval_settings (
    org_id INTEGER PRIMARY KEY REFERENCES organizations(id),
    leave_types TEXT NOT NULL,
    updated_at INTEGER NOT NULL
);

CREATE TABLE approval_templates (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES organizations(id),
    -- the built-in template this started as (leave, expense, trip, outing, punch_correction)
    builtin TEXT,
    current_version INTEGER NOT NULL,
    enabled INTEGER NOT NULL DEFAULT 1,
    deleted INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX approval_templates_org ON approval_templates(org_id);

-- A version is never changed: editing a template writes a new one; requests keep theirs.
CREATE TABLE approval_template_versions (
    template_id INTEGER NOT NULL REFERENCES approval_templates(id),
    version INTEGER NOT NULL,
    org_id INTEGER NOT NULL,
    definition TEXT NOT NULL,
    created_by INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (template_id, version)
);

CREATE TABLE approval_roles (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES organizations(id),
    name TEXT NOT NULL,
    member_ids TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX approval_roles_org ON approval_roles(org_id);

-- Daily request numbers (审批单号 like 202612010001), counted per organization.
CREATE TABLE approval_counters (
    org_id INTEGER NOT NULL,
    day TEXT NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (org_id, day)
);

CREATE TABLE approval_requests (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES organizations(id),
    sp_no TEXT NOT NULL,
    template_id INTEGER NOT NULL,
    template_version INTEGER NOT NULL,
    applicant_id INTEGER NOT NULL,
    department_id INTEGER,
    status TEXT NOT NULL,
    summary TEXT NOT NULL,
    form_values TEXT NOT NULL,
    state TEXT NOT NULL,
    -- bumped by every transition; writes check it so racing approvals resolve once
    version INTEGER NOT NULL,
    client_request_id TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    finished_at INTEGER
);
CREATE UNIQUE INDEX approval_requests_sp_no ON approval_requests(org_id, sp_no);
CREATE UNIQUE INDEX approval_requests_client ON approval_requests(applicant_id, client_request_id);
CREATE INDEX approval_requests_applicant ON approval_requests(applicant_id, id);
CREATE INDEX approval_requests_org ON approval_requests(org_id, id);

-- Who takes part in a request, rewritten on every transition.
CREATE TABLE approval_request_people (
    request_id INTEGER NOT NULL REFERENCES approval_requests(id),
    member_id INTEGER NOT NULL,
    org_id INTEGER NOT NULL,
    is_approver INTEGER NOT NULL DEFAULT 0,
    is_cc INTEGER NOT NULL DEFAULT 0,
    awaiting INTEGER NOT NULL DEFAULT 0,
    handled INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (request_id, member_id)
);
CREATE INDEX approval_people_member ON approval_request_people(member_id, request_id);

-- The timeline: submissions, decisions, comments, nudges, withdrawals.
CREATE TABLE approval_events (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL,
    request_id INTEGER NOT NULL REFERENCES approval_requests(id),
    actor_id INTEGER NOT NULL,
    kind TEXT NOT NULL,
    data TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX approval_events_request ON approval_events(request_id, id);

CREATE TABLE approval_drafts (
    member_id INTEGER NOT NULL,
    template_id INTEGER NOT NULL,
    org_id INTEGER NOT NULL,
    form_values TEXT NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (member_id, template_id)
);

-- Leave balances as a ledger in thousandths of the type's unit (days or hours). `entry_key`
-- makes grants, debits and credits idempotent.
CREATE TABLE leave_ledger (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES organizations(id),
    member_id INTEGER NOT NULL,
    leave_type TEXT NOT NULL,
    amount_milli INTEGER NOT NULL,
    kind TEXT NOT NULL,
    request_id INTEGER,
    note TEXT NOT NULL,
    actor_id INTEGER NOT NULL,
    entry_key TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX leave_ledger_key ON leave_ledger(org_id, entry_key);
CREATE INDEX leave_ledger_member ON leave_ledger(member_id, leave_type);

-- Time a pending or approved leave occupies (minutes, local time), for refusing overlaps.
CREATE TABLE leave_spans (
    request_id INTEGER PRIMARY KEY REFERENCES approval_requests(id),
    org_id INTEGER NOT NULL,
    member_id INTEGER NOT NULL,
    leave_type TEXT NOT NULL,
    start_min INTEGER NOT NULL,
    end_min INTEGER NOT NULL,
    amount_milli INTEGER NOT NULL,
    active INTEGER NOT NULL
);
CREATE INDEX leave_spans_member ON leave_spans(member_id, active);

-- Files attached to a request (form attachments, decision and comment attachments): readable by
-- the applicant and everyone who takes part in the request.
CREATE TABLE approval_file_refs (
    file_id INTEGER NOT NULL,
    request_id INTEGER NOT NULL REFERENCES approval_requests(id),
    PRIMARY KEY (file_id, request_id)
);
