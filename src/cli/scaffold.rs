//! Writing new revision files (`new`, `merge`): fresh ids, file names that sort
//! by creation time, the file's template, and the `sqlmig.sum` update.

use std::collections::HashSet;
use std::hash::{BuildHasher, RandomState};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::{Context, bail};
use sqlmig::revision::validate_id;
use sqlmig::sum::SumFile;
use sqlmig::{Checksum, Graph};

/// What goes into a new revision file's header.
pub(crate) struct NewRevision<'a> {
    pub(crate) id: Option<&'a str>,
    pub(crate) parents: Vec<String>,
    pub(crate) dependencies: Vec<String>,
    pub(crate) branch: Option<&'a str>,
    pub(crate) message: &'a str,
    pub(crate) transactional: bool,
    /// The sections' text; `None`: the template of `sqlmig new`, whose down
    /// section holds only [`DOWN_PLACEHOLDER`].
    pub(crate) body: Option<Body>,
}

/// The down section `sqlmig new` writes: comments only, so once the author
/// fills the up section and forgets the down, it is an empty down section
/// (`Revision::empty_down`) that `verify` warns about and `test`,
/// `downgrade` and `emit --down` refuse; while the up is empty too, the
/// revision is a no-op both ways and may be applied and reverted as is.
pub(crate) const DOWN_PLACEHOLDER: &str = "-- TODO: the statements that undo the up section, in reverse order.\n-- If nothing needs undoing, replace these lines with: -- nothing to undo";

/// The up and down sections of a generated revision, and a comment on why
/// it is written the way it is.
pub(crate) struct Body {
    pub(crate) up: String,
    pub(crate) down: String,
    pub(crate) note: Option<String>,
}

/// Writes the revision file into `dir` and records it in `sqlmig.sum`.
/// Returns the new file's path and id.
pub(crate) fn write_revision(
    dir: &Path,
    graph: &Graph,
    new: &NewRevision<'_>,
) -> anyhow::Result<(PathBuf, String)> {
    let taken: HashSet<&str> = graph.revisions().iter().map(|r| r.id.as_str()).collect();
    let id = match new.id {
        Some(id) => {
            validate_id(id)
                .map_err(|reason| anyhow::anyhow!("invalid revision id `{id}`: {reason}"))?;
            if taken.contains(id) {
                bail!(
                    "revision id `{id}` is already used by {}",
                    graph
                        .get(id)
                        .map_or_else(String::new, |r| r.path.display().to_string())
                );
            }
            id.to_owned()
        }
        None => fresh_id(&taken),
    };
    let file_name = format!("{}_{}.sql", timestamp_prefix(dir)?, slug(new.message));
    let path = dir.join(&file_name);
    let text = render(&id, new);
    // Record the sum first from what is already committed, so that `new` never
    // blesses an edited file the way `hash` would.
    let mut entries = match SumFile::read(dir)? {
        Some(sum) => sum.entries().to_vec(),
        None => SumFile::from_revisions(graph.revisions())
            .entries()
            .to_vec(),
    };
    entries.push(sqlmig::sum::SumEntry {
        revision: id.clone(),
        checksum: Checksum::of_file(&text),
        path: file_name,
    });
    std::fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))?;
    SumFile::new(entries).write(dir)?;
    Ok((path, id))
}

fn render(id: &str, new: &NewRevision<'_>) -> String {
    let mut text = format!("-- revision: {id}\n");
    if !new.parents.is_empty() {
        text.push_str(&format!("-- revises: {}\n", new.parents.join(", ")));
    }
    if !new.dependencies.is_empty() {
        text.push_str(&format!("-- depends-on: {}\n", new.dependencies.join(", ")));
    }
    if let Some(branch) = new.branch {
        text.push_str(&format!("-- branch: {branch}\n"));
    }
    text.push_str(&format!("-- message: {}\n", new.message));
    if !new.transactional {
        text.push_str("-- transaction: false\n");
    }
    match &new.body {
        None => text.push_str(&format!("\n-- up\n\n\n-- down\n{DOWN_PLACEHOLDER}\n")),
        Some(body) => {
            if let Some(note) = &body.note {
                text.push_str(&format!("-- {note}\n"));
            }
            text.push_str(&format!(
                "\n-- up\n{}\n\n-- down\n{}\n",
                body.up.trim_end(),
                body.down.trim_end()
            ));
        }
    }
    text
}

