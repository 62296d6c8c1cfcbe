//! Offline scripts (docs/DESIGN.md §6): the plan that `upgrade` or `downgrade` would run,
//! rendered as one SQL script for the dialect's own client.
//!
//! The script walks the same `Program` (`src/program.rs`) of each revision as
//! the online engine, so the two cannot drift apart: the state table's DDL,
//! each revision's transaction wrapper, statements and state row are the very
//! statements an online run executes, with values written as literals quoted
//! for the dialect, after the same session set-up (`init_sql`). Only the
//! guard differs: online, the engine re-checks the state row; offline, each
//! revision starts with a check that the database holds what it needs, that
//! the revision before it in the script completed, and that the revision is
//! not recorded yet, and stops the script with an error naming the revision
//! otherwise. Run twice, or on the wrong database, a script changes nothing.
//!
//! Each dialect's client is made to stop at the first error:
//! - PostgreSQL: `\set ON_ERROR_STOP on` (psql) and a `DO` block that raises
//!   as the guard. Even a psql that carries on after errors (the setting
//!   removed) applies nothing more: a failure inside a revision aborts its
//!   transaction, the next guard then fails (the revision before it is not
//!   applied), and `\if :ERROR` after each guard, and after each statement
//!   run outside a transaction, quits (psql 11 or later).
//! - SQLite: `.bail on` (the sqlite3 shell), and a guard that inserts into a
//!   temporary table whose trigger raises; the open transaction is rolled
//!   back when the shell stops.
//! - MySQL/MariaDB: the `mysql`/`mariadb` client stops at the first error in
//!   batch mode; the guard is a prepared `SIGNAL`. Values that are not plain
//!   text are hex literals, which mean the same under every `sql_mode`, and
//!   statements with bodies are wrapped in `DELIMITER` lines.

use std::borrow::Cow;
use std::fmt::Write as _;

use crate::dialect::{Dialect, GuardCheck, Guards, ServerVersion};
use crate::error::Result;
use crate::graph::{Graph, RevisionSet, Target};
use crate::migrations::map_chunks_in_parallel;
use crate::plan::{Direction, Plan};
use crate::program::{self, Program, Recorded, Step, check_plan, program};
use crate::revision::{Checksum, Revision, Statement};
use crate::sql::Binding;
use crate::state_table::StateTable;

/// The rule above and below each revision's heading.
const RULE: &str =
    "-- ----------------------------------------------------------------------------";

/// Renders `plan` as one script for `table`'s dialect. `init_sql` is the
/// session set-up an online run executes on its connection first;
/// `server_version` the oldest server the plan was checked for (the
/// script's header names it).
pub fn render(
    graph: &Graph,
    plan: &Plan,
    table: &StateTable,
    init_sql: &[String],
    server_version: ServerVersion,
) -> String {
    let parts = parts(graph, plan, table, init_sql, server_version);
    let mut text = String::with_capacity(parts.iter().map(String::len).sum());
    for part in &parts {
        text.push_str(part);
    }
    text
}

/// [`render`] written to `out`, part by part: the whole script is never
/// copied into one string (10,000 revisions make 19 MB of SQL).
pub fn write(
    graph: &Graph,
    plan: &Plan,
    table: &StateTable,
    init_sql: &[String],
    server_version: ServerVersion,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    for part in parts(graph, plan, table, init_sql, server_version) {
        out.write_all(part.as_bytes())?;
    }
    Ok(())
}

