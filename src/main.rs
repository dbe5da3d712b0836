//! The `stagebook` command: parses arguments, calls the library, prints diagnostics.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use stagebook::build::{build_to_exit, BuildOptions, Failure};
use stagebook::diagnostics::{render_capped, Diagnostic};

#[derive(Parser)]
#[command(
    name = "stagebook",
    version,
    about = "Build engineering playbooks: markdown pages plus a stage x aspect maturity matrix, as a static site."
)]
struct Cli {
    /// Print only errors and warnings.
    #[arg(short, long, global = true)]
    quiet: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Build the handbook into its output folder (default: book/).
    Build {
        /// Handbook folder (the one holding book.toml).
        #[arg(default_value = ".")]
        dir: PathBuf,
        /// Output folder, instead of [build] output in book.toml.
        #[arg(short, long)]
        output: Option<PathBuf>,
        /// Include pages marked `draft = true`.
        #[arg(long)]
        drafts: bool,
        /// Write into an existing folder stagebook did not create; its files are kept (never
        /// deleted or overwritten) and only what stagebook writes is replaced by later builds.
        #[arg(long)]
        force: bool,
        /// Report broken links and anchors as warnings and write the site anyway (as
        /// `[build] broken_links = "warn"` does).
        #[arg(long)]
        warn_links: bool,
        /// Build everything, without reading or writing the build cache (.stagebook-cache/).
        #[arg(long)]
        no_cache: bool,
    },
    /// Check config, pages, links and templates without writing anything.
    Check {
        /// Handbook folder (the one holding book.toml).
        #[arg(default_value = ".")]
        dir: PathBuf,
        /// Include pages marked `draft = true`.
        #[arg(long)]
        drafts: bool,
        /// Report broken links and anchors as warnings instead of errors.
        #[arg(long)]
        warn_links: bool,
        /// Check everything, without reading or writing the build cache (.stagebook-cache/).
        #[arg(long)]
        no_cache: bool,
    },
    /// Build into memory, serve on localhost, rebuild on every save and reload the browser.
    Serve {
        /// Handbook folder (the one holding book.toml).
        #[arg(default_value = ".")]
        dir: PathBuf,
        /// Port to listen on (the next free one is used when it is taken; 0 picks any).
        #[arg(short, long, default_value_t = 3000)]
        port: u16,
        /// Address to listen on. Anything but a loopback address exposes the preview.
        #[arg(long, default_value = "127.0.0.1")]
        bind: std::net::IpAddr,
        /// Open the site in the default browser.
        #[arg(long)]
        open: bool,
        /// Include pages marked `draft = true`.
        #[arg(long)]
        drafts: bool,
        /// Also answer requests for this host name (repeatable; e.g. a name in /etc/hosts).
        /// Others than localhost, 127.0.0.1, [::1] and the bind address get 403.
        #[arg(long = "allow-host", value_name = "NAME")]
        allow_hosts: Vec<String>,
        /// Notice changes by reading every file once a second instead of through system
        /// notifications: for network drives, some containers, or when the inotify limit is reached.
        #[arg(long)]
        poll: bool,
        /// Report broken links and anchors as warnings and serve the site anyway.
        #[arg(long)]
        warn_links: bool,
    },
    /// Create a new handbook with a book.toml and two pages.
    Init {
        /// Folder to create it in.
        #[arg(default_value = ".")]
        dir: PathBuf,
        /// The handbook's title (default: "Engineering handbook", in the sample's language).
        #[arg(long)]
        title: Option<String>,
        /// The handbook's language (`[book] language`): `fr` writes a French sample; any other
        /// tag (de, pt-BR, ja...) the English sample with the interface in that language.
        #[arg(long, default_value = "en")]
        language: String,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Build { dir, output, drafts, force, warn_links, no_cache } => run_build(
            BuildOptions { root: dir, output, drafts, check_only: false, force, warn_links, cache: !no_cache },
            cli.quiet,
        ),
        Command::Check { dir, drafts, warn_links, no_cache } => run_build(
            BuildOptions {
                root: dir,
                output: None,
                drafts,
                check_only: true,
                force: false,
                warn_links,
                cache: !no_cache,
            },
            cli.quiet,
        ),
        Command::Serve { dir, port, bind, open, drafts, allow_hosts, poll, warn_links } => {
            // Ctrl-C ends the process; nothing is written to disk, so there is nothing to clean up.
            let _ = ctrlc::set_handler(|| {
                println!("Stopped.");
                std::process::exit(0);
            });
            let options =
                stagebook::serve::ServeOptions { root: dir, bind, port, open, drafts, allow_hosts, poll, warn_links };
            match stagebook::serve::serve(options) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("error: {e}");
                    ExitCode::FAILURE
                }
            }
        }
        Command::Init { dir, title, language } => match stagebook::init::init(
            &dir,
            title.as_deref().unwrap_or(stagebook::init::default_title(&language)),
            &language,
        ) {
            Ok(files) => {
                if !cli.quiet {
                    for f in files {
                        println!("created {}", f.display());
                    }
                    println!("Next: stagebook build {}", dir.display());
                }
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("error: {e}");
                ExitCode::FAILURE
            }
        },
    }
}

fn run_build(options: BuildOptions, quiet: bool) -> ExitCode {
    // The process ends once the result is printed: nothing of the build is freed before.
    match build_to_exit(&options) {
        Ok(report) => {
            print_diagnostics(&report.warnings);
            if !quiet {
                println!("{}", report.summary(options.check_only));
            }
            ExitCode::SUCCESS
        }
        Err(Failure { errors, warnings, output_changed }) => {
            print_diagnostics(&warnings);
            print_diagnostics(&errors);
            let n = errors.len();
            let mut err = anstream::stderr();
            let s = if n == 1 { "" } else { "s" };
            if output_changed {
                let _ = writeln!(err, "{n} error{s} found; the output folder was changed (see above)");
            } else {
                let _ = writeln!(err, "{n} error{s} found; nothing was written");
            }
            ExitCode::FAILURE
        }
    }
}

/// Diagnostics go to stderr, coloured only on a terminal, at most 50 per file and severity.
fn print_diagnostics(diagnostics: &[Diagnostic]) {
    let mut err = anstream::stderr();
    for shown in render_capped(diagnostics, true) {
        let _ = write!(err, "{shown}");
    }
}
