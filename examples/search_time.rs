//! Times the search index build alone, in process, on a loaded handbook: the phase's own
//! figure without the noise of loading and rendering (benchmark aid, not part of the build).
//!
//! `cargo run --release --example search_time -- <book> [runs]` prints each run's milliseconds
//! and the median; `STAGEBOOK_TIMINGS=1` adds the phase laps.

fn main() {
    let mut args = std::env::args().skip(1);
    let book = args.next().expect("usage: search_time <book> [runs]");
    let runs: usize = args.next().map_or(5, |n| n.parse().expect("runs is a number"));
    let project = match stagebook::build::Project::open(std::path::Path::new(&book)) {
        Ok(p) => p,
        Err(_) => {
            eprintln!("cannot load {book}");
            std::process::exit(1);
        }
    };
    let mut times = Vec::new();
    for _ in 0..runs {
        let t = std::time::Instant::now();
        let files = project.search_index();
        let ms = t.elapsed().as_secs_f64() * 1000.0;
        println!("{ms:.1} ms ({} files, {} bytes)", files.len(), files.iter().map(|f| f.1.len()).sum::<usize>());
        times.push(ms);
    }
    times.sort_by(f64::total_cmp);
    println!("median {:.1} ms", times[times.len() / 2]);
}
