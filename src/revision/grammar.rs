//! The pest parser generated from `grammar/revision.pest`.

#[derive(pest_derive::Parser)]
#[grammar = "grammar/revision.pest"]
pub(crate) struct RevisionGrammar;
