//! `cen-conformance`: run the golden cases, or print the steps of a signature.

use std::process::ExitCode;

use clap::Parser as _;

fn main() -> ExitCode {
    let cli = cen_conformance::cli::Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(2);
        }
    };
    runtime.block_on(cen_conformance::cli::main(cli))
}
