//! `sqlmig lint`: dangerous statements before they reach production.
//!
//! Each dialect classifies statements (`Profile::classify`, through the
//! `sqlparser` crate and, failing that, the leading words) and checks its
//! own rules (`Profile::lint`); this module holds what they share: the rule
//! registry (`rules`), findings (`finding`), the allow comments
//! (`allow_comment`), the all-dialect rules (`common`), the statement model
//! (`statement`, `classify`), the configuration and the walk over the
//! revisions. `trace` runs revisions on a scratch database and reports the
//! locks they really take. Nothing here prints.

mod allow_comment;
mod classify;
mod common;
mod finding;
mod rules;
pub(crate) mod statement;
pub mod trace;

use std::collections::{HashMap, HashSet};

pub use finding::{Finding, Severity};
pub use rules::{RULES, Rule, rule};

pub(crate) use classify::classify;

use crate::dialect::Profile;
use crate::migrations::Migrations;
use crate::revision::{Revision, normalize};
use statement::{Action, ConstraintKind, Kind};

/// The `[lint]` table of `sqlmig.toml`, and what else the rules need.
#[derive(Debug, Clone, Default)]
pub struct LintConfig {
    /// Rules raised to errors.
    pub deny: Vec<String>,
    /// Rules turned off.
    pub allow: Vec<String>,
    /// `init_sql`: a `SET lock_timeout` there satisfies `missing-lock-timeout`.
    pub init_sql: Vec<String>,
}

/// Why lint could not run.
#[derive(Debug, thiserror::Error)]
pub enum LintError {
    /// `lint.deny` or `lint.allow` names no rule.
    #[error(
        "`lint.{list}` in sqlmig.toml names `{id}`, which is not a rule id (`sqlmig lint --explain` lists them)"
    )]
    UnknownRule {
        /// `deny` or `allow`.
        list: &'static str,
        /// The unknown id.
        id: String,
    },
    /// A revision file could not be read again.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file.
        path: String,
        /// Why.
        #[source]
        source: std::io::Error,
    },
}

/// A rule's verdict on a statement, before its position and severity are added.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Hit {
    /// The rule's id.
    pub(crate) rule: &'static str,
    /// What happens in production, naming the table.
    pub(crate) message: String,
}

impl Hit {
    pub(crate) fn new(rule: &'static str, message: String) -> Self {
        Hit { rule, message }
    }
}

/// What the rules know when they look at a statement: the revision, what
/// came before it in the revision, and facts from earlier revisions.
#[derive(Debug)]
pub(crate) struct Context<'a> {
    /// The revision.
    pub(crate) revision: &'a Revision,
    /// Tables created earlier in this revision: nobody else sees them yet.
    created: HashSet<String>,
    /// Whether `lock_timeout` is set (earlier in the revision or in `init_sql`).
    pub(crate) lock_timeout: bool,
    /// Whether `missing-lock-timeout` was reported for this revision.
    pub(crate) lock_timeout_reported: bool,
    /// Whether `mixed-ddl-dml` was reported for this revision.
    pub(crate) mixed_reported: bool,
    /// Whether a DDL statement came earlier in the revision.
    pub(crate) seen_ddl: bool,
    /// Whether a DML statement came earlier in the revision.
    pub(crate) seen_dml: bool,
    /// Facts from earlier revisions and earlier statements of this one.
    pub(crate) known: Known,
}

impl Context<'_> {
    /// Whether `table` was created earlier in this revision.
    pub(crate) fn created(&self, table: &str) -> bool {
        self.created.contains(table)
    }
}

/// Facts that carry from revision to revision, in application order.
#[derive(Debug, Default)]
pub(crate) struct Known {
    /// `CHECK (column IS NOT NULL)` constraints by name: (table, column).
    checks: HashMap<String, (String, String)>,
    /// (table, column) proven not null by a validated check.
    pub(crate) not_null: HashSet<(String, String)>,
}

impl Known {
    fn learn(&mut self, kind: &Kind) {
        let Kind::AlterTable { table, actions } = kind else {
            return;
        };
        for action in actions {
            match action {
                Action::AddConstraint(constraint) => {
                    if let ConstraintKind::Check {
                        not_null_of: Some(column),
                    } = &constraint.kind
                    {
                        let key = (table.clone(), column.clone());
                        if !constraint.not_valid {
                            self.not_null.insert(key.clone());
                        }
                        if let Some(name) = &constraint.name {
                            self.checks.insert(name.clone(), key);
                        }
                    }
                }
                Action::ValidateConstraint { name } => {
                    if let Some(key) = self.checks.get(name) {
                        self.not_null.insert(key.clone());
                    }
                }
                _ => {}
            }
        }
    }
}

/// What lint found.
#[derive(Debug, Default)]
pub struct LintReport {
    /// Every finding, in application order, then by position.
    pub findings: Vec<Finding>,
    /// How many revisions were checked.
    pub revisions: usize,
}

