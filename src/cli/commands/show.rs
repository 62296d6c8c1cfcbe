//! `sqlmig show ID`: one revision's details and its statements.

use crate::cli::output::{out, write_stdout};
use serde::Serialize;
use sqlmig::{Statement, Target};

use crate::cli::Outcome;
use crate::cli::args::ShowArgs;
use crate::cli::commands::history::RevisionJson;
use crate::cli::output::print_json;
use crate::cli::settings::Settings;

#[derive(Serialize)]
struct StatementJson {
    line: u32,
    column: u32,
    sql: String,
}

#[derive(Serialize)]
struct ShowJson {
    #[serde(flatten)]
    summary: RevisionJson,
    transaction: bool,
    checksum: String,
    file_checksum: String,
    up: Vec<StatementJson>,
    down: Option<Vec<StatementJson>>,
}

fn statements_json(statements: &[Statement]) -> Vec<StatementJson> {
    statements
        .iter()
        .map(|statement| StatementJson {
            line: statement.line,
            column: statement.column,
            sql: statement.sql.clone(),
        })
        .collect()
}

pub(crate) fn run(settings: &Settings, args: &ShowArgs) -> anyhow::Result<Outcome> {
    let migrations = settings.load()?;
    let graph = migrations.graph();
    let target: Target = args.revision.parse()?;
    let index = target.resolve_one(graph)?;
    let revision = graph.revision(index);
    if settings.json {
        print_json(&ShowJson {
            summary: RevisionJson::new(graph, index),
            transaction: revision.transactional,
            checksum: revision.checksum.to_hex(),
            file_checksum: revision.file_checksum.to_hex(),
            up: statements_json(&revision.up.statements),
            down: revision
                .down
                .as_ref()
                .map(|down| statements_json(&down.statements)),
        })?;
        return Ok(Outcome::Success);
    }
    write_stdout(format_args!(
        "{}",
        super::history::verbose_block(graph, index)
    ));
    let sections = [("up", Some(&revision.up)), ("down", revision.down.as_ref())];
    for (name, section) in sections {
        let Some(section) = section else { continue };
        out!("\n-- {name} ({}:{})", revision.path.display(), section.line);
        for statement in &section.statements {
            out!("{};", statement.sql);
        }
    }
    Ok(Outcome::Success)
}
