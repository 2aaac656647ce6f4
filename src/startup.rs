//! `Application`: binds the listener, then runs the HTTP server, the group-commit writers
//! and the job workers side by side under one shutdown signal.

use crate::app::AppState;
use crate::codeindex::CodeIndex;
use crate::config::Settings;
use crate::domain::redact::url_without_credentials as redact_url;
use crate::enrich::Pipeline;
use crate::http;
use crate::ingest::Ingestor;
use crate::metrics::Metrics;
use crate::render::RenderOptions;
use crate::store::Store;
use crate::ticketindex::TicketIndex;
use crate::worker::{index_sync, JobHandler, TicketEventHandler, Workers};
use actix_web::dev::Server;
use actix_web::{web, HttpServer};
use anyhow::Context;
use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

mod app;

/// Applies `[server]`'s connection bounds to an `HttpServer`: idle keep-alive connections
/// close, a request head that does not arrive in time is cut off (bodies are timed by
/// `http::body`), open connections are capped (actix counts them per worker thread, so
/// the configured total is shared out), and so are one peer's (`app::peers`). A macro:
/// `HttpServer`'s type parameters are actix's.
macro_rules! bounded {
    ($server:expr, $settings:expr, $peers:expr) => {{
        let s = &$settings.server;
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
        let peers = $peers.clone();
        $server
            .on_connect(move |conn, data| peers.on_connect(conn, data))
            .workers(threads)
            .keep_alive(Duration::from_secs(s.keep_alive_secs.max(1)))
            .client_request_timeout(Duration::from_millis(s.request_head_timeout_ms.max(1)))
            .client_disconnect_timeout(Duration::from_secs(1))
            .max_connections(s.max_connections.div_ceil(threads).max(1))
    }};
}

/// A built, not yet running, service.
pub struct Application {
    port: u16,
    metrics_port: Option<u16>,
    metrics_server: Option<Server>,
    server: Server,
    workers: Workers,
    writers: Vec<JoinHandle<()>>,
    store: Store,
    ticket_index: Arc<TicketIndex>,
    learner: Arc<crate::learning::Learner>,
    shutdown: CancellationToken,
    grace: Duration,
    code_index: Arc<CodeIndex>,
    settings: Arc<Settings>,
    metrics: Metrics,
    /// Period of the ticket index's timed commit (zero: every job commits its own ticket).
    index_commit_every: Duration,
    /// Period of the follower that picks up other processes' tickets.
    index_follow_every: Duration,
}

/// Connects to the database and applies the migrations.
async fn open_store(settings: &Settings) -> anyhow::Result<Store> {
    let url = settings.database.url.expose();
    let store = Store::connect(url, settings.database.max_connections)
        .await
        .with_context(|| format!("failed to open the database {}", redact_url(url)))?;
    store
        .migrate()
        .await
        .context("failed to apply migrations")?;
    Ok(store)
}

/// Opens the ticket index (set aside and rebuilt when it cannot be opened) and brings it in
/// step with the store.
async fn open_ticket_index(settings: &Settings, store: &Store) -> anyhow::Result<Arc<TicketIndex>> {
    let index_dir = settings.duplicates.index_dir.clone();
    let (ticket_index, fresh) =
        tokio::task::spawn_blocking(move || TicketIndex::open(index_dir.as_deref()))
            .await?
            .context("failed to open the ticket index")?;
    let ticket_index = Arc::new(ticket_index);
    index_sync::prepare(store, ticket_index.clone(), fresh).await?;
    Ok(ticket_index)
}

/// The service's own job handler: the pipeline, the trackers' comment sinks and the
/// comment's rendering as configured.
fn service_handler(
    settings: &Settings,
    store: &Store,
    pipeline: &Arc<Pipeline>,
    metrics: &Metrics,
) -> Arc<dyn JobHandler> {
    Arc::new(TicketEventHandler {
        store: store.clone(),
        index: pipeline.tickets.clone(),
        pipeline: pipeline.clone(),
        analysis_limit: 10,
        sinks: crate::worker::Sinks::from_settings(settings),
        render: RenderOptions {
            page_base: settings.web.public_url.clone(),
            ..settings.comments.render_options()
        },
        stage_index: settings.duplicates.commit_interval_ms > 0,
        metrics: metrics.clone(),
        link_lookups: crate::worker::LinkLookups::from_settings(settings),
    })
}

