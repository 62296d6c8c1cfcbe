#!/usr/bin/env python3
"""Writes fixtures/histories/postgres-stairway: a PostgreSQL history of a
project-management SaaS grown over two years, revision by revision, the
way such projects are written (tables, enums, views, functions, triggers,
backfills), with a few down sections that are wrong on purpose. The files
are committed; run this only to change the history, then commit both.

    python3 scripts/gen_stairway_history.py

The broken revisions are listed in BROKEN below and in the fixture's
README; tests/stairway.rs asserts that `sqlmig test --json` finds exactly
those.
"""

import hashlib
import os
import shutil
from datetime import datetime, timedelta

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
OUT = os.path.join(ROOT, "fixtures", "histories", "postgres-stairway")

revisions = []  # (slug, message, up, down or None)


def rev(slug, message, up, down):
    revisions.append((slug, message, up.strip("\n"), None if down is None else down.strip("\n")))


# Tables: name, columns (after id), parent tables referenced.
TABLES = [
    ("organizations", "name text NOT NULL,\n    slug text NOT NULL UNIQUE,\n    created_at timestamptz NOT NULL DEFAULT now()", []),
    ("users", "organization_id bigint NOT NULL REFERENCES organizations (id),\n    email text NOT NULL,\n    display_name text,\n    created_at timestamptz NOT NULL DEFAULT now()", ["organizations"]),
    ("teams", "organization_id bigint NOT NULL REFERENCES organizations (id),\n    name text NOT NULL", ["organizations"]),
    ("team_members", "team_id bigint NOT NULL REFERENCES teams (id) ON DELETE CASCADE,\n    user_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,\n    UNIQUE (team_id, user_id)", ["teams", "users"]),
    ("projects", "organization_id bigint NOT NULL REFERENCES organizations (id),\n    name text NOT NULL,\n    archived boolean NOT NULL DEFAULT false", ["organizations"]),
    ("milestones", "project_id bigint NOT NULL REFERENCES projects (id) ON DELETE CASCADE,\n    title text NOT NULL,\n    due_on date", ["projects"]),
    ("tasks", "project_id bigint NOT NULL REFERENCES projects (id) ON DELETE CASCADE,\n    title text NOT NULL,\n    body text NOT NULL DEFAULT '',\n    assignee_id bigint REFERENCES users (id),\n    created_at timestamptz NOT NULL DEFAULT now()", ["projects", "users"]),
    ("comments", "task_id bigint NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,\n    author_id bigint NOT NULL REFERENCES users (id),\n    body text NOT NULL,\n    created_at timestamptz NOT NULL DEFAULT now()", ["tasks", "users"]),
    ("labels", "project_id bigint NOT NULL REFERENCES projects (id) ON DELETE CASCADE,\n    name text NOT NULL,\n    color char(7) NOT NULL DEFAULT '#cccccc'", ["projects"]),
    ("task_labels", "task_id bigint NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,\n    label_id bigint NOT NULL REFERENCES labels (id) ON DELETE CASCADE,\n    UNIQUE (task_id, label_id)", ["tasks", "labels"]),
    ("attachments", "task_id bigint NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,\n    file_name text NOT NULL,\n    byte_size bigint NOT NULL", ["tasks"]),
    ("time_entries", "task_id bigint NOT NULL REFERENCES tasks (id),\n    user_id bigint NOT NULL REFERENCES users (id),\n    minutes integer NOT NULL,\n    spent_on date NOT NULL", ["tasks", "users"]),
    ("plans", "code text NOT NULL UNIQUE,\n    monthly_cents integer NOT NULL", []),
    ("subscriptions", "organization_id bigint NOT NULL REFERENCES organizations (id),\n    plan_id bigint NOT NULL REFERENCES plans (id),\n    started_on date NOT NULL", ["organizations", "plans"]),
    ("invoices", "organization_id bigint NOT NULL REFERENCES organizations (id),\n    number text NOT NULL UNIQUE,\n    issued_on date NOT NULL", ["organizations"]),
    ("invoice_lines", "invoice_id bigint NOT NULL REFERENCES invoices (id) ON DELETE CASCADE,\n    description text NOT NULL,\n    amount_cents integer NOT NULL", ["invoices"]),
    ("payments", "invoice_id bigint NOT NULL REFERENCES invoices (id),\n    amount_cents integer NOT NULL,\n    paid_at timestamptz NOT NULL", ["invoices"]),
    ("api_keys", "organization_id bigint NOT NULL REFERENCES organizations (id),\n    prefix text NOT NULL,\n    hashed_secret text NOT NULL", ["organizations"]),
    ("webhooks", "organization_id bigint NOT NULL REFERENCES organizations (id),\n    url text NOT NULL", ["organizations"]),
    ("webhook_deliveries", "webhook_id bigint NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,\n    status_code integer,\n    delivered_at timestamptz", ["webhooks"]),
    ("notifications", "user_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,\n    body text NOT NULL,\n    read_at timestamptz", ["users"]),
    ("sessions", "user_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,\n    token_hash text NOT NULL,\n    expires_at timestamptz NOT NULL", ["users"]),
    ("audit_events", "organization_id bigint REFERENCES organizations (id),\n    actor_id bigint REFERENCES users (id),\n    action text NOT NULL,\n    occurred_at timestamptz NOT NULL DEFAULT now()", ["organizations", "users"]),
    ("saved_filters", "user_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,\n    name text NOT NULL,\n    query jsonb NOT NULL DEFAULT '{}'", ["users"]),
    ("integrations", "organization_id bigint NOT NULL REFERENCES organizations (id),\n    provider text NOT NULL,\n    settings jsonb NOT NULL DEFAULT '{}'", ["organizations"]),
]

