//! First starts on a new data folder (issue 13, points 10 and 11): the
//! pool's connections used to race while the first one migrated the new
//! file and switched it to WAL (`ERROR r2d2: database is locked`), and two
//! processes starting at once (the window and a terminal command) both ran
//! the migrations: one failed with "table attachments already exists" or
//! "duplicate column name", in about half of the tries here. The instance
//! lock now comes first, so one opener migrates while the others wait, and
//! one connection migrates before the pool opens.

use crate::support;

use support::cli::{stderr, valechat_with};

/// Rounds of simultaneous first starts; before the fix about half failed.
const ROUNDS: usize = 8;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn simultaneous_first_starts_all_open_the_new_database_cleanly() {
    for round in 0..ROUNDS {
        let dir = tempfile::tempdir().expect("temp dir");
        let data = dir.path();
        // Logs as a user sees them (the tests' default turns them off).
        let env = [("RUST_LOG", "warn")];
        let args = ["history", "list"];
        let (a, b, c) = tokio::join!(
            valechat_with(data, &env, &args),
            valechat_with(data, &env, &args),
            valechat_with(data, &env, &args),
        );
        for (which, output) in [a, b, c].iter().enumerate() {
            let errors = stderr(output);
            assert!(
                output.status.success() && errors.trim().is_empty(),
                "round {round}, start {which}: {}: {errors}",
                output.status
            );
        }
    }
}
