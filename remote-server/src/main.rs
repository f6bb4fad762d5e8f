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
        /// The official repository to serve (a Satellite Butler repository directory), opened
        /// read-only.
        #[arg(long, env = "BUTLER_SERVER_REPO", value_name = "DIR")]
        repo: std::path::PathBuf,

        /// Address to listen on; port 0 picks a free port. Loopback by default: expose the
        /// server only behind a proxy that terminates TLS.
        #[arg(long, env = "BUTLER_SERVER_BIND", default_value = "127.0.0.1:0")]
        bind: SocketAddr,

        /// Bearer tokens: a YAML list of `{user, groups, token_sha256}` (only hashes are
        /// stored; make them with `butler-server new-token` and `hash-token`). Reloaded when
        /// the file changes.
        #[arg(
            long,
            value_name = "FILE",
            required_unless_present = "trusted_header_auth"
        )]
        tokens: Option<std::path::PathBuf>,

        /// Trust an authenticating proxy's headers (Gafaelfawr's `X-Auth-Request-User` and
        /// `X-Auth-Request-Groups`) instead of tokens. Only when the proxy is the only way to
        /// reach this server.
        #[arg(long, conflicts_with = "tokens")]
        trusted_header_auth: bool,

        /// The key that signs file URLs (at least 32 bytes; `butler-server new-token > key`
        /// makes one). Without it a random key is used: URLs then die with the process and
        /// differ between replicas.
        #[arg(long, value_name = "FILE")]
        signing_key: Option<std::path::PathBuf>,

        /// How long a signed URL lives: `90s`, `15m`, `1h`, `2d`.
        #[arg(long, default_value = "1h", value_parser = butler_server::signing::parse_lifetime)]
        url_lifetime: std::time::Duration,

        /// The public base URL of this server (`https://butler.example.org`), for absolute
        /// signed URLs; without it URLs are relative to the server.
        #[arg(long, value_name = "URL")]
        public_url: Option<String>,
    },
    /// Make a demo official repository: instrument DemoCam, bands ugrizy, visits with their
    /// records and regions, `raw`, `calexp` and `visitSummary` as small FITS files, RUN
    /// collections per night and the CHAINED collection `DemoCam/defaults`.
    DemoRepo(butler_server::demo_repo::DemoRepoArgs),
    /// Print a new random token (64 hex digits) on stdout; it also serves as a signing key.
    NewToken,
    /// Read a token on stdin and print the SHA-256 hash a tokens file stores for it.
    HashToken,
}

fn main() -> std::process::ExitCode {
    match run() {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            // The one place errors reach the user: `error: ...` with its causes, exit 1.
            let _ = writeln!(std::io::stderr().lock(), "error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn run() -> anyhow::Result<()> {
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
        Command::Serve {
            repo,
            bind,
            tokens,
            trusted_header_auth,
            signing_key,
            url_lifetime,
            public_url,
        } => {
            use butler_server::auth::{Auth, TokenStore};
            use butler_server::signing::HmacSigner;
            let auth = match (tokens, trusted_header_auth) {
                (Some(path), _) => Auth::Tokens(TokenStore::load(&path)?),
                (None, true) => Auth::gafaelfawr(),
                (None, false) => anyhow::bail!("give `--tokens FILE` or `--trusted-header-auth`"),
            };
            let signer = match signing_key {
                Some(path) => HmacSigner::from_key_file(&path)?,
                None => {
                    tracing::warn!("no --signing-key: file URLs are signed with a random key and die with this process");
                    HmacSigner::random()?
                }
            };
            let state = butler_server::AppState::serving(
                repo.clone(),
                std::sync::Arc::new(auth),
                std::sync::Arc::new(signer),
                url_lifetime,
                public_url,
            )
            .with_context(|| format!("cannot serve `{}`", repo.display()))?;
            runtime.block_on(serve(bind, state))
        }
        Command::DemoRepo(args) => {
            let summary = butler_server::demo_repo::run(&args, |m| tracing::info!("{m}"))?;
            writeln!(std::io::stdout().lock(), "{summary}")?;
            Ok(())
        }
        Command::NewToken => {
            let token = butler_server::auth::generate_token()?;
            writeln!(std::io::stdout().lock(), "{token}")?;
            Ok(())
        }
        Command::HashToken => {
            let mut token = String::new();
            std::io::stdin().read_line(&mut token)?;
            let token = token.trim();
            anyhow::ensure!(!token.is_empty(), "no token on stdin");
            writeln!(
                std::io::stdout().lock(),
                "{}",
                butler_server::auth::hash_token(token)
            )?;
            Ok(())
        }
    }
}

async fn serve(bind: SocketAddr, state: butler_server::AppState) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(bind)
        .await
        .with_context(|| format!("failed to bind `{bind}`"))?;
    let addr = listener
        .local_addr()
        .context("failed to read the bound address")?;
    announce(addr).context("failed to write the `listening on` line to stdout")?;
    tracing::info!(%addr, "serving");
    axum::serve(listener, butler_server::app(state))
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