# The revisions whose down sections are wrong on purpose, by slug, with
# what is wrong (filled in while the history is written).
BROKEN = {}

ENUMS = {
    "tasks": ("task_status", ["todo", "doing", "done"], "todo"),
    "invoices": ("invoice_state", ["draft", "sent", "paid", "void"], "draft"),
    "subscriptions": ("subscription_state", ["trialing", "active", "cancelled"], "trialing"),
    "webhook_deliveries": ("delivery_outcome", ["pending", "ok", "failed"], "pending"),
    "notifications": ("notification_kind", ["mention", "assignment", "digest"], "mention"),
}

# The shared updated_at trigger function comes early, as real projects add it.
rev("touch_function", "a trigger function that keeps updated_at current", """
CREATE FUNCTION touch_updated_at() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END
$$;
""", "DROP FUNCTION touch_updated_at();")

for number, (table, columns, _parents) in enumerate(TABLES):
    rev(f"create_{table}", f"create {table.replace('_', ' ')}", f"""
CREATE TABLE {table} (
    id bigserial PRIMARY KEY,
    {columns}
);
""", f"DROP TABLE {table};")

    # The foreign key columns get their indexes, one revision per table.
    fk_columns = [line.split()[0] for line in columns.split("\n") if "REFERENCES" in line and "UNIQUE" not in line]
    if fk_columns:
        column = fk_columns[0]
        index = f"{table}_{column}_idx"
        up = f"-- Lookups by {column} were sequential scans in production.\nCREATE INDEX {index} ON {table} ({column});"
        down = f"DROP INDEX {index};"
        if table == "comments":
            # Broken: the down drops an index under a name nobody gave it
            # (the Lemmy 247 shape): the down section fails.
            down = f"DROP INDEX comments_task_idx;"
            BROKEN[f"index_{table}_{column}"] = "down fails: drops comments_task_idx, which does not exist"
        rev(f"index_{table}_{column}", f"index {table}.{column}", up, down)

    if number % 3 == 0:
        rev(f"add_{table}_updated_at", f"track when {table.replace('_', ' ')} change", f"""
ALTER TABLE {table} ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now();

CREATE TRIGGER {table}_touch
    BEFORE UPDATE ON {table}
    FOR EACH ROW EXECUTE FUNCTION touch_updated_at();
""", f"""
DROP TRIGGER {table}_touch ON {table};
ALTER TABLE {table} DROP COLUMN updated_at;
""")

    if table in ENUMS:
        enum, values, default = ENUMS[table]
        quoted = ", ".join(f"'{value}'" for value in values)
        column = enum.split("_")[-1]
        rev(f"{table}_{column}_enum", f"{table.replace('_', ' ')} get a {column}", f"""
CREATE TYPE {enum} AS ENUM ({quoted});
ALTER TABLE {table} ADD COLUMN {column} {enum} NOT NULL DEFAULT '{default}';
""", f"""
ALTER TABLE {table} DROP COLUMN {column};
DROP TYPE {enum};
""")

    if number % 4 == 1:
        rev(f"comment_{table}", f"document {table.replace('_', ' ')}", f"""
COMMENT ON TABLE {table} IS 'One row per {table.rstrip('s').replace('_', ' ')}.';
""", f"COMMENT ON TABLE {table} IS NULL;")

    if number % 5 == 2:
        rev(f"{table}_archived_at", f"soft delete for {table.replace('_', ' ')}", f"""
ALTER TABLE {table} ADD COLUMN archived_at timestamptz;
CREATE INDEX {table}_live_idx ON {table} (id) WHERE archived_at IS NULL;
""", f"""
DROP INDEX {table}_live_idx;
ALTER TABLE {table} DROP COLUMN archived_at;
""")

    if number % 2 == 1:
        rev(f"{table}_metadata", f"free-form metadata on {table.replace('_', ' ')}", f"""
ALTER TABLE {table} ADD COLUMN metadata jsonb NOT NULL DEFAULT '{{}}';
""", f"ALTER TABLE {table} DROP COLUMN metadata;")

    if any(line.strip().startswith("name text NOT NULL") for line in columns.split("\n")):
        rev(f"{table}_name_not_blank", f"{table.replace('_', ' ')} need a name that is not blank", f"""
UPDATE {table} SET name = 'unnamed' WHERE btrim(name) = '';
ALTER TABLE {table} ADD CONSTRAINT {table}_name_not_blank CHECK (btrim(name) <> '');
""", f"ALTER TABLE {table} DROP CONSTRAINT {table}_name_not_blank;")

    if "created_at" in columns and number % 2 == 0:
        rev(f"{table}_created_at_idx", f"list {table.replace('_', ' ')} newest first", f"""
CREATE INDEX {table}_created_at_idx ON {table} (created_at DESC);
""", f"DROP INDEX {table}_created_at_idx;")

    if number % 2 == 0:
        rev(f"{table}_external_id", f"{table.replace('_', ' ')} get an id that imports can match on", f"""
ALTER TABLE {table} ADD COLUMN external_id uuid;
CREATE UNIQUE INDEX {table}_external_id_key ON {table} (external_id);
""", f"ALTER TABLE {table} DROP COLUMN external_id;")