/// The script in parts, in order: the header, the revisions in one part
/// per core (rendered in parallel), the footer.
fn parts(
    graph: &Graph,
    plan: &Plan,
    table: &StateTable,
    init_sql: &[String],
    server_version: ServerVersion,
) -> Vec<String> {
    let applied_by = format!("sqlmig {} emit", env!("CARGO_PKG_VERSION"));
    let guards = Guards::new(table.name());
    let script = |text: String, guards: Guards| Script {
        dialect: table.dialect(),
        table,
        graph,
        text,
        applied_by: &applied_by,
        guards,
    };
    let steps = &plan.steps;
    let previous = |position: usize| {
        position
            .checked_sub(1)
            .map(|before| graph.revision(steps[before]))
    };
    // Every guard's checks first: SQLite numbers each check by the count of
    // the checks before it in the script.
    let checks: Vec<Vec<GuardCheck>> = map_chunks_in_parallel(steps, |start, chunk| {
        (start..)
            .zip(chunk)
            .map(|(position, &index)| {
                guard_checks(
                    graph,
                    table,
                    graph.revision(index),
                    plan.direction,
                    previous(position),
                )
            })
            .collect::<Vec<_>>()
    })
    .into_iter()
    .flatten()
    .collect();
    let checks_before: Vec<usize> = std::iter::once(0)
        .chain(checks.iter().scan(0, |count, checks| {
            *count += checks.len();
            Some(*count)
        }))
        .collect();

    let mut header = script(String::with_capacity(4096), guards.clone());
    header.header(plan, init_sql, server_version);
    let mut parts = vec![header.text];
    parts.extend(map_chunks_in_parallel(steps, |start, chunk| {
        // The statements plus about a kilobyte of heading, guard and state
        // row per revision: one allocation instead of a doubling string.
        let capacity = chunk
            .iter()
            .map(|&index| {
                let section = program::section(graph.revision(index), plan.direction);
                1024 + section.iter().map(|s| s.sql.len() + 2).sum::<usize>()
            })
            .sum();
        let mut part = script(
            String::with_capacity(capacity),
            Guards {
                count: checks_before[start],
                ..guards.clone()
            },
        );
        for (position, &index) in (start..).zip(chunk) {
            let revision = graph.revision(index);
            part.revision(
                &program(revision, plan.direction, table.dialect(), false),
                &checks[position],
            );
        }
        part.text
    }));
    let mut footer = script(String::new(), guards);
    footer.footer(plan);
    parts.push(footer.text);
    parts
}

/// The plan of an offline script: the database is assumed to hold `from`
/// and everything below it (`None`: nothing), and goes to `target`.
/// The plan is checked as an online run would check it (no downgrade
/// through a revision without `-- down`, ...), for a server of
/// `server_version` or later.
pub fn offline_plan(
    graph: &Graph,
    dialect: Dialect,
    server_version: ServerVersion,
    direction: Direction,
    from: Option<&Target>,
    target: &Target,
) -> Result<Plan> {
    let applied = match from {
        None | Some(Target::Base) => RevisionSet::empty(graph.len()),
        Some(from) => graph.ancestors_or_self(&from.resolve(graph)?),
    };
    let plan = match direction {
        Direction::Upgrade => Plan::upgrade(graph, &applied, target)?,
        Direction::Downgrade => Plan::downgrade(graph, &applied, target)?,
    };
    check_plan(graph, &plan, dialect, false, &mut || Ok(server_version))?;
    Ok(plan)
}

/// A checksum of what the plan does: each revision's id and revision
/// checksum, in order, with the direction and dialect.
pub fn plan_checksum(graph: &Graph, plan: &Plan, dialect: Dialect) -> Checksum {
    let mut text = format!(
        "sqlmig-plan-v1\n{dialect}\n{}\n",
        direction_name(plan.direction)
    );
    for &index in &plan.steps {
        let revision = graph.revision(index);
        let _ = writeln!(text, "{} {}", revision.id, revision.checksum);
    }
    Checksum::of_bytes(text.as_bytes())
}

struct Script<'a> {
    dialect: Dialect,
    table: &'a StateTable,
    graph: &'a Graph,
    text: String,
    applied_by: &'a str,
    /// What the script's guards share.
    guards: Guards,
}

