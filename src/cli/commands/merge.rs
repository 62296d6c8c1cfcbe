//! `sqlmig merge -m MSG [ID...]`: write a merge revision over the given
//! (default: all) heads.

use crate::cli::output::out;
use anyhow::bail;

use crate::cli::Outcome;
use crate::cli::args::MergeArgs;
use crate::cli::commands::new::resolve_ids;
use crate::cli::scaffold::{NewRevision, write_revision};
use crate::cli::settings::{Settings, one_line_message};

pub(crate) fn run(settings: &Settings, args: &MergeArgs) -> anyhow::Result<Outcome> {
    let migrations = settings.load()?;
    let graph = migrations.graph();
    let mut parents = if args.revisions.is_empty() {
        graph.ids(graph.heads())
    } else {
        resolve_ids(graph, &args.revisions)?
    };
    parents.dedup();
    if parents.len() < 2 {
        bail!(
            "nothing to merge: a merge needs two or more revisions, found {} ({})",
            parents.len(),
            parents.join(", ")
        );
    }
    let new = NewRevision {
        id: args.id.as_deref(),
        parents: parents.clone(),
        dependencies: Vec::new(),
        branch: None,
        message: one_line_message(&args.message)?,
        transactional: true,
        // A merge joins heads and changes nothing: no placeholder to fill.
        body: Some(crate::cli::scaffold::Body {
            up: String::new(),
            down: String::new(),
            note: None,
        }),
    };
    let (path, id) = write_revision(migrations.dir(), graph, &new)?;
    if settings.json {
        crate::cli::output::print_json(&serde_json::json!({
            "revision": id,
            "revises": parents,
            "path": path.display().to_string(),
        }))?;
    } else if !settings.quiet {
        out!(
            "created {} (revision {id}, merging {})",
            path.display(),
            parents.join(", ")
        );
    }
    Ok(Outcome::Success)
}
