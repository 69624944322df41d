-- Approvals (审批): templates with immutable versions, requests carrying the flow resolved at
-- submit, the people index behind the "waiting for me / handled / CC'd" lists, the timeline,
-- drafts, approval roles, leave types and the leave ledger.

-- Per-organization approval settings; its row also marks that the built-in templates and leave
-- types were created for the organization.
CREATE TABLE approval_settings (
    org_id BIGINT PRIMARY KEY REFERENCES organizations(id),
    leave_types TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE approval_templates (
    id BIGINT PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES organizations(id),
    -- the built-in template this started as (leave, expense, trip, outing, punch_correction)
    builtin TEXT,
    current_version BIGINT NOT NULL,
    enabled BIGINT NOT NULL DEFAULT 1,
    deleted BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX approval_templates_org ON approval_templates(org_id);

-- A version is never changed: editing a template writes a new one; requests keep theirs.
CREATE TABLE approval_template_versions (
    template_id BIGINT NOT NULL REFERENCES approval_templates(id),
    version BIGINT NOT NULL,
    org_id BIGINT NOT NULL,
    definition TEXT NOT NULL,
    created_by BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (template_id, version)
);

CREATE TABLE approval_roles (
    id BIGINT PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES organizations(id),
    name TEXT NOT NULL,
    member_ids TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX approval_roles_org ON approval_roles(org_id);

-- Daily request numbers (审批单号 like 202612010001), counted per organization.
CREATE TABLE approval_counters (
    org_id BIGINT NOT NULL,
    day TEXT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (org_id, day)
);

CREATE TABLE approval_requests (
    id BIGINT PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES organizations(id),
    sp_no TEXT NOT NULL,
    template_id BIGINT NOT NULL,
    template_version BIGINT NOT NULL,
    applicant_id BIGINT NOT NULL,
    department_id BIGINT,
    status TEXT NOT NULL,
    summary TEXT NOT NULL,
    form_values TEXT NOT NULL,
    state TEXT NOT NULL,
    -- bumped by every transition; writes check it so racing approvals resolve once
    version BIGINT NOT NULL,
    client_request_id TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    finished_at BIGINT
);
CREATE UNIQUE INDEX approval_requests_sp_no ON approval_requests(org_id, sp_no);
CREATE UNIQUE INDEX approval_requests_client ON approval_requests(applicant_id, client_request_id);
CREATE INDEX approval_requests_applicant ON approval_requests(applicant_id, id);
CREATE INDEX approval_requests_org ON approval_requests(org_id, id);

-- Who takes part in a request, rewritten on every transition.
CREATE TABLE approval_request_people (
    request_id BIGINT NOT NULL REFERENCES approval_requests(id),
    member_id BIGINT NOT NULL,
    org_id BIGINT NOT NULL,
    is_approver BIGINT NOT NULL DEFAULT 0,
    is_cc BIGINT NOT NULL DEFAULT 0,
    awaiting BIGINT NOT NULL DEFAULT 0,
    handled BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (request_id, member_id)
);
CREATE INDEX approval_people_member ON approval_request_people(member_id, request_id);

-- The timeline: submissions, decisions, comments, nudges, withdrawals.
CREATE TABLE approval_events (
    id BIGINT PRIMARY KEY,
    org_id BIGINT NOT NULL,
    request_id BIGINT NOT NULL REFERENCES approval_requests(id),
    actor_id BIGINT NOT NULL,
    kind TEXT NOT NULL,
    data TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX approval_events_request ON approval_events(request_id, id);

CREATE TABLE approval_drafts (
    member_id BIGINT NOT NULL,
    template_id BIGINT NOT NULL,
    org_id BIGINT NOT NULL,
    form_values TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (member_id, template_id)
);

-- Leave balances as a ledger in thousandths of the type's unit (days or hours). `entry_key`
-- makes grants, debits and credits idempotent.
CREATE TABLE leave_ledger (
    id BIGINT PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES organizations(id),
    member_id BIGINT NOT NULL,
    leave_type TEXT NOT NULL,
    amount_milli BIGINT NOT NULL,
    kind TEXT NOT NULL,
    request_id BIGINT,
    note TEXT NOT NULL,
    actor_id BIGINT NOT NULL,
    entry_key TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX leave_ledger_key ON leave_ledger(org_id, entry_key);
CREATE INDEX leave_ledger_member ON leave_ledger(member_id, leave_type);

-- Time a pending or approved leave occupies (minutes, local time), for refusing overlaps.
CREATE TABLE leave_spans (
    request_id BIGINT PRIMARY KEY REFERENCES approval_requests(id),
    org_id BIGINT NOT NULL,
    member_id BIGINT NOT NULL,
    leave_type TEXT NOT NULL,
    start_min BIGINT NOT NULL,
    end_min BIGINT NOT NULL,
    amount_milli BIGINT NOT NULL,
    active BIGINT NOT NULL
);
CREATE INDEX leave_spans_member ON leave_spans(member_id, active);

-- Files attached to a request (form attachments, decision and comment attachments): readable by
-- the applicant and everyone who takes part in the request.
CREATE TABLE approval_file_refs (
    file_id BIGINT NOT NULL,
    request_id BIGINT NOT NULL REFERENCES approval_requests(id),
    PRIMARY KEY (file_id, request_id)
);
