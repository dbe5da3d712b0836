//! Named points in the publish where a test can stop the build (to kill it there and check
//! what a crash at that moment leaves behind) or make it fail (to check the message).
//!
//! Compiled into every binary and inert unless `STAGEBOOK_FAILPOINT` is set:
//! `publish:<step>` prints `failpoint publish:<step>` to stderr when the build gets there and
//! sleeps until it is killed; `publish:<step>:fail` makes that step fail with an I/O error.

use std::io;
use std::sync::OnceLock;

/// The steps, in the order a build reaches them (`aside` only in the fallback swap).
pub(crate) const STEPS: [&str; 6] = ["writing", "staged", "carried", "swap", "aside", "swapped"];

/// `(step, fail)` named by `STAGEBOOK_FAILPOINT`, read once.
fn armed() -> Option<&'static (String, bool)> {
    static ARMED: OnceLock<Option<(String, bool)>> = OnceLock::new();
    ARMED
        .get_or_init(|| {
            let value = std::env::var("STAGEBOOK_FAILPOINT").ok()?;
            let step = value.strip_prefix("publish:")?;
            Some(match step.strip_suffix(":fail") {
                Some(step) => (step.to_string(), true),
                None => (step.to_string(), false),
            })
        })
        .as_ref()
}

/// Pauses forever, or fails, if the failpoint names `step`.
pub(crate) fn hit(step: &str) -> io::Result<()> {
    debug_assert!(STEPS.contains(&step), "unknown failpoint {step}");
    match armed() {
        Some((armed, fail)) if armed == step => {
            if *fail {
                return Err(io::Error::other(format!("failpoint publish:{step}")));
            }
            eprintln!("failpoint publish:{step}");
            loop {
                std::thread::sleep(std::time::Duration::from_secs(3600));
            }
        }
        _ => Ok(()),
    }
}