# Later features, touching several tables at once.
rev("users_email_lower", "users log in with their email in any case", """
CREATE UNIQUE INDEX users_email_lower_key ON users (lower(email));
""", "DROP INDEX users_email_lower_key;")

rev("backfill_display_names", "every user has a display name", """
-- Older sign-ups never set one: use the part of the email before the @.
UPDATE users SET display_name = split_part(email, '@', 1) WHERE display_name IS NULL;
""", "-- nothing to undo")

rev("users_display_name_required", "display names are required", """
ALTER TABLE users ALTER COLUMN display_name SET NOT NULL;
""", "ALTER TABLE users ALTER COLUMN display_name DROP NOT NULL;")

rev("open_tasks_view", "a view of the tasks still open", """
CREATE VIEW open_tasks AS
    SELECT t.id, t.project_id, t.title, t.assignee_id
    FROM tasks t
    WHERE t.status <> 'done';
""", "DROP VIEW open_tasks;")

rev("task_due_on", "tasks get a due date", """
ALTER TABLE tasks ADD COLUMN due_on date;
CREATE INDEX tasks_due_on_idx ON tasks (due_on) WHERE due_on IS NOT NULL;
""", """
-- Dropping the column drops its index too.
ALTER TABLE tasks DROP COLUMN due_on;
""")

