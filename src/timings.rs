//! Timings printed to stderr when `STAGEBOOK_TIMINGS` is set, for benchmarking: the build's
//! phases (`build::Phases`) and, inside a step, [`Laps`] since the step began.

use std::time::Instant;

/// Is `STAGEBOOK_TIMINGS` set?
pub(crate) fn enabled() -> bool {
    std::env::var_os("STAGEBOOK_TIMINGS").is_some()
}

/// The milliseconds since a step began at each named point of it, as
/// `<indent><step> <point> <ms> ms`; nothing unless [`enabled`].
pub(crate) struct Laps {
    step: &'static str,
    indent: usize,
    started: Instant,
    enabled: bool,
}

impl Laps {
    /// Starts timing `step`, its lines indented by `indent` spaces.
    pub(crate) fn start(step: &'static str, indent: usize) -> Laps {
        Laps { step, indent, started: Instant::now(), enabled: enabled() }
    }

    pub(crate) fn lap(&self, point: &str) {
        if self.enabled {
            let ms = self.started.elapsed().as_secs_f64() * 1000.0;
            eprintln!("{:indent$}{} {point:<8} {ms:>7.1} ms", "", self.step, indent = self.indent);
        }
    }

    /// Another figure of the step, on a line of its own.
    pub(crate) fn note(&self, what: std::fmt::Arguments) {
        if self.enabled {
            eprintln!("{:indent$}{} {what}", "", self.step, indent = self.indent);
        }
    }
}