impl Script<'_> {
    fn line(&mut self, line: &str) {
        self.text.push_str(line);
        self.text.push('\n');
    }

    /// [`Script::line`] of formatted text, written straight into the script
    /// (no string per line: a script of 10,000 revisions has 200,000).
    fn line_fmt(&mut self, line: std::fmt::Arguments<'_>) {
        let _ = self.text.write_fmt(line);
        self.text.push('\n');
    }

    fn header(&mut self, plan: &Plan, init_sql: &[String], server_version: ServerVersion) {
        let heads = |indices: &[usize]| {
            if indices.is_empty() {
                String::from("base")
            } else {
                self.graph.ids(indices).join(", ")
            }
        };
        let (from, to) = (heads(&plan.from), heads(&plan.to));
        self.line(&format!(
            "-- sqlmig {}: offline {} script",
            env!("CARGO_PKG_VERSION"),
            direction_name(plan.direction)
        ));
        self.line(&format!("-- dialect:   {}", self.dialect));
        self.line(&format!(
            "-- server:    {} {} or later",
            self.dialect.title(),
            server_version
        ));
        self.line(&format!("-- from:      {from}"));
        self.line(&format!("-- to:        {to}"));
        self.line(&format!("-- revisions: {}", plan.steps.len()));
        self.line(&format!(
            "-- plan:      {}",
            plan_checksum(self.graph, plan, self.dialect)
        ));
        self.line("--");
        let profile = self.dialect.profile();
        for line in profile.client_instructions() {
            self.line(line);
        }
        self.line("");
        // The client's own fail-stop first, so that even a failing init_sql
        // statement stops the script.
        if let Some(fail_stop) = profile.fail_stop() {
            self.line(fail_stop);
        }
        if !init_sql.is_empty() {
            self.line("");
            self.line(
                "-- Session set-up (init_sql), as `sqlmig upgrade` runs it on its connection.",
            );
            for statement in init_sql {
                self.line(&format!("{};", statement.trim_end().trim_end_matches(';')));
                self.quit_on_error();
            }
            self.line("");
        }
        // What the literals below are written for, whatever init_sql set.
        if let Some(setup) = profile.literal_setup() {
            self.line(setup);
        }
        self.line("");
        self.line("-- The state table, as `sqlmig upgrade` creates it.");
        for statement in self.table.create_statements() {
            self.line(&format!("{statement};"));
        }
        for line in profile.guard_setup(&self.guards) {
            self.line(&line);
        }
    }

    fn footer(&mut self, plan: &Plan) {
        self.line("");
        if plan.steps.is_empty() {
            self.line("-- Nothing to do: the plan is empty.");
        }
        self.line(&format!(
            "-- End of the sqlmig {} script.",
            direction_name(plan.direction)
        ));
    }

    /// `checks`: what the revision's guard checks.
    fn revision(&mut self, program: &Program<'_>, checks: &[GuardCheck]) {
        let revision = program.revision;
        self.line("");
        self.line(RULE);
        let kind = match program.direction {
            Direction::Upgrade => "revision",
            Direction::Downgrade => "revert",
        };
        if revision.message.is_empty() {
            self.line_fmt(format_args!("-- {kind} {}", revision.id));
        } else {
            self.line_fmt(format_args!(
                "-- {kind} {}: {}",
                revision.id,
                comment_text(&revision.message)
            ));
        }
        let path = revision.path.to_string_lossy();
        self.line_fmt(format_args!("-- file:     {}", comment_text(&path)));
        self.line_fmt(format_args!("-- checksum: {}", revision.checksum));
        if !program.transactional {
            self.line("-- runs outside a transaction, recording its progress after each statement");
        }
        self.line(RULE);
        for step in &program.steps {
            match step {
                Step::Begin => {
                    let begin = self.dialect.begin_transaction();
                    self.line_fmt(format_args!("{begin};"));
                }
                Step::LockStateTable => {
                    if let Some(lock) = self.table.lock_in_transaction() {
                        self.line_fmt(format_args!("{lock};"));
                    }
                }
                Step::Guard => self.guard(checks),
                Step::Statement {
                    statement,
                    recorded,
                    ..
                } => self.statement(revision, statement, *recorded),
                Step::Record(record) => {
                    let sql = record.sql(self.table, revision, self.applied_by, 0, Binding::Inline);
                    self.line_fmt(format_args!("{};", sql.text));
                }
                Step::Commit => {
                    let commit = self.dialect.commit_transaction();
                    self.line_fmt(format_args!("{commit};"));
                }
            }
        }
    }

    fn statement(&mut self, revision: &Revision, statement: &Statement, recorded: Recorded) {
        self.dialect
            .profile()
            .push_terminated(statement, &mut self.text);
        self.text.push('\n');
        if recorded == Recorded::WithTransaction {
            return;
        }
        // Outside a transaction nothing undoes a failed statement: a client
        // that carries on must not record progress past it (nor, after the
        // last statement, the revision as applied).
        self.quit_on_error();
        if let Recorded::Progress(progress) = recorded {
            let sql = self
                .table
                .update_progress(&revision.id, progress, Binding::Inline);
            self.line_fmt(format_args!("{};", sql.text));
        }
    }

    /// Stops the script when any of `checks` holds.
    fn guard(&mut self, checks: &[GuardCheck]) {
        for line in self.dialect.profile().guard(checks, &self.guards) {
            self.line(&line);
        }
        self.guards.count += checks.len();
    }

    /// Makes a client that carries on after errors (psql without
    /// `ON_ERROR_STOP`) quit when the statement before failed.
    fn quit_on_error(&mut self) {
        for line in self.dialect.profile().quit_on_error() {
            self.line(line);
        }
    }
}

