//! `sqlmig new -m MSG`: write a revision file revising the current head.

use crate::cli::output::out;
use anyhow::bail;
use sqlmig::Migrations;

use crate::cli::Outcome;
use crate::cli::args::NewArgs;
use crate::cli::scaffold::{NewRevision, write_revision};
use crate::cli::settings::{Settings, one_line_message};

pub(crate) fn run(settings: &Settings, args: &NewArgs) -> anyhow::Result<Outcome> {
    let migrations = Migrations::load_allow_empty(&settings.dir, settings.dialect())?;
    let graph = migrations.graph();
    let parents = if args.revises.is_empty() {
        match graph.heads() {
            [] => Vec::new(),
            [head] => vec![graph.revision(*head).id.clone()],
            heads => bail!(
                "there are several heads ({}): pass --revises ID, or join them first with `sqlmig merge -m \"merge heads\"`",
                graph.ids(heads).join(", ")
            ),
        }
    } else if args.revises.iter().any(|id| id == "base") {
        // `base`, as in the header's `revises: base`: a new root.
        if args.revises.len() > 1 {
            bail!("--revises base starts a new root: it cannot be combined with other parents");
        }
        Vec::new()
    } else {
        resolve_ids(graph, &args.revises)?
    };
    let dependencies = resolve_ids(graph, &args.depends_on)?;
    let new = NewRevision {
        id: args.id.as_deref(),
        parents,
        dependencies,
        branch: args.branch.as_deref(),
        message: one_line_message(&args.message)?,
        transactional: !args.no_transaction,
        body: None,
    };
    let (path, id) = write_revision(migrations.dir(), graph, &new)?;
    if settings.json {
        crate::cli::output::print_json(&serde_json::json!({
            "revision": id,
            "path": path.display().to_string(),
        }))?;
    } else if !settings.quiet {
        out!("created {} (revision {id})", path.display());
    }
    Ok(Outcome::Success)
}

/// Resolves ids or unique prefixes to full ids.
pub(crate) fn resolve_ids(graph: &sqlmig::Graph, ids: &[String]) -> anyhow::Result<Vec<String>> {
    ids.iter()
        .map(|id| Ok(graph.revision(graph.find(id)?).id.clone()))
        .collect()
}
