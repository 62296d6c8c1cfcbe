//! One module per verb. Each takes the resolved [`Settings`] and its own
//! arguments, and returns an [`Outcome`](super::Outcome).

pub(crate) mod branches;
pub(crate) mod check;
pub(crate) mod completions;
pub(crate) mod current;
pub(crate) mod diff;
pub(crate) mod emit;
pub(crate) mod hash;
pub(crate) mod heads;
pub(crate) mod history;
pub(crate) mod import;
pub(crate) mod init;
pub(crate) mod lint;
pub(crate) mod merge;
pub(crate) mod new;
pub(crate) mod repair;
pub(crate) mod run;
pub(crate) mod schema;
pub(crate) mod show;
pub(crate) mod stamp;
pub(crate) mod status;
pub(crate) mod test;
pub(crate) mod verify;