/// What `revision`'s guard checks: the database holds what it needs,
/// `previous` (the revision before it in the script) completed, and it is
/// not done yet.
fn guard_checks(
    graph: &Graph,
    table: &StateTable,
    revision: &Revision,
    direction: Direction,
    previous: Option<&Revision>,
) -> Vec<GuardCheck> {
    let dialect = table.dialect();
    let table = table.qualified_name();
    let mut checks: Vec<GuardCheck> = Vec::new();
    let row_exists = |revision: &str, applied: bool| {
        format!(
            "EXISTS (SELECT 1 FROM {table} WHERE revision = {}{})",
            dialect.quote_literal(revision),
            if applied {
                " AND state = 'applied'"
            } else {
                ""
            }
        )
    };
    match direction {
        Direction::Upgrade => {
            let needs = revision
                .parents
                .iter()
                .map(|parent| (parent, "parent"))
                .chain(
                    revision
                        .dependencies
                        .iter()
                        .map(|dependency| (dependency, "dependency")),
                );
            for (needed, kind) in needs {
                checks.push(GuardCheck {
                    condition: format!("NOT {}", row_exists(needed, true)),
                    message: format!(
                        "sqlmig: revision {} cannot run: {kind} {needed} is not applied",
                        revision.id
                    ),
                });
            }
            // A client that carries on after an error must not go on
            // with a revision of another branch: the script runs in order.
            if let Some(previous) = previous.filter(|previous| {
                !revision.parents.contains(&previous.id)
                    && !revision.dependencies.contains(&previous.id)
            }) {
                checks.push(GuardCheck {
                    condition: format!("NOT {}", row_exists(&previous.id, true)),
                    message: format!(
                        "sqlmig: revision {} cannot run: revision {} before it in this script is not applied",
                        revision.id, previous.id
                    ),
                });
            }
            checks.push(GuardCheck {
                condition: row_exists(&revision.id, false),
                message: format!(
                    "sqlmig: revision {} is already recorded: the script ran before, or this is another database",
                    revision.id
                ),
            });
        }
        Direction::Downgrade => {
            checks.push(GuardCheck {
                condition: format!("NOT {}", row_exists(&revision.id, true)),
                message: format!(
                    "sqlmig: revision {} cannot be reverted: it is not applied",
                    revision.id
                ),
            });
            let index = graph.index_of(&revision.id);
            let above = index.map_or_else(Vec::new, |index| {
                let mut above: Vec<usize> = graph.children(index).to_vec();
                above.extend_from_slice(graph.dependents(index));
                above.sort_unstable();
                above.dedup();
                above
            });
            let mut previous_checked = false;
            for child in above {
                let child = &graph.revision(child).id;
                previous_checked |= previous.is_some_and(|previous| &previous.id == child);
                checks.push(GuardCheck {
                    condition: row_exists(child, false),
                    message: format!(
                        "sqlmig: revision {} cannot be reverted: {child} still needs it",
                        revision.id
                    ),
                });
            }
            if let Some(previous) = previous.filter(|_| !previous_checked) {
                checks.push(GuardCheck {
                    condition: row_exists(&previous.id, false),
                    message: format!(
                        "sqlmig: revision {} cannot be reverted: revision {} before it in this script is still recorded",
                        revision.id, previous.id
                    ),
                });
            }
        }
    }
    checks
}

fn direction_name(direction: Direction) -> &'static str {
    match direction {
        Direction::Upgrade => "upgrade",
        Direction::Downgrade => "downgrade",
    }
}

/// Text that can sit in a `--` comment: anything a client could read as a
/// line break becomes a space, so a message never escapes its comment.
fn comment_text(text: &str) -> Cow<'_, str> {
    // Control characters are C0, DEL and C1 (U+0080 to U+009F, lead byte
    // 0xC2), the separators lead with 0xE2: text without those bytes, nearly
    // all, is taken as it is without decoding it.
    if !text
        .bytes()
        .any(|byte| byte < 0x20 || matches!(byte, 0x7F | 0xC2 | 0xE2))
    {
        return Cow::Borrowed(text);
    }
    let breaks = |c: char| c.is_control() || matches!(c, '\u{2028}' | '\u{2029}' | '\u{85}');
    Cow::Owned(
        text.chars()
            .map(|c| if breaks(c) { ' ' } else { c })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_cannot_be_escaped() {
        assert_eq!(
            comment_text("a\nDROP TABLE x; --\r\u{2028}b"),
            "a DROP TABLE x; --  b"
        );
        // C1 controls and DEL too; other non-ASCII text is kept as it is.
        assert_eq!(comment_text("a\u{85}b\u{7f}c\u{9f}d"), "a b c d");
        assert_eq!(comment_text("café — ünïcode ✓"), "café — ünïcode ✓");
        assert!(matches!(comment_text("plain text"), Cow::Borrowed(_)));
    }
}