rev("open_tasks_due_on", "the open tasks view shows due dates", """
CREATE OR REPLACE VIEW open_tasks AS
    SELECT t.id, t.project_id, t.title, t.assignee_id, t.due_on
    FROM tasks t
    WHERE t.status <> 'done';
""", """
DROP VIEW open_tasks;
CREATE VIEW open_tasks AS
    SELECT t.id, t.project_id, t.title, t.assignee_id
    FROM tasks t
    WHERE t.status <> 'done';
""")

rev("task_priority", "tasks get a priority", """
ALTER TABLE tasks ADD COLUMN priority smallint NOT NULL DEFAULT 3;
ALTER TABLE tasks ADD CONSTRAINT tasks_priority_range CHECK (priority BETWEEN 1 AND 5);
""", """
ALTER TABLE tasks DROP CONSTRAINT tasks_priority_range;
ALTER TABLE tasks DROP COLUMN priority;
""")

rev("task_priority_default", "new tasks start at priority 2", """
ALTER TABLE tasks ALTER COLUMN priority SET DEFAULT 2;
""", """
ALTER TABLE tasks ALTER COLUMN priority DROP DEFAULT;
""")
BROKEN["task_priority_default"] = "down drops the default instead of restoring 3"

rev("invoice_totals_function", "a function that totals an invoice", """
CREATE FUNCTION invoice_total(invoice bigint) RETURNS bigint
LANGUAGE sql STABLE AS $$
    SELECT coalesce(sum(amount_cents), 0) FROM invoice_lines WHERE invoice_id = invoice
$$;
""", "DROP FUNCTION invoice_total(bigint);")

rev("invoice_summary_view", "a view of invoices with their totals", """
CREATE VIEW invoice_summaries AS
    SELECT i.id, i.organization_id, i.number, i.state, invoice_total(i.id) AS total_cents
    FROM invoices i;
""", "DROP VIEW invoice_summaries;")

rev("payments_amount_positive", "payments are positive", """
ALTER TABLE payments ADD CONSTRAINT payments_amount_positive CHECK (amount_cents > 0);
""", "ALTER TABLE payments DROP CONSTRAINT payments_amount_positive;")

rev("audit_task_changes", "audit every change of a task's status", """
CREATE FUNCTION audit_task_status() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.status IS DISTINCT FROM OLD.status THEN
        INSERT INTO audit_events (action) VALUES ('task ' || NEW.id || ' ' || NEW.status);
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER tasks_audit_status
    AFTER UPDATE OF status ON tasks
    FOR EACH ROW EXECUTE FUNCTION audit_task_status();
""", """
DROP TRIGGER tasks_audit_status ON tasks;
""")
BROKEN["audit_task_changes"] = "down forgets the function audit_task_status"

rev("labels_unique_name", "label names are unique in a project", """
ALTER TABLE labels ADD CONSTRAINT labels_project_name_key UNIQUE (project_id, name);
""", "ALTER TABLE labels DROP CONSTRAINT labels_project_name_key;")

rev("backfill_label_colors", "labels without a color get the default", """
UPDATE labels SET color = '#cccccc' WHERE color = '';
""", "-- nothing to undo")

rev("task_status_blocked", "tasks can be blocked", """
ALTER TYPE task_status ADD VALUE 'blocked' AFTER 'doing';
""", None)  # PostgreSQL cannot remove an enum value: irreversible on purpose.