impl LintReport {
    /// Whether any finding is an error.
    pub fn failed(&self) -> bool {
        self.findings
            .iter()
            .any(|finding| finding.severity == Severity::Error)
    }
}

/// Lints the revisions at graph indices `selected` (the others are read
/// only for the facts they establish), in application order.
pub fn lint(
    migrations: &Migrations,
    selected: &HashSet<usize>,
    config: &LintConfig,
) -> Result<LintReport, LintError> {
    let severity = severities(config)?;
    let profile = migrations.dialect().profile();
    let init_lock_timeout = config.init_sql.iter().any(|sql| {
        matches!(
            profile.classify(sql),
            Kind::SetLockTimeout { enabled: true }
        )
    });
    let graph = migrations.graph();
    let mut known = Known::default();
    let mut report = LintReport::default();
    let classified = classify_all(profile, graph.revisions());
    for &index in graph.order() {
        let revision = graph.revision(index);
        let kinds = &classified[index];
        if selected.contains(&index) {
            report.revisions += 1;
            let (hits, learned) = lint_revision(
                profile,
                revision,
                kinds,
                std::mem::take(&mut known),
                init_lock_timeout,
            )?;
            known = learned;
            report
                .findings
                .extend(hits.into_iter().filter_map(|(line, column, hit)| {
                    let severity = severity.get(hit.rule).copied().flatten()?;
                    let rule = rule(hit.rule)?;
                    Some(Finding {
                        rule: rule.id,
                        severity,
                        revision: revision.id.clone(),
                        path: revision.path.display().to_string(),
                        line,
                        column,
                        message: hit.message,
                        help: rule.help.to_owned(),
                    })
                }));
        } else {
            for kind in kinds {
                known.learn(kind);
            }
        }
    }
    Ok(report)
}

/// Every revision's up statements classified, by graph index. Parsing is
/// most of lint's time and independent per revision, so it is spread over
/// the cores.
fn classify_all(profile: &dyn Profile, revisions: &[Revision]) -> Vec<Vec<Kind>> {
    let classify = |revision: &Revision| -> Vec<Kind> {
        revision
            .up
            .statements
            .iter()
            .map(|statement| profile.classify(&statement.sql))
            .collect()
    };
    crate::migrations::map_in_parallel(revisions, classify)
}

/// Each rule's severity under the config; `None` when turned off.
fn severities(config: &LintConfig) -> Result<HashMap<&'static str, Option<Severity>>, LintError> {
    let mut severity: HashMap<&'static str, Option<Severity>> = RULES
        .iter()
        .map(|rule| (rule.id, Some(rule.severity)))
        .collect();
    for (list, ids, value) in [
        ("deny", &config.deny, Some(Severity::Error)),
        ("allow", &config.allow, None),
    ] {
        for id in ids {
            let known = rule(id).ok_or_else(|| LintError::UnknownRule {
                list,
                id: id.clone(),
            })?;
            severity.insert(known.id, value);
        }
    }
    Ok(severity)
}

/// A hit at a 1-based line and column.
type Placed = (u32, u32, Hit);

/// One revision's hits with their positions, allow comments applied, and
/// the facts known after it.
fn lint_revision(
    profile: &dyn Profile,
    revision: &Revision,
    kinds: &[Kind],
    known: Known,
    init_lock_timeout: bool,
) -> Result<(Vec<Placed>, Known), LintError> {
    let bytes = std::fs::read(&revision.path).map_err(|source| LintError::Read {
        path: revision.path.display().to_string(),
        source,
    })?;
    let text = normalize(&bytes).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    let mut context = Context {
        revision,
        created: HashSet::new(),
        lock_timeout: init_lock_timeout,
        lock_timeout_reported: false,
        mixed_reported: false,
        seen_ddl: false,
        seen_dml: false,
        known,
    };
    let mut found = Vec::new();
    for (statement, kind) in revision.up.statements.iter().zip(kinds) {
        let mut hits = Vec::new();
        common::lint(&context, kind, &mut hits);
        profile.lint(&mut context, kind, &mut hits);
        let allowed = allow_comment::allowed_above(&lines, statement.line);
        for (line, problem) in allowed.problems {
            found.push((line, 1, Hit::new("invalid-allow", problem)));
        }
        found.extend(
            hits.into_iter()
                .filter(|hit| !allowed.rules.contains(&hit.rule))
                .map(|hit| (statement.line, statement.column, hit)),
        );
        match kind {
            Kind::CreateTable { table } => {
                context.created.insert(table.clone());
            }
            Kind::SetLockTimeout { enabled } => context.lock_timeout = *enabled,
            _ => {}
        }
        context.known.learn(kind);
        context.seen_ddl |= kind.is_ddl();
        context.seen_dml |= kind.is_dml();
    }
    if let Some(empty) = revision.empty_down() {
        found.push((
            empty.span.line,
            1,
            Hit::new(
                "empty-down",
                String::from("the down section is empty: a downgrade through this revision succeeds and undoes nothing, leaving the schema and the state table out of step"),
            ),
        ));
    }
    Ok((found, context.known))
}
