//! The generic split of `scheme://[user[:password]@][host][:port][/path][?query]`
//! that every server backend interprets.

use std::fmt;

use super::error::{Part, UrlError};
use super::host::{Host, split_host_port};
use super::percent::{decode, decode_text};

/// A password from a URL. It has no `Display`, and its `Debug` shows `***`.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Password(Vec<u8>);

impl Password {
    /// Percent-decodes a password (any bytes, not only UTF-8).
    pub(crate) fn decode(text: &str, part: Part) -> Result<Password, UrlError> {
        decode(text, part).map(Password)
    }

    /// A password found outside the URL (an environment variable, a
    /// password file).
    pub(crate) fn from_secret(bytes: Vec<u8>) -> Password {
        Password(bytes)
    }

    /// The password, for the driver only. Never print it.
    pub(crate) fn expose_secret(&self) -> &[u8] {
        &self.0
    }

    /// The password as text, for drivers that take text; an error naming
    /// the password (never showing it) when it is not UTF-8.
    pub(crate) fn expose_text(&self) -> Result<&str, UrlError> {
        std::str::from_utf8(&self.0).map_err(|_| UrlError::NotUtf8 {
            part: Part::Password,
        })
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(***)")
    }
}

/// One `name=value` of the query, its value still percent-encoded. `Debug`
/// shows the name only: the value may be a password.
#[derive(Clone, Copy)]
pub(crate) struct Param<'a> {
    /// The name as written (not decoded).
    pub(crate) name: &'a str,
    value: &'a str,
}

impl Param<'_> {
    /// The value, percent-decoded into text; errors name `part`.
    pub(crate) fn text(&self, part: Part) -> Result<String, UrlError> {
        decode_text(self.value, part)
    }

    /// The value as a password.
    pub(crate) fn password(&self, part: Part) -> Result<Password, UrlError> {
        Password::decode(self.value, part)
    }
}

impl fmt::Debug for Param<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Param({}=...)", self.name)
    }
}

/// A URL split into its parts, each percent-decoded (query values on
/// demand); empty parts are `None`.
#[derive(Debug)]
pub(crate) struct UrlParts<'a> {
    /// The scheme, as listed by the caller (lower case).
    pub(crate) scheme: &'static str,
    /// The user name.
    pub(crate) user: Option<String>,
    /// The password.
    pub(crate) password: Option<Password>,
    /// The host (a path starting with `/` is a Unix socket).
    pub(crate) host: Option<Host>,
    /// The port.
    pub(crate) port: Option<u16>,
    /// The path without its leading `/`: the database name.
    pub(crate) database: Option<String>,
    /// The query's parameters, in order.
    pub(crate) params: Vec<Param<'a>>,
}