rev("time_entry_minutes_positive", "time entries are positive", """
ALTER TABLE time_entries ADD CONSTRAINT time_entries_minutes_positive CHECK (minutes > 0);
CREATE INDEX time_entries_spent_on_idx ON time_entries (spent_on);
""", """
ALTER TABLE time_entries DROP CONSTRAINT time_entries_minutes_positive;
""")
BROKEN["time_entry_minutes_positive"] = "down forgets the index time_entries_spent_on_idx"

rev("weekly_time_view", "a view of minutes spent per user and week", """
CREATE VIEW weekly_time AS
    SELECT user_id, date_trunc('week', spent_on)::date AS week, sum(minutes) AS minutes
    FROM time_entries
    GROUP BY user_id, date_trunc('week', spent_on);
""", "DROP VIEW weekly_time;")

rev("sessions_expiry_idx", "expired sessions are swept by expiry", """
CREATE INDEX sessions_expires_at_idx ON sessions (expires_at);
""", "DROP INDEX sessions_expires_at_idx;")

rev("api_key_last_used", "record when an API key was last used", """
ALTER TABLE api_keys ADD COLUMN last_used_at timestamptz;
""", "ALTER TABLE api_keys DROP COLUMN last_used_at;")

rev("api_keys_prefix_unique", "API key prefixes are unique", """
CREATE UNIQUE INDEX api_keys_prefix_key ON api_keys (prefix);
""", "DROP INDEX api_keys_prefix_key;")

rev("webhook_secret", "webhooks are signed", """
ALTER TABLE webhooks ADD COLUMN secret text NOT NULL DEFAULT md5(random()::text);
""", "ALTER TABLE webhooks DROP COLUMN secret;")

rev("webhook_active", "webhooks can be paused", """
ALTER TABLE webhooks ADD COLUMN active boolean NOT NULL DEFAULT true;
""", """
ALTER TABLE webhooks DROP COLUMN active;
""")

rev("notifications_unread_idx", "unread notifications are listed first", """
CREATE INDEX notifications_unread_idx ON notifications (user_id) WHERE read_at IS NULL;
""", "DROP INDEX notifications_unread_idx;")

rev("plans_seed", "the plans we sell", """
INSERT INTO plans (code, monthly_cents) VALUES ('free', 0), ('team', 1200), ('business', 4900);
""", """
DELETE FROM plans WHERE code IN ('free', 'team', 'business');
""")

rev("org_plan_view", "a view of each organization's current plan", """
CREATE VIEW organization_plans AS
    SELECT DISTINCT ON (s.organization_id) s.organization_id, p.code, s.state
    FROM subscriptions s JOIN plans p ON p.id = s.plan_id
    ORDER BY s.organization_id, s.started_on DESC;
""", "DROP VIEW organization_plans;")

rev("saved_filters_shared", "saved filters can be shared with a team", """
ALTER TABLE saved_filters ADD COLUMN team_id bigint REFERENCES teams (id) ON DELETE SET NULL;
""", "ALTER TABLE saved_filters DROP COLUMN team_id;")

rev("integrations_provider_check", "only the providers we support", """
ALTER TABLE integrations ADD CONSTRAINT integrations_provider_check
    CHECK (provider IN ('github', 'gitlab', 'slack'));
""", "ALTER TABLE integrations DROP CONSTRAINT integrations_provider_check;")

rev("integrations_provider_jira", "Jira is supported too", """
ALTER TABLE integrations DROP CONSTRAINT integrations_provider_check;
ALTER TABLE integrations ADD CONSTRAINT integrations_provider_check
    CHECK (provider IN ('github', 'gitlab', 'slack', 'jira'));
""", """
ALTER TABLE integrations DROP CONSTRAINT integrations_provider_check;
ALTER TABLE integrations ADD CONSTRAINT integrations_provider_check
    CHECK (provider IN ('github', 'gitlab', 'slack'));
""")