/// Twelve hex digits (48 bits) from the clock, the process and the standard
/// library's per-process random hasher keys; checked against the ids in use.
fn fresh_id(taken: &HashSet<&str>) -> String {
    let random = RandomState::new();
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |duration| duration.as_nanos());
    (0u64..)
        .map(|attempt| {
            let seed = random.hash_one((nanos, std::process::id(), attempt));
            Checksum::of_bytes(&seed.to_le_bytes()).short(12)
        })
        .find(|id| !taken.contains(id.as_str()))
        .unwrap_or_default()
}

/// `YYYYMMDDHHMMSS` in UTC, never later than the clock: a listing sorts by
/// creation, and a revision made within the same second as the newest one
/// waits for the next second instead of taking a name in the future (which a
/// teammate's later revision would then sort before).
fn timestamp_prefix(dir: &Path) -> anyhow::Result<String> {
    let newest_existing = std::fs::read_dir(dir)
        .with_context(|| format!("cannot read {}", dir.display()))?
        .filter_map(Result::ok)
        .filter_map(|entry| {
            let name = entry.file_name().to_string_lossy().into_owned();
            name.get(..14).and_then(parse_timestamp)
        })
        .max();
    let mut now = clock();
    if newest_existing == Some(now.as_secs()) {
        std::thread::sleep(
            Duration::from_secs(1)
                .saturating_sub(Duration::from_nanos(u64::from(now.subsec_nanos()))),
        );
        now = clock().max(Duration::from_secs(now.as_secs() + 1));
    }
    Ok(format_timestamp(now.as_secs()))
}

fn clock() -> Duration {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
}

fn slug(message: &str) -> String {
    let mut slug = String::new();
    for c in message.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if !slug.is_empty() && !slug.ends_with('_') {
            slug.push('_');
        }
        if slug.len() >= 48 {
            break;
        }
    }
    let slug = slug.trim_end_matches('_');
    if slug.is_empty() {
        String::from("revision")
    } else {
        slug.to_owned()
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
/// `days_from_civil`).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let day_of_year = (153 * ((month + 9) % 12) + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let days = days + 719_468;
    let era = days.div_euclid(146_097);
    let day_of_era = days - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_index + 2) / 5 + 1;
    let month = if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

fn format_timestamp(seconds: u64) -> String {
    let seconds = i64::try_from(seconds).unwrap_or(i64::MAX);
    let (year, month, day) = civil_from_days(seconds.div_euclid(86_400));
    let in_day = seconds.rem_euclid(86_400);
    format!(
        "{year:04}{month:02}{day:02}{:02}{:02}{:02}",
        in_day / 3600,
        in_day % 3600 / 60,
        in_day % 60
    )
}

fn parse_timestamp(prefix: &str) -> Option<u64> {
    if prefix.len() != 14 || !prefix.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let field = |range: std::ops::Range<usize>| prefix[range].parse::<i64>().ok();
    let (year, month, day) = (field(0..4)?, field(4..6)?, field(6..8)?);
    let (hour, minute, second) = (field(8..10)?, field(10..12)?, field(12..14)?);
    if !(1..=12).contains(&month)
        || !(1..=31).contains(&day)
        || hour > 23
        || minute > 59
        || second > 59
    {
        return None;
    }
    let seconds = days_from_civil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second;
    u64::try_from(seconds).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_round_trip_through_the_calendar() {
        assert_eq!(format_timestamp(0), "19700101000000");
        assert_eq!(format_timestamp(951_782_400), "20000229000000");
        for seconds in [0, 86_399, 951_782_400, 1_795_392_000, 4_102_444_799] {
            assert_eq!(parse_timestamp(&format_timestamp(seconds)), Some(seconds));
        }
        assert_eq!(parse_timestamp("20261399000000"), None);
        assert_eq!(parse_timestamp("2026x122000000"), None);
    }

    #[test]
    fn slugs_are_short_lowercase_words() {
        assert_eq!(
            slug("Add bio column to `users`!"),
            "add_bio_column_to_users"
        );
        assert_eq!(slug("  ***  "), "revision");
        assert!(slug(&"x".repeat(100)).len() <= 48);
    }

    #[test]
    fn fresh_ids_avoid_taken_ones_and_are_valid() {
        let id = fresh_id(&HashSet::new());
        assert_eq!(id.len(), 12);
        assert!(validate_id(&id).is_ok());
        let taken = HashSet::from([id.as_str()]);
        assert_ne!(fresh_id(&taken), id);
    }
}
