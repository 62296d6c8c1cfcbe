//! The hand-written fast path (src/revision/fast.rs) against the pest
//! grammar, on each dialect: whenever the fast path takes a file, the grammar
//! must read the same revision, every field and checksum alike (the
//! agreement of the property tests in src/revision/parse.rs).
#![no_main]

use libfuzzer_sys::fuzz_target;
use sqlmig::Dialect;
use sqlmig::revision::{fast_path_agreement, normalize};

fuzz_target!(|bytes: &[u8]| {
    let Ok(text) = normalize(bytes) else {
        return;
    };
    for dialect in Dialect::ALL {
        if let Some(Err(disagreement)) = fast_path_agreement(&text, dialect) {
            panic!("{disagreement}");
        }
    }
});