rev("task_search", "full-text search over tasks", """
ALTER TABLE tasks ADD COLUMN search tsvector
    GENERATED ALWAYS AS (to_tsvector('simple', title || ' ' || body)) STORED;
CREATE INDEX tasks_search_idx ON tasks USING gin (search);
""", """
DROP INDEX tasks_search_idx;
ALTER TABLE tasks DROP COLUMN search;
""")

rev("comments_edited_at", "comments remember their last edit", """
ALTER TABLE comments ADD COLUMN edited_at timestamptz;

CREATE FUNCTION mark_comment_edited() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.body IS DISTINCT FROM OLD.body THEN
        NEW.edited_at := now();
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER comments_mark_edited
    BEFORE UPDATE OF body ON comments
    FOR EACH ROW EXECUTE FUNCTION mark_comment_edited();
""", """
DROP TRIGGER comments_mark_edited ON comments;
DROP FUNCTION mark_comment_edited();
ALTER TABLE comments DROP COLUMN edited_at;
""")

rev("backfill_task_priority", "urgent-labelled tasks get priority 1", """
UPDATE tasks SET priority = 1
WHERE id IN (
    SELECT tl.task_id FROM task_labels tl JOIN labels l ON l.id = tl.label_id
    WHERE l.name = 'urgent'
);
""", "-- nothing to undo")

rev("milestone_progress_view", "a view of each milestone's progress", """
ALTER TABLE tasks ADD COLUMN milestone_id bigint REFERENCES milestones (id) ON DELETE SET NULL;

CREATE VIEW milestone_progress AS
    SELECT m.id, m.title,
           count(t.id) AS tasks,
           count(t.id) FILTER (WHERE t.status = 'done') AS done
    FROM milestones m LEFT JOIN tasks t ON t.milestone_id = m.id
    GROUP BY m.id, m.title;
""", """
DROP VIEW milestone_progress;
ALTER TABLE tasks DROP COLUMN milestone_id;
""")

rev("audit_events_partition_key", "audit events are looked up by month", """
CREATE INDEX audit_events_occurred_at_idx ON audit_events (occurred_at);
""", "DROP INDEX audit_events_occurred_at_idx;")

rev("drop_legacy_invoice_summary", "invoice summaries show the state's label", """
DROP VIEW invoice_summaries;
CREATE VIEW invoice_summaries AS
    SELECT i.id, i.organization_id, i.number, i.state::text AS state_label, invoice_total(i.id) AS total_cents
    FROM invoices i;
""", """
DROP VIEW invoice_summaries;
CREATE VIEW invoice_summaries AS
    SELECT i.id, i.organization_id, i.number, i.state::text AS state, invoice_total(i.id) AS total_cents
    FROM invoices i;
""")
BROKEN["drop_legacy_invoice_summary"] = "down restores the view with a cast the original did not have"

rev("lowercase_emails", "emails are stored in lower case", """
UPDATE users SET email = lower(email) WHERE email <> lower(email);
""", None)  # The original case is gone: irreversible on purpose.

rev("organization_timezone", "organizations have a time zone", """
ALTER TABLE organizations ADD COLUMN time_zone text NOT NULL DEFAULT 'UTC';
""", "ALTER TABLE organizations DROP COLUMN time_zone;")

rev("users_last_seen", "remember when users were last seen", """
ALTER TABLE users ADD COLUMN last_seen_at timestamptz;
CREATE INDEX users_last_seen_at_idx ON users (last_seen_at DESC NULLS LAST);
""", """
DROP INDEX users_last_seen_at_idx;
ALTER TABLE users DROP COLUMN last_seen_at;
""")

rev("projects_key", "projects get a short key", """
ALTER TABLE projects ADD COLUMN key text;
""", "ALTER TABLE projects DROP COLUMN key;")

rev("backfill_projects_key", "existing projects get a key from their name", """
UPDATE projects SET key = upper(left(regexp_replace(name, '[^A-Za-z]', '', 'g'), 4)) || id
WHERE key IS NULL;
""", "-- nothing to undo")

