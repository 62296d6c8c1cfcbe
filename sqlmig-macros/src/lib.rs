//! `embed_migrations!`: a migrations directory compiled into a Rust
//! application (SPEC §11). Use it through `sqlmig::embed_migrations!`.
//!
//! At compile time the macro runs sqlmig's own `verify` on the directory:
//! every file parses, the graph is valid and `sqlmig.sum` matches the files.
//! Any problem is a compile error naming the file and line. The expansion
//! holds each file's text (`include_str!`, so cargo rebuilds when a file
//! changes, and `sqlmig.sum` the same way, which every `sqlmig new`, `merge`
//! and `hash` rewrites) and builds a `sqlmig::Migrations` from memory, with
//! the checksums the files have on disk.

use std::path::{Path, PathBuf};

use proc_macro::TokenStream;
use quote::quote;
use sqlmig_core::verify::{VerifyOptions, VerifyProblem, verify};
use sqlmig_core::{DatabaseUrl, Dialect, sum::SUM_FILE_NAME};
use syn::parse::{Parse, ParseStream};
use syn::{Ident, LitStr, Token};

/// Compiles the migrations directory `dir` (relative to the crate's
/// `Cargo.toml`) into the application and yields its `sqlmig::Migrations`.
///
/// ```text
/// let migrations = sqlmig::embed_migrations!("migrations");
/// let migrations = sqlmig::embed_migrations!("migrations", dialect = "sqlite");
/// ```
///
/// Statements are split under the dialect given, else the one `sqlmig.toml`
/// beside `Cargo.toml` names (`dialect`, or the scheme of `database_url`),
/// else PostgreSQL's, as the `sqlmig` command does. Several heads are
/// accepted: the target of the run decides.
#[proc_macro]
pub fn embed_migrations(input: TokenStream) -> TokenStream {
    let input = syn::parse_macro_input!(input as Input);
    match expand(&input) {
        Ok(tokens) => tokens.into(),
        Err(message) => syn::Error::new(input.dir.span(), message)
            .to_compile_error()
            .into(),
    }
}

/// The macro's arguments: `"dir"` and an optional `dialect = "name"`.
struct Input {
    dir: LitStr,
    dialect: Option<LitStr>,
}

impl Parse for Input {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let dir: LitStr = input.parse()?;
        let mut dialect = None;
        if input.parse::<Option<Token![,]>>()?.is_some() && !input.is_empty() {
            let key: Ident = input.parse()?;
            if key != "dialect" {
                return Err(syn::Error::new(
                    key.span(),
                    "expected `dialect = \"postgres\" | \"mysql\" | \"sqlite\"`",
                ));
            }
            input.parse::<Token![=]>()?;
            dialect = Some(input.parse()?);
            input.parse::<Option<Token![,]>>()?;
        }
        Ok(Input { dir, dialect })
    }
}

/// Verifies the directory and builds the expansion; the compile error's
/// message otherwise.
fn expand(input: &Input) -> Result<proc_macro2::TokenStream, String> {
    let root = PathBuf::from(
        std::env::var_os("CARGO_MANIFEST_DIR").ok_or("CARGO_MANIFEST_DIR is not set")?,
    );
    let relative_dir = input.dir.value();
    let dir = root.join(&relative_dir);
    let dialect = match &input.dialect {
        Some(name) => name
            .value()
            .parse::<Dialect>()
            .map_err(|error| error.to_string())?,
        None => configured_dialect(&root)?,
    };
    let options = VerifyOptions {
        allow_multiple_heads: true,
        server_version: None,
    };
    // Messages name files relative to `Cargo.toml`, as the user wrote the
    // directory: stable across machines and checkouts.
    let relative = |text: String| text.replace(&format!("{}/", root.display()), "");
    let report = verify(&dir, dialect, options).map_err(|error| relative(error.to_string()))?;
    if !report.problems.is_empty() {
        let problems: Vec<String> = report
            .problems
            .iter()
            .map(|problem| relative(describe(problem, &relative_dir)))
            .collect();
        return Err(format!(
            "migrations in `{relative_dir}` do not verify:\n{}",
            problems.join("\n")
        ));
    }
    let files = sqlmig_core::revision::discover(&dir).map_err(|error| error.to_string())?;
    let entries = files.iter().map(|file| {
        let name = &file.relative_path;
        let path = text_path(&file.path);
        quote! { (#name, ::core::include_str!(#path)) }
    });
    let sum_path = text_path(&dir.join(SUM_FILE_NAME));
    let variant = quote::format_ident!("{dialect:?}");
    Ok(quote! {{
        const _: &[u8] = ::core::include_bytes!(#sum_path);
        ::sqlmig::Migrations::from_memory(
            #relative_dir,
            ::sqlmig::Dialect::#variant,
            [#(#entries),*],
        )
        .expect("embed_migrations!: verified at compile time by the same parser")
    }})
}

/// A problem as `verify` words it; a sum-file mismatch names the file too.
fn describe(problem: &VerifyProblem, dir: &str) -> String {
    match problem {
        VerifyProblem::Sum(_) | VerifyProblem::SumFile(_) | VerifyProblem::NoSumFile => {
            format!("{dir}/{SUM_FILE_NAME}: {problem}")
        }
        _ => problem.to_string(),
    }
}

/// The dialect `sqlmig.toml` beside `Cargo.toml` names, else the default.
fn configured_dialect(root: &Path) -> Result<Dialect, String> {
    let path = root.join("sqlmig.toml");
    let Ok(text) = std::fs::read_to_string(&path) else {
        return Ok(Dialect::default());
    };
    let config: toml::Table = text
        .parse()
        .map_err(|error| format!("sqlmig.toml: {error}"))?;
    if let Some(name) = config.get("dialect").and_then(toml::Value::as_str) {
        return name
            .parse::<Dialect>()
            .map_err(|error| format!("sqlmig.toml: {error}"));
    }
    Ok(config
        .get("database_url")
        .and_then(toml::Value::as_str)
        .and_then(|url| DatabaseUrl::parse(url).ok())
        .map_or_else(Dialect::default, |url| url.dialect()))
}

/// A path as `include_str!` takes it.
fn text_path(path: &Path) -> String {
    path.to_string_lossy().into_owned()
}
