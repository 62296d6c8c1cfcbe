//! Passwords kept out of the URL, as libpq finds them: `PGPASSWORD`, then
//! the password file (`PGPASSFILE`, else `~/.pgpass`). Used only when the
//! URL has no password.
//!
//! The file's lines are `hostname:port:database:username:password`; `*`
//! matches any value of a field, `\:` and `\\` stand for `:` and `\`, and
//! lines starting with `#` are comments. The first matching line wins. A
//! Unix socket matches the hostname `localhost`, as in libpq. On Unix, a
//! file that its group or others may read is ignored, with a warning.

use std::path::{Path, PathBuf};

use super::url::PgUrl;
use crate::database_url::host::Host;
use crate::database_url::readable_by_others;

/// How the warning about an ignored password file starts.
pub(crate) const IGNORED: &str = "password file";

/// The password for `url` (whose user is resolved) from `PGPASSWORD` or the
/// password file, if any; `warnings` gets a note when the file is ignored.
pub(crate) fn find(url: &PgUrl, warnings: &mut Vec<String>) -> Option<Vec<u8>> {
    if let Some(password) = std::env::var_os("PGPASSWORD").filter(|p| !p.is_empty()) {
        return Some(password.into_encoded_bytes());
    }
    let file = password_file()?;
    let text = std::fs::read_to_string(&file).ok()?;
    if readable_by_others(&file) {
        warnings.push(format!(
            "{IGNORED} {} is ignored: its group or others may read it (chmod 0600 it)",
            file.display()
        ));
        return None;
    }
    let host = match &url.host {
        Host::Tcp(host) => host.clone(),
        Host::Unix(_) => String::from("localhost"),
    };
    let port = url.port.to_string();
    let user = url.user.clone().unwrap_or_default();
    let database = url.dbname.clone().unwrap_or_else(|| user.clone());
    lookup(&text, [&host, &port, &database, &user]).map(String::into_bytes)
}

fn password_file() -> Option<PathBuf> {
    if let Some(file) = std::env::var_os("PGPASSFILE").filter(|f| !f.is_empty()) {
        return Some(PathBuf::from(file));
    }
    let home = std::env::var_os("HOME").filter(|h| !h.is_empty())?;
    Some(Path::new(&home).join(".pgpass"))
}

/// The password of the first line of `text` whose four fields match
/// `wanted` (host, port, database, user).
fn lookup(text: &str, wanted: [&str; 4]) -> Option<String> {
    text.lines()
        .filter(|line| !line.starts_with('#') && !line.trim().is_empty())
        .find_map(|line| {
            let fields = split(line);
            if fields.len() < 5 {
                return None;
            }
            let matches = fields[..4]
                .iter()
                .zip(wanted)
                .all(|(field, value)| field == "*" || field == value);
            matches.then(|| fields[4..].join(":"))
        })
}

/// A line's fields split at unescaped `:`, with `\x` read as `x`.
fn split(line: &str) -> Vec<String> {
    let mut fields = vec![String::new()];
    let mut chars = line.trim_end_matches('\r').chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let Some(next) = chars.next() {
                    fields.last_mut().expect("one field").push(next);
                }
            }
            ':' => fields.push(String::new()),
            c => fields.last_mut().expect("one field").push(c),
        }
    }
    fields
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn libpq_rules() {
        let text = "# comment\n\
            other:5432:*:app:wrong\n\
            db.example.com:5432:shop:app:first\\:pass\\\\\n\
            *:*:*:app:fallback\n";
        assert_eq!(
            lookup(text, ["db.example.com", "5432", "shop", "app"]).as_deref(),
            Some("first:pass\\")
        );
        assert_eq!(
            lookup(text, ["db.example.com", "6543", "shop", "app"]).as_deref(),
            Some("fallback")
        );
        assert_eq!(lookup(text, ["h", "5432", "shop", "bob"]), None);
        assert_eq!(
            lookup("h\\:x:1:d:u:p", ["h:x", "1", "d", "u"]).as_deref(),
            Some("p")
        );
    }
}