rev("projects_key_required", "project keys are required and unique", """
ALTER TABLE projects ALTER COLUMN key SET NOT NULL;
CREATE UNIQUE INDEX projects_organization_key ON projects (organization_id, key);
""", """
DROP INDEX projects_organization_key;
ALTER TABLE projects ALTER COLUMN key DROP NOT NULL;
""")

rev("task_estimates", "tasks can be estimated", """
ALTER TABLE tasks ADD COLUMN estimate_minutes integer CHECK (estimate_minutes > 0);
""", "ALTER TABLE tasks DROP COLUMN estimate_minutes;")

rev("invoice_number_sequence", "invoice numbers come from a sequence", """
CREATE SEQUENCE invoice_number_seq START 1000;
ALTER TABLE invoices ALTER COLUMN number SET DEFAULT 'INV-' || nextval('invoice_number_seq');
""", """
ALTER TABLE invoices ALTER COLUMN number DROP DEFAULT;
DROP SEQUENCE invoice_number_seq;
""")

rev("teams_description", "teams can describe themselves", """
ALTER TABLE teams ADD COLUMN description text NOT NULL DEFAULT '';
""", "ALTER TABLE teams DROP COLUMN description;")

rev("attachment_content_type", "attachments remember their content type", """
ALTER TABLE attachments ADD COLUMN content_type text NOT NULL DEFAULT 'application/octet-stream';
""", "ALTER TABLE attachments DROP COLUMN content_type;")

rev("unread_count_function", "a function that counts a user's unread notifications", """
CREATE FUNCTION unread_notifications(member bigint) RETURNS integer
LANGUAGE sql STABLE AS $$
    SELECT count(*)::integer FROM notifications WHERE user_id = member AND read_at IS NULL
$$;
""", "DROP FUNCTION unread_notifications(bigint);")

rev("users_email_check", "emails must look like emails", """
ALTER TABLE users ADD CONSTRAINT users_email_shape CHECK (position('@' IN email) > 1);
""", "ALTER TABLE users ADD CONSTRAINT users_email_shape_dropped CHECK (true);\nALTER TABLE users DROP CONSTRAINT users_email_shape_dropped;")
BROKEN["users_email_check"] = "down adds and drops another constraint and forgets users_email_shape"


def write():
    if os.path.isdir(os.path.join(OUT, "migrations")):
        shutil.rmtree(os.path.join(OUT, "migrations"))
    os.makedirs(os.path.join(OUT, "migrations"))
    start = datetime(2024, 1, 8, 9, 30)
    parent = None
    broken_ids = []
    for number, (slug, message, up, down) in enumerate(revisions):
        # Working days, a few revisions a week, at varied hours.
        when = start + timedelta(days=number * 4 + number % 3, hours=(number * 7) % 9, minutes=(number * 17) % 60)
        revision = hashlib.blake2b(slug.encode(), digest_size=6).hexdigest()
        text = f"-- revision: {revision}\n"
        if parent:
            text += f"-- revises: {parent}\n"
        text += f"-- message: {message}\n\n-- up\n{up}\n"
        if down is not None:
            text += f"\n-- down\n{down}\n"
        name = f"{when:%Y%m%d%H%M%S}_{slug}.sql"
        with open(os.path.join(OUT, "migrations", name), "w") as handle:
            handle.write(text)
        if slug in BROKEN:
            broken_ids.append((revision, name, BROKEN[slug]))
        parent = revision
    with open(os.path.join(OUT, "sqlmig.toml"), "w") as handle:
        handle.write('dialect = "postgres"\n')
    with open(os.path.join(OUT, "broken.txt"), "w") as handle:
        handle.write("# revision file: what is wrong with its down section (read by tests/stairway.rs)\n")
        for revision, name, why in broken_ids:
            handle.write(f"{revision} {name}: {why}\n")
    print(f"{len(revisions)} revisions, {len(broken_ids)} broken")


write()
