//! Hosts and ports of database URLs: `host`, `host:port`, `[IPv6]:port`,
//! and Unix socket paths.

use std::path::PathBuf;

use super::error::{Part, UrlError};
use super::percent::decode_text;

/// Where a server listens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Host {
    /// A host name or IP address (IPv6 without brackets), reached over TCP.
    Tcp(String),
    /// A Unix socket path (a host starting with `/`, percent-encoded in the
    /// authority as `%2F`).
    Unix(PathBuf),
}

impl Default for Host {
    /// `localhost`, the host of a URL that names none.
    fn default() -> Host {
        Host::Tcp(String::from("localhost"))
    }
}

impl Host {
    /// A decoded host: a path when it starts with `/`; an error when it
    /// holds spaces or control characters; `None` when empty.
    pub(crate) fn parse(host: String) -> Result<Option<Host>, UrlError> {
        if host.is_empty() {
            Ok(None)
        } else if host.starts_with('/') {
            Ok(Some(Host::Unix(PathBuf::from(host))))
        } else if host.chars().any(|c| c.is_whitespace() || c.is_control()) {
            Err(UrlError::Host("name holds spaces or control characters"))
        } else {
            Ok(Some(Host::Tcp(host)))
        }
    }
}

/// A port: 1 to 65535 in decimal digits; `None` when empty.
pub(crate) fn parse_port(port: &str) -> Result<Option<u16>, UrlError> {
    if port.is_empty() {
        return Ok(None);
    }
    Some(port)
        .filter(|port| port.bytes().all(|byte| byte.is_ascii_digit()))
        .and_then(|port| port.parse::<u16>().ok())
        .filter(|&port| port > 0)
        .map(Some)
        .ok_or(UrlError::Port)
}

/// Splits the authority's `host[:port]` or `[IPv6][:port]` (the host
/// percent-decoded; either may be empty). A host name holds no `:`, so an
/// unbracketed host ends at the first one.
pub(crate) fn split_host_port(text: &str) -> Result<(Option<Host>, Option<u16>), UrlError> {
    let (host, port) = if let Some(bracketed) = text.strip_prefix('[') {
        let (address, after) = bracketed
            .split_once(']')
            .ok_or(UrlError::Host("is an IPv6 address without its closing `]`"))?;
        let port = match after {
            "" => "",
            after => after.strip_prefix(':').ok_or(UrlError::Host(
                "is an IPv6 address followed by text that is not a port",
            ))?,
        };
        (address, port)
    } else {
        text.split_once(':').unwrap_or((text, ""))
    };
    Ok((
        Host::parse(decode_text(host, Part::Host)?)?,
        parse_port(port)?,
    ))
}

/// `host:port`, or `[host]:port` for an IPv6 address, for messages.
pub(crate) fn tcp_address(host: &str, port: u16) -> String {
    if host.contains(':') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(text: &str) -> (Option<Host>, Option<u16>) {
        split_host_port(text).unwrap_or_else(|error| panic!("{text}: {error}"))
    }

    fn tcp(host: &str) -> Option<Host> {
        Some(Host::Tcp(host.to_owned()))
    }

    #[test]
    fn hosts_and_ports() {
        assert_eq!(split(""), (None, None));
        assert_eq!(split("db.example.com"), (tcp("db.example.com"), None));
        assert_eq!(split("db:6543"), (tcp("db"), Some(6543)));
        assert_eq!(split(":6543"), (None, Some(6543)));
        assert_eq!(split("db:"), (tcp("db"), None));
        assert_eq!(split("[::1]:5432"), (tcp("::1"), Some(5432)));
        assert_eq!(split("[fe80::1%25eth0]"), (tcp("fe80::1%eth0"), None));
        assert_eq!(split("[::1]:"), (tcp("::1"), None));
        assert_eq!(
            split("%2Ftmp%2Fpg"),
            (Some(Host::Unix("/tmp/pg".into())), None)
        );
        assert_eq!(
            split("%2Frun%2Fmy%3Asock:5433"),
            (Some(Host::Unix("/run/my:sock".into())), Some(5433))
        );
        assert_eq!(split("h:65535").1, Some(65535));
        assert_eq!(tcp_address("::1", 5432), "[::1]:5432");
        assert_eq!(tcp_address("db", 3306), "db:3306");
        assert_eq!(Host::default(), Host::Tcp("localhost".into()));
    }

    #[test]
    fn bad_hosts_and_ports_are_errors() {
        for text in [
            "h:0", "h:65536", "h:99999", "h:+1", "h:-1", "h: 1", "h:x", "h:1:2", "h:%35",
        ] {
            assert_eq!(split_host_port(text), Err(UrlError::Port), "{text}");
        }
        for text in ["[::1", "[::1]5432", "[::1]x:1", "a%20b", "a%0Ab", "%09"] {
            assert!(
                matches!(split_host_port(text), Err(UrlError::Host(_))),
                "{text}"
            );
        }
        assert_eq!(
            split_host_port("%zz:1"),
            Err(UrlError::Escape { part: Part::Host })
        );
        assert_eq!(
            split_host_port("%FF"),
            Err(UrlError::NotUtf8 { part: Part::Host })
        );
    }
}
