// A revision file with a header key sqlmig does not know: the build fails,
// naming the file and line.
fn main() {
    let _migrations = sqlmig::embed_migrations!("tests/ui/broken-migrations", dialect = "sqlite");
}