/// The separate metrics listener (`[server] metrics_listen`): `/metrics` only, one worker.
fn metrics_server(
    addr: std::net::SocketAddr,
    settings: &Settings,
    state: web::Data<AppState>,
    peers: &Arc<crate::app::peers::PeerConnections>,
) -> anyhow::Result<(Server, u16)> {
    let l = TcpListener::bind(addr)
        .with_context(|| format!("failed to listen on {addr} for metrics"))?;
    let port = l.local_addr()?.port();
    let server = bounded!(
        HttpServer::new(move || app::metrics_app(state.clone())),
        settings,
        peers
    )
    .listen(l)?
    .workers(1)
    .disable_signals()
    .run();
    tracing::info!(address = %addr.ip(), port, "metrics listening");
    Ok((server, port))
}

impl Application {
    /// Connects and migrates the store, binds the listener (port 0 picks a free port) and
    /// prepares the workers with the service's own job handler.
    pub async fn build(settings: Settings) -> anyhow::Result<Application> {
        Self::build_with_handler(settings, None).await
    }

    /// Like `build`, with another job handler (tests count job executions with one).
    pub async fn build_with_handler(
        settings: Settings,
        handler: Option<Arc<dyn JobHandler>>,
    ) -> anyhow::Result<Application> {
        settings.check_secrets()?;
        let settings = Arc::new(settings);
        let store = open_store(&settings).await?;
        log_configuration(&settings, &store);
        let ticket_index = open_ticket_index(&settings, &store).await?;

        // Parse the contract now, so a broken spec stops the start instead of a request.
        http::spec_json();
        let metrics = Metrics::new();
        let wake = Arc::new(Notify::new());
        let (ingestor, writers) = Ingestor::start(
            store.clone(),
            settings.clone(),
            metrics.clone(),
            wake.clone(),
        );
        let code_index = Arc::new(CodeIndex::configured(&settings)?);
        let pipeline = Arc::new(Pipeline::open(
            &settings,
            store.clone(),
            code_index.clone(),
            ticket_index.clone(),
        ));
        let handler =
            handler.unwrap_or_else(|| service_handler(&settings, &store, &pipeline, &metrics));
        let workers = Workers::new(
            store.clone(),
            settings.queue.clone(),
            handler,
            metrics.clone(),
            wake.clone(),
        );

        let listener = TcpListener::bind(settings.server.listen)
            .with_context(|| format!("failed to listen on {}", settings.server.listen))?;
        let port = listener.local_addr()?.port();
        let grace = Duration::from_secs(settings.server.shutdown_grace_secs);
        let learner = Arc::new(crate::learning::Learner::new(
            ticket_index.clone(),
            settings.duplicates.clone(),
            Some(metrics.clone()),
        ));
        let state = web::Data::new(AppState {
            settings: settings.clone(),
            store: store.clone(),
            ingestor,
            metrics: metrics.clone(),
            ticket_index: ticket_index.clone(),
            learner: learner.clone(),
            wake: wake.clone(),
            code_index: code_index.clone(),
            pipeline,
            throttle: Arc::new(crate::app::throttle::AuthThrottle::from_settings(
                &settings.api,
            )),
        });
        let peers =
            crate::app::peers::PeerConnections::new(settings.server.max_connections_per_peer);
        let (metrics_server, metrics_port) = match settings.server.metrics_listen {
            None => (None, None),
            Some(addr) => {
                let (server, port) = metrics_server(addr, &settings, state.clone(), &peers)?;
                (Some(server), Some(port))
            }
        };
        let server = bounded!(
            HttpServer::new(move || app::app(state.clone())),
            settings,
            peers
        )
        .listen(listener)?
        .disable_signals()
        .shutdown_timeout(grace.as_secs().max(1))
        .run();
        tracing::info!(address = %settings.server.listen.ip(), port, "listening");
        Ok(Application {
            port,
            metrics_port,
            metrics_server,
            server,
            workers,
            writers,
            store,
            ticket_index,
            learner,
            shutdown: CancellationToken::new(),
            grace,
            code_index,
            settings: settings.clone(),
            metrics,
            index_commit_every: Duration::from_millis(settings.duplicates.commit_interval_ms),
            index_follow_every: Duration::from_millis(
                settings.duplicates.follow_interval_ms.max(10),
            ),
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The port of the separate metrics listener, when one is configured.
    pub fn metrics_port(&self) -> Option<u16> {
        self.metrics_port
    }

    /// The token that stops the whole application when cancelled.
    pub fn shutdown_token(&self) -> CancellationToken {
        self.shutdown.clone()
    }

    /// Runs until the shutdown token is cancelled (by a signal or a caller), then stops in
    /// order: HTTP stops accepting and answers what it holds, workers finish in-flight jobs
    /// up to the grace deadline and release the rest, writers commit what they received.
    pub async fn run_until_stopped(self) -> anyhow::Result<()> {
        let Application {
            server,
            metrics_server,
            workers,
            writers,
            store,
            ticket_index,
            shutdown,
            grace,
            code_index,
            settings,
            index_commit_every,
            index_follow_every,
            learner,
            metrics,
            ..
        } = self;
        let learning = tokio::spawn(crate::learning::follow(
            learner,
            store.clone(),
            index_follow_every,
            shutdown.clone(),
        ));
        let committer = tokio::spawn(index_sync::commit_staged(
            ticket_index.clone(),
            index_commit_every,
            shutdown.clone(),
        ));
        let pruner = tokio::spawn(crate::retention::run(
            store.clone(),
            settings.retention.clone(),
            shutdown.clone(),
        ));
        let digest = tokio::spawn(crate::digest::run(
            store.clone(),
            settings.clone(),
            metrics,
            shutdown.clone(),
        ));
        let follower = tokio::spawn(index_sync::follow(
            store.clone(),
            ticket_index,
            index_follow_every,
            shutdown.clone(),
        ));
        let indexer = tokio::spawn(crate::repositories::keep_current(
            code_index,
            store.clone(),
            settings,
            shutdown.clone(),
        ));
        let handle = server.handle();
        let server_task = tokio::spawn(server);
        let metrics_handle = metrics_server.as_ref().map(|m| m.handle());
        if let Some(m) = metrics_server {
            tokio::spawn(m);
        }
        let workers_task = tokio::spawn(workers.run(shutdown.clone(), grace));
        shutdown.cancelled().await;
        tracing::info!("shutting down");
        handle.stop(true).await;
        if let Some(m) = metrics_handle {
            m.stop(true).await;
        }
        indexer.abort();
        let _ = server_task.await;
        if let Err(e) = workers_task.await {
            tracing::error!(error = %e, "worker supervisor failed");
        }
        let _ = follower.await;
        let _ = learning.await;
        let _ = committer.await;
        pruner.abort();
        // a delivery in flight gets the grace period to finish and be recorded
        let _ = tokio::time::timeout(grace, digest).await;
        for w in writers {
            let _ = tokio::time::timeout(Duration::from_secs(10), w).await;
        }
        store.close().await;
        tracing::info!("stopped");
        Ok(())
    }
}

/// Cancels `token` on SIGTERM or SIGINT.
pub fn cancel_on_signals(token: CancellationToken) {
    tokio::spawn(async move {
        let ctrl_c = tokio::signal::ctrl_c();
        #[cfg(unix)]
        {
            let mut term =
                tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
                    .expect("SIGTERM handler installs");
            tokio::select! {
                _ = ctrl_c => {}
                _ = term.recv() => {}
            }
        }
        #[cfg(not(unix))]
        let _ = ctrl_c.await;
        tracing::info!("shutdown signal received");
        token.cancel();
    });
}

fn log_configuration(settings: &Settings, store: &Store) {
    let signing = |secret: bool, token: bool, unsigned: bool| match (secret, token, unsigned) {
        (true, _, _) => "hmac-sha256",
        (false, true, _) => "shared-token",
        (false, false, true) => "UNSIGNED",
        (false, false, false) => "refused (no secret configured)",
    };
    let jira = signing(
        settings.jira.webhook_secret.is_some(),
        settings.jira.shared_token.is_some(),
        settings.jira.allow_unsigned,
    );
    let linear = signing(
        settings.linear.webhook_secret.is_some(),
        false,
        settings.linear.allow_unsigned,
    );
    let github = signing(settings.github.webhook_secret.is_some(), false, false);
    let gitlab = signing(false, settings.gitlab.webhook_token.is_some(), false);
    tracing::info!(
        backend = store.backend().as_str(),
        database = %redact_url(settings.database.url.expose()),
        listen = %settings.server.listen,
        workers = settings.queue.workers,
        max_attempts = settings.queue.max_attempts,
        max_body_bytes = settings.server.max_body_bytes,
        jira_webhooks = jira,
        linear_webhooks = linear,
        github_webhooks = github,
        gitlab_webhooks = gitlab,
        "configured"
    );
    if !settings.api.has_tokens() && !settings.server.listen.ip().is_loopback() {
        tracing::warn!(
            listen = %settings.server.listen,
            "!!! no [api] read_tokens or operator_tokens and a public listen address: /api/ is DISABLED for every caller not on this machine (401); set tokens to use it !!!"
        );
    }
    for (name, unsigned) in [
        ("jira", jira == "UNSIGNED"),
        ("linear", linear == "UNSIGNED"),
    ] {
        if unsigned {
            tracing::warn!(
                tracker = name,
                "!!! allow_unsigned = true: {name} webhooks are accepted WITHOUT any authenticity check; anyone who can reach this port can inject tickets !!!"
            );
        }
    }
}
