use clap::Parser;
use std::time::Duration;

fn main() -> std::process::ExitCode {
    let cli = ticketlens::cli::Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(ticketlens::cli::run(cli));
    // `serve` has already given its jobs their grace period and released their leases; an
    // analysis still running on a blocking thread must not keep the process alive (dropping
    // the runtime would wait for it), so blocking work gets one more second at most.
    runtime.shutdown_timeout(Duration::from_secs(1));
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
