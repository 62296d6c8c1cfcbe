//! A throwaway MariaDB server (Debian's `mariadbd`) for tests that need a
//! configuration the shared server does not have (TLS with a test CA) or a
//! server they may pause: `mariadb-install-db` into a temporary directory,
//! started on a free loopback port, run as `mysql` when the tests run as
//! root, and stopped when dropped, even if the test fails.
#![allow(dead_code, reason = "only the reliability suite uses it")]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::pg_server::skip;

/// The password of the server's `sqlmig` user (test-only).
pub(crate) const PASSWORD: &str = "throwaway-mariadb";

/// A MariaDB server of its own. With TLS, `certs` holds `ca.pem` (the
/// CA that signed the server's certificate, which names only `localhost`)
/// and `other-ca.pem` (a CA that signed nothing).
pub(crate) struct MariaServer {
    dir: tempfile::TempDir,
    child: Child,
    pub(crate) port: u16,
    tls: bool,
}

impl MariaServer {
    /// Starts a server (with TLS when `tls`) holding an empty database
    /// `app` and a user `sqlmig` with [`PASSWORD`] and every privilege;
    /// `None` (a loud skip, a failure under `CI=true`) without MariaDB.
    pub(crate) fn start(tls: bool) -> Option<MariaServer> {
        for program in ["/usr/sbin/mariadbd", "/usr/bin/mariadb-install-db"] {
            if !Path::new(program).exists() {
                return skip("MariaDB's server (apt-get install mariadb-server)");
            }
        }
        if tls && !Path::new("/usr/bin/openssl").exists() {
            return skip("the openssl command (apt-get install openssl)");
        }
        let dir = tempfile::tempdir().expect("temporary directory");
        let root = is_root();
        if tls {
            make_certificates(&dir.path().join("certs"));
        }
        // A temporary directory of its own: in the shared /tmp, the
        // bootstrap once lost its temporary table ("Could not remove
        // temporary table", CI) and the install failed.
        std::fs::create_dir(dir.path().join("tmp")).expect("the server's tmpdir");
        if root {
            let status = Command::new("chown")
                .args(["-R", "mysql:mysql"])
                .arg(dir.path())
                .status()
                .expect("chown");
            assert!(status.success(), "chown the server's directory to mysql");
        }
        let data = dir.path().join("data");
        let mut install = Command::new("mariadb-install-db");
        install
            .arg("--no-defaults")
            .arg(format!("--datadir={}", data.display()))
            .arg(format!("--tmpdir={}", dir.path().join("tmp").display()))
            .args(["--auth-root-authentication-method=normal", "--skip-test-db"]);
        if root {
            install.arg("--user=mysql");
        }
        let output = install.output().expect("mariadb-install-db");
        assert!(
            output.status.success(),
            "mariadb-install-db failed:\n{}\n{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .expect("a free port")
            .port();
        let child = spawn(dir.path(), port, tls, root);
        let server = MariaServer {
            dir,
            child,
            port,
            tls,
        };
        server.wait_until_ready();
        server.sql(&format!(
            "CREATE USER 'sqlmig'@'%' IDENTIFIED BY '{PASSWORD}'; \
             GRANT ALL PRIVILEGES ON *.* TO 'sqlmig'@'%'; CREATE DATABASE app;"
        ));
        Some(server)
    }

    /// Waits (up to a minute) until the server answers on its socket.
    fn wait_until_ready(&self) {
        let deadline = Instant::now() + Duration::from_secs(60);
        while !self.client(&["-e", "SELECT 1"]).status.success() {
            assert!(
                Instant::now() < deadline,
                "mariadbd did not start; its log:\n{}",
                std::fs::read_to_string(self.dir.path().join("error.log")).unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Stops the server as `mariadb-admin shutdown` would (SIGTERM: it
    /// closes every connection and rolls back open transactions), waits for
    /// it to exit, and starts it again on the same port.
    pub(crate) fn restart(&mut self) {
        self.stop();
        self.child = spawn(self.dir.path(), self.port, self.tls, is_root());
        self.wait_until_ready();
    }

    /// SIGTERM (after SIGCONT, for a paused server), then SIGKILL after 20 s.
    fn stop(&mut self) {
        let pid = self.child.id().to_string();
        let _ = Command::new("kill").args(["-CONT", &pid]).status();
        let _ = Command::new("kill").args(["-TERM", &pid]).status();
        let deadline = Instant::now() + Duration::from_secs(20);
        while matches!(self.child.try_wait(), Ok(None)) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// The `mariadb` client as root over the server's socket.
    fn client(&self, args: &[&str]) -> std::process::Output {
        Command::new("mariadb")
            .arg("--no-defaults")
            .arg(format!(
                "--socket={}",
                self.dir.path().join("socket").display()
            ))
            .args(["-u", "root", "-N", "-B"])
            .args(args)
            .output()
            .expect("the mariadb client")
    }

    /// Runs `sql` as root; its output, rows by line, tabs between values.
    pub(crate) fn sql(&self, sql: &str) -> String {
        let output = self.client(&["-e", sql]);
        assert!(
            output.status.success(),
            "{sql}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout).trim().to_owned()
    }

    /// The directory of `ca.pem` and `other-ca.pem`.
    pub(crate) fn certs(&self) -> PathBuf {
        self.dir.path().join("certs")
    }

    /// A URL for `sqlmig` on database `app` at `host` (resolving to 127.0.0.1).
    pub(crate) fn url(&self, host: &str, params: &str) -> String {
        let url = format!("mysql://sqlmig:{PASSWORD}@{host}:{}/app", self.port);
        if params.is_empty() {
            url
        } else {
            format!("{url}?{params}")
        }
    }

    /// The server's process id (one process: pausing it pauses everything).
    pub(crate) fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for MariaServer {
    fn drop(&mut self) {
        // A paused server is woken first, or it could not stop.
        self.stop();
    }
}

/// Starts `mariadbd` on the data directory under `dir`, listening on
/// 127.0.0.1:`port` (with the test certificates when `tls`).
fn spawn(dir: &Path, port: u16, tls: bool, root: bool) -> Child {
    let data = dir.join("data");
    let mut server = Command::new("/usr/sbin/mariadbd");
    server
        .arg("--no-defaults")
        .arg(format!("--datadir={}", data.display()))
        .arg(format!("--port={port}"))
        .arg("--bind-address=127.0.0.1")
        .arg(format!("--socket={}", dir.join("socket").display()))
        .arg(format!("--pid-file={}", dir.join("pid").display()))
        .arg(format!("--log-error={}", dir.join("error.log").display()))
        .arg(format!("--tmpdir={}", dir.join("tmp").display()))
        .args([
            "--skip-log-bin",
            "--innodb-buffer-pool-size=16M",
            "--innodb-log-file-size=16M",
            "--skip-name-resolve",
        ]);
    if tls {
        let certs = dir.join("certs");
        server
            .arg(format!("--ssl-ca={}", certs.join("ca.pem").display()))
            .arg(format!("--ssl-cert={}", certs.join("server.pem").display()))
            .arg(format!("--ssl-key={}", certs.join("server.key").display()));
    }
    if root {
        server.arg("--user=mysql");
    }
    server
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start mariadbd")
}

/// A test CA, a server certificate it signs (for `localhost` only, so
/// `127.0.0.1` is a wrong host name), and a second CA that signs nothing.
fn make_certificates(dir: &Path) {
    std::fs::create_dir_all(dir).expect("certs directory");
    let openssl = |args: &[&str]| {
        let output = Command::new("openssl")
            .args(args)
            .current_dir(dir)
            .output()
            .expect("openssl");
        assert!(
            output.status.success(),
            "openssl {args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    };
    // A new P-256 key and a request for `subject` (self-signed with `-x509`).
    let request = |key: &str, out: &str, subject: &str, extra: &[&str]| {
        let mut args = vec![
            "req",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-keyout",
            key,
            "-out",
            out,
            "-subj",
            subject,
        ];
        args.extend_from_slice(extra);
        openssl(&args);
    };
    for ca in ["ca", "other-ca"] {
        request(
            &format!("{ca}.key"),
            &format!("{ca}.pem"),
            &format!("/CN=sqlmig test {ca}"),
            &[
                "-x509",
                "-days",
                "2",
                "-addext",
                "basicConstraints=critical,CA:TRUE",
                "-addext",
                "keyUsage=critical,keyCertSign,cRLSign",
            ],
        );
    }
    request("server.key", "server.csr", "/CN=localhost", &[]);
    std::fs::write(
        dir.join("server.ext"),
        "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\n\
         extendedKeyUsage=serverAuth\nsubjectAltName=DNS:localhost\n",
    )
    .expect("server.ext");
    openssl(&[
        "x509",
        "-req",
        "-in",
        "server.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        "server.pem",
        "-days",
        "2",
        "-extfile",
        "server.ext",
    ]);
}

fn is_root() -> bool {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata("/proc/self").is_ok_and(|metadata| metadata.uid() == 0)
}