impl<'a> UrlParts<'a> {
    /// Splits `raw`, whose scheme (any case) must be one of `schemes`
    /// (without `://`). The userinfo runs to the last `@` of the authority
    /// and the user name to its first `:`. A `#` anywhere, or an `@` after
    /// the authority, is refused: either means that a reserved character
    /// was left unencoded (most likely in a password), and the parts as
    /// split would be pieces of the password.
    pub(crate) fn split(
        raw: &'a str,
        schemes: &'static [&'static str],
    ) -> Result<UrlParts<'a>, UrlError> {
        let (scheme, rest) = raw
            .split_once("://")
            .and_then(|(written, rest)| {
                let scheme = schemes
                    .iter()
                    .find(|scheme| scheme.eq_ignore_ascii_case(written))?;
                Some((*scheme, rest))
            })
            .ok_or(UrlError::Scheme { expected: schemes })?;
        if rest.contains('#') {
            return Err(UrlError::Unencoded { found: "a `#`" });
        }
        let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
        let (authority, tail) = rest.split_at(authority_end);
        if tail.contains('@') {
            return Err(UrlError::Unencoded {
                found: "an `@` after its host part",
            });
        }
        let (userinfo, host_port) = match authority.rsplit_once('@') {
            Some((userinfo, host_port)) => (Some(userinfo), host_port),
            None => (None, authority),
        };
        let (user, password) = match userinfo.map(|userinfo| userinfo.split_once(':')) {
            None => (None, None),
            Some(None) => (userinfo, None),
            Some(Some((user, password))) => (Some(user), Some(password)),
        };
        let user = user
            .filter(|user| !user.is_empty())
            .map(|user| decode_text(user, Part::UserName))
            .transpose()?;
        let password = password
            .map(|password| Password::decode(password, Part::Password))
            .transpose()?;
        let (host, port) = split_host_port(host_port)?;
        let (path, query) = tail.split_once('?').unwrap_or((tail, ""));
        let path = path.strip_prefix('/').unwrap_or(path);
        let database = Some(path)
            .filter(|path| !path.is_empty())
            .map(|path| decode_text(path, Part::DatabaseName))
            .transpose()?;
        let params = query
            .split('&')
            .filter(|pair| !pair.is_empty())
            .map(|pair| {
                let (name, value) = pair.split_once('=').ok_or(UrlError::NoEquals)?;
                Ok(Param { name, value })
            })
            .collect::<Result<_, UrlError>>()?;
        Ok(UrlParts {
            scheme,
            user,
            password,
            host,
            port,
            database,
            params,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SCHEMES: &[&str] = &["postgres", "postgresql"];

    #[test]
    fn every_part_is_split_and_decoded() {
        let parts = UrlParts::split(
            "PostgreSQL://a%20b:p%40ss%2F:w@[::1]:6543/my%2Fdb?x=1&&sslmode=require&password=s%25",
            SCHEMES,
        )
        .unwrap();
        assert_eq!(parts.scheme, "postgresql");
        assert_eq!(parts.user.as_deref(), Some("a b"));
        assert_eq!(
            parts.password.as_ref().map(Password::expose_secret),
            Some(&b"p@ss/:w"[..])
        );
        assert_eq!(parts.host, Some(Host::Tcp("::1".into())));
        assert_eq!(parts.port, Some(6543));
        assert_eq!(parts.database.as_deref(), Some("my/db"));
        let names: Vec<&str> = parts.params.iter().map(|param| param.name).collect();
        assert_eq!(names, ["x", "sslmode", "password"]);
        assert_eq!(
            parts.params[1].text(Part::Parameter("sslmode")).unwrap(),
            "require"
        );
        let password = parts.params[2]
            .password(Part::Parameter("password"))
            .unwrap();
        assert_eq!(password.expose_text().unwrap(), "s%");

        let parts = UrlParts::split("postgres://", SCHEMES).unwrap();
        assert_eq!(
            (
                parts.user,
                parts.password,
                parts.host,
                parts.port,
                parts.database
            ),
            (None, None, None, None, None)
        );
        assert!(parts.params.is_empty());
        // An empty password is a password; an empty user name is none.
        let parts = UrlParts::split("postgres://:@h?", SCHEMES).unwrap();
        assert_eq!(parts.user, None);
        assert_eq!(parts.password.map(|p| p.expose_secret().len()), Some(0));
        // The userinfo runs to the last `@` of the authority.
        let parts = UrlParts::split("postgres://u:a@b:c@h/db", SCHEMES).unwrap();
        assert_eq!(parts.password.unwrap().expose_text().unwrap(), "a@b:c");
        assert_eq!(parts.host, Some(Host::Tcp("h".into())));
    }

    #[test]
    fn malformed_urls_are_errors() {
        for (raw, error) in [
            ("mysql://h/db", UrlError::Scheme { expected: SCHEMES }),
            ("postgres:/h/db", UrlError::Scheme { expected: SCHEMES }),
            (
                "postgres://u:p#w@h/db",
                UrlError::Unencoded { found: "a `#`" },
            ),
            (
                "postgres://u:p/w@h/db",
                UrlError::Unencoded {
                    found: "an `@` after its host part",
                },
            ),
            ("postgres://h/db?sslmode", UrlError::NoEquals),
            (
                "postgres://%zz@h",
                UrlError::Escape {
                    part: Part::UserName,
                },
            ),
            (
                "postgres://u:%FF@h/%FF",
                UrlError::NotUtf8 {
                    part: Part::DatabaseName,
                },
            ),
            ("postgres://h:0", UrlError::Port),
        ] {
            assert_eq!(UrlParts::split(raw, SCHEMES).unwrap_err(), error, "{raw}");
        }
        assert_eq!(
            UrlError::Scheme { expected: SCHEMES }.to_string(),
            "the URL does not start with postgres:// or postgresql://"
        );
    }

    /// A canary password never shows in an error or in `Debug`, whatever is
    /// wrong with the URL, on either scheme.
    #[test]
    fn the_password_never_shows() {
        let canary = "Cx7-s3cret-CANARY";
        let schemes: &[&str] = &["postgres", "mysql"];
        for scheme in ["postgres", "mysql"] {
            for raw in [
                format!("{scheme}://u:{canary}/x@h/db"),
                format!("{scheme}://u:{canary}?x@h/db"),
                format!("{scheme}://u:a?{canary}&b@h/db"),
                format!("{scheme}://u:{canary}#x@h/db"),
                format!("{scheme}://u:{canary}%zz@h/db"),
                format!("{scheme}://u:%{canary}@h/db"),
                format!("{scheme}://u:{canary}"),
                format!("{scheme}://u:{canary}@[::1/db"),
                format!("{scheme}://u:{canary}@h:x/db"),
                format!("{scheme}://u@h:{canary}/db"),
                format!("{scheme}://u@h/db?password={canary}%"),
                format!("{scheme}://u@h/db?{canary}"),
                format!("{scheme}://u@{canary}%20x/db"),
                format!("{scheme}://u@h/%FF{canary}"),
                format!("{scheme}s://u:{canary}@h/db"),
            ] {
                match UrlParts::split(&raw, schemes) {
                    Err(error) => {
                        for shown in [error.to_string(), format!("{error:?}")] {
                            assert!(!shown.contains("s3cret"), "{raw}: {shown}");
                        }
                    }
                    // Query values are decoded (and refused) by the backends.
                    Ok(parts) => {
                        let shown = format!("{parts:?}");
                        assert!(!shown.contains("s3cret"), "{raw}: {shown}");
                    }
                }
            }
            let raw = format!("{scheme}://u:{canary}@h/db?password={canary}");
            let shown = format!("{:?}", UrlParts::split(&raw, schemes).unwrap());
            assert!(!shown.contains("s3cret"), "{shown}");
            assert!(shown.contains("Password(***)"), "{shown}");
        }
    }
}
