//! The `butler-server` binary: command line parsing, socket binding and signal handling around
//! the router of [`butler_server::app`].

use std::io::Write;
use std::net::SocketAddr;

use anyhow::Context;
use clap::{Parser, Subcommand};
use tracing_subscriber::EnvFilter;

/// The official repository server of Satellite Butler.
#[derive(Debug, Parser)]
#[command(name = "butler-server", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the HTTP API until SIGINT or SIGTERM.
    ///
    /// Prints `listening on http://ADDR` on stdout once the socket is bound.
    Serve {
        /// Address to listen on; port 0 picks a free port.
        #[arg(long, env = "BUTLER_SERVER_BIND", default_value = "127.0.0.1:0")]
        bind: SocketAddr,
    },
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    // Logs go to stderr so that stdout carries only the `listening on` line.
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    let runtime = tokio::runtime::Runtime::new().context("failed to start the tokio runtime")?;
    match cli.command {
        Command::Serve { bind } => runtime.block_on(serve(bind)),
    }
}

async fn serve(bind: SocketAddr) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(bind)
        .await
        .with_context(|| format!("failed to bind `{bind}`"))?;
    let addr = listener
        .local_addr()
        .context("failed to read the bound address")?;
    announce(addr).context("failed to write the `listening on` line to stdout")?;
    tracing::info!(%addr, "serving");
    axum::serve(listener, butler_server::app(butler_server::AppState::new()))
        .with_graceful_shutdown(shutdown_signal())
        .await
        .context("the HTTP server failed")?;
    tracing::info!("shut down");
    Ok(())
}

/// Tell whoever started us where we listen; tests and launchers wait for this exact line.
fn announce(addr: SocketAddr) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    writeln!(out, "listening on http://{addr}")?;
    out.flush()
}

/// Resolve on the first SIGINT or SIGTERM, so in-flight requests can finish.
async fn shutdown_signal() {
    let interrupt = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::error!(%error, "cannot listen for SIGINT");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(error) => {
                tracing::error!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => tracing::info!("SIGINT received, shutting down"),
        () = terminate => tracing::info!("SIGTERM received, shutting down"),
    }
}
