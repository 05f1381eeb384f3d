//! `cargo xtask`: project chores. See the library crate for what each command does.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(name = "cargo xtask", about = "Project chores for the CEN workspace.")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Generate the code derived from the OpenAPI documents.
    Codegen {
        /// Compare the generated code with the work tree instead of writing it; fail when any
        /// file is stale, missing or extra.
        #[arg(long)]
        check: bool,
        /// The directory whose `*.yaml` files are the documents, relative to the workspace root.
        #[arg(long, value_name = "DIR", default_value = xtask::DEFAULT_SPEC_DIR)]
        spec_dir: PathBuf,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli.command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(command: Command) -> Result<(), xtask::Error> {
    let root = xtask::spec::workspace_root();
    match command {
        Command::Codegen { check, spec_dir } => {
            let generated = xtask::generate_all(&root, &spec_dir)?;
            if check {
                xtask::check::check(&root, &generated)?;
                println!(
                    "codegen: {} generated file(s) are up to date",
                    generated.files.len()
                );
            } else {
                let changed = xtask::check::write(&root, &generated)?;
                if changed.is_empty() {
                    println!(
                        "codegen: {} generated file(s) already up to date",
                        generated.files.len()
                    );
                }
                for d in changed {
                    let verb = match d.kind {
                        xtask::DifferenceKind::Stale => "updated",
                        xtask::DifferenceKind::Missing => "created",
                        xtask::DifferenceKind::Extra => "removed",
                    };
                    println!("codegen: {verb} {}", d.path);
                }
            }
            Ok(())
        }
    }
}
