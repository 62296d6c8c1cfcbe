//! Rebuilds when a file is added to or removed from `migrations/`:
//! `embed_migrations!` already tracks the files it embeds and `sqlmig.sum`.
fn main() {
    println!("cargo::rerun-if-changed=migrations");
}
