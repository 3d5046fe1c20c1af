//! `frontline serve`: settings from flags, FRONTLINE_* variables and a TOML file.

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::Context;
use clap::Args;
use frontline_app::{App, AppConfig};
use frontline_store::DbConfig;
use serde::Deserialize;

use super::{DbArgs, open_app_with};

#[derive(Args, Clone, Default)]
pub(crate) struct ServeArgs {
    #[command(flatten)]
    db: DbArgs,
    /// Address to listen on.
    #[arg(long, env = "FRONTLINE_LISTEN")]
    listen: Option<SocketAddr>,
    /// Mark cookies Secure (HTTPS only): set this whenever the server sits behind TLS.
    /// `--secure-cookies` alone means true; the variable takes true/false, 1/0, yes/no.
    #[arg(long, env = "FRONTLINE_SECURE_COOKIES", num_args = 0..=1,
          default_missing_value = "true",
          value_parser = clap::builder::BoolishValueParser::new())]
    secure_cookies: Option<bool>,
    #[command(flatten)]
    sign_in: SignInArgs,
    /// The SMS gateway text messages are POSTed to (`{"to","text","id"}`); none: no SMS.
    #[arg(long, env = "FRONTLINE_SMS_GATEWAY_URL")]
    sms_gateway_url: Option<String>,
    /// Where every incident lifecycle step is POSTed as JSON; none: no webhook.
    #[arg(long, env = "FRONTLINE_WEBHOOK_URL")]
    webhook_url: Option<String>,
    /// TOML file with data_dir, database_url, listen, secure_cookies and the sign-in
    /// settings below by the same names (flags and FRONTLINE_* win).
    #[arg(long, env = "FRONTLINE_CONFIG")]
    config: Option<PathBuf>,
}

/// Sessions and the sign-in back-off (defaults in `AppConfig::default`).
#[derive(Args, Clone, Default, Deserialize, Debug, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub(crate) struct SignInArgs {
    /// A session unused for this many minutes ends [default: 30].
    #[arg(long, env = "FRONTLINE_SESSION_IDLE_MINUTES", value_parser = clap::value_parser!(i64).range(1..=1440))]
    session_idle_minutes: Option<i64>,
    /// The idle timeout in seconds instead (for browser tests of the timeout).
    #[arg(long, env = "FRONTLINE_SESSION_IDLE_SECS", value_parser = clap::value_parser!(i64).range(5..=86400))]
    session_idle_secs: Option<i64>,
    /// Unmasking and exports need the password or a code re-entered within this many
    /// seconds [default: 600].
    #[arg(long, env = "FRONTLINE_REAUTH_WINDOW_SECS", value_parser = clap::value_parser!(i64).range(5..=43200))]
    reauth_window_secs: Option<i64>,
    /// Failed sign-ins a username may have before each further attempt waits [default: 5].
    #[arg(long, env = "FRONTLINE_SIGN_IN_USERNAME_FAILURES", value_parser = clap::value_parser!(u32).range(1..))]
    sign_in_username_failures: Option<u32>,
    /// The same for one client address [default: 20].
    #[arg(long, env = "FRONTLINE_SIGN_IN_CLIENT_FAILURES", value_parser = clap::value_parser!(u32).range(1..))]
    sign_in_client_failures: Option<u32>,
    /// The first wait in seconds; it doubles with each further failure [default: 30].
    #[arg(long, env = "FRONTLINE_SIGN_IN_BASE_DELAY_SECS", value_parser = clap::value_parser!(i64).range(1..=3600))]
    sign_in_base_delay_secs: Option<i64>,
    /// The longest wait in minutes [default: 15].
    #[arg(long, env = "FRONTLINE_SIGN_IN_MAX_DELAY_MINUTES", value_parser = clap::value_parser!(i64).range(1..=1440))]
    sign_in_max_delay_minutes: Option<i64>,
    /// Failures are forgotten after this many minutes without one [default: 60].
    #[arg(long, env = "FRONTLINE_SIGN_IN_WINDOW_MINUTES", value_parser = clap::value_parser!(i64).range(1..=10080))]
    sign_in_window_minutes: Option<i64>,
}

impl SignInArgs {
    /// `self` where set, else `other`.
    fn or(self, other: SignInArgs) -> SignInArgs {
        SignInArgs {
            session_idle_minutes: self.session_idle_minutes.or(other.session_idle_minutes),
            session_idle_secs: self.session_idle_secs.or(other.session_idle_secs),
            reauth_window_secs: self.reauth_window_secs.or(other.reauth_window_secs),
            sign_in_username_failures: self
                .sign_in_username_failures
                .or(other.sign_in_username_failures),
            sign_in_client_failures: self
                .sign_in_client_failures
                .or(other.sign_in_client_failures),
            sign_in_base_delay_secs: self
                .sign_in_base_delay_secs
                .or(other.sign_in_base_delay_secs),
            sign_in_max_delay_minutes: self
                .sign_in_max_delay_minutes
                .or(other.sign_in_max_delay_minutes),
            sign_in_window_minutes: self.sign_in_window_minutes.or(other.sign_in_window_minutes),
        }
    }

    /// Applies the settings given over `base`, refusing nonsense a range cannot say
    /// (and the file's values, which clap never saw).
    fn apply(self, base: AppConfig) -> anyhow::Result<AppConfig> {
        let c = AppConfig {
            session_idle_minutes: self
                .session_idle_minutes
                .unwrap_or(base.session_idle_minutes),
            session_idle_secs: self.session_idle_secs.or(base.session_idle_secs),
            reauth_window_secs: self.reauth_window_secs.unwrap_or(base.reauth_window_secs),
            sign_in_username_failures: self
                .sign_in_username_failures
                .unwrap_or(base.sign_in_username_failures),
            sign_in_client_failures: self
                .sign_in_client_failures
                .unwrap_or(base.sign_in_client_failures),
            sign_in_base_delay_secs: self
                .sign_in_base_delay_secs
                .unwrap_or(base.sign_in_base_delay_secs),
            sign_in_max_delay_minutes: self
                .sign_in_max_delay_minutes
                .unwrap_or(base.sign_in_max_delay_minutes),
            sign_in_window_minutes: self
                .sign_in_window_minutes
                .unwrap_or(base.sign_in_window_minutes),
            ..base
        };
        if c.session_idle_minutes < 1
            || c.session_idle_secs.is_some_and(|s| s < 1)
            || c.reauth_window_secs < 1
            || c.sign_in_username_failures < 1
            || c.sign_in_client_failures < 1
            || c.sign_in_base_delay_secs < 1
            || c.sign_in_max_delay_minutes < 1
            || c.sign_in_window_minutes < 1
        {
            anyhow::bail!("session and sign-in settings must be at least 1");
        }
        if c.sign_in_max_delay_minutes * 60 < c.sign_in_base_delay_secs {
            anyhow::bail!("sign_in_max_delay_minutes is shorter than sign_in_base_delay_secs");
        }
        if c.session_idle_minutes > c.session_hours * 60 {
            anyhow::bail!("session_idle_minutes is longer than the session lifetime");
        }
        Ok(c)
    }
}

/// What `serve` and `demo` run with, resolved from flags, variables and the file.
pub(crate) struct Resolved {
    pub(crate) db: DbConfig,
    pub(crate) listen: SocketAddr,
    pub(crate) app: AppConfig,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    data_dir: Option<PathBuf>,
    database_url: Option<String>,
    listen: Option<SocketAddr>,
    secure_cookies: Option<bool>,
    session_idle_minutes: Option<i64>,
    session_idle_secs: Option<i64>,
    reauth_window_secs: Option<i64>,
    sign_in_username_failures: Option<u32>,
    sign_in_client_failures: Option<u32>,
    sign_in_base_delay_secs: Option<i64>,
    sign_in_max_delay_minutes: Option<i64>,
    sign_in_window_minutes: Option<i64>,
    sms_gateway_url: Option<String>,
    webhook_url: Option<String>,
}

/// A channel URL: http or https, refused at start rather than at the first message.
fn channel_url(name: &str, v: Option<String>) -> anyhow::Result<Option<String>> {
    match v {
        Some(u) if u.starts_with("http://") || u.starts_with("https://") => Ok(Some(u)),
        Some(u) => anyhow::bail!("{name} must be an http:// or https:// URL, not {u:?}"),
        None => Ok(None),
    }
}

const DEFAULT_LISTEN: &str = "127.0.0.1:8080";

impl ServeArgs {
    /// Flags and FRONTLINE_* variables over the config file over defaults.
    pub(crate) fn resolve(mut self) -> anyhow::Result<Resolved> {
        if let Some(path) = &self.config {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("reading {}", path.display()))?;
            let f: FileConfig =
                toml::from_str(&text).with_context(|| format!("parsing {}", path.display()))?;
            self.db.data_dir = self.db.data_dir.or(f.data_dir);
            self.db.database_url = self.db.database_url.or(f.database_url);
            self.listen = self.listen.or(f.listen);
            self.secure_cookies = self.secure_cookies.or(f.secure_cookies);
            self.sms_gateway_url = self.sms_gateway_url.or(f.sms_gateway_url);
            self.webhook_url = self.webhook_url.or(f.webhook_url);
            self.sign_in = self.sign_in.or(SignInArgs {
                session_idle_minutes: f.session_idle_minutes,
                session_idle_secs: f.session_idle_secs,
                reauth_window_secs: f.reauth_window_secs,
                sign_in_username_failures: f.sign_in_username_failures,
                sign_in_client_failures: f.sign_in_client_failures,
                sign_in_base_delay_secs: f.sign_in_base_delay_secs,
                sign_in_max_delay_minutes: f.sign_in_max_delay_minutes,
                sign_in_window_minutes: f.sign_in_window_minutes,
            });
        }
        let listen = match self.listen {
            Some(l) => l,
            None => DEFAULT_LISTEN.parse()?,
        };
        Ok(Resolved {
            db: self.db.config(),
            listen,
            app: self.sign_in.apply(AppConfig {
                secure_cookies: self.secure_cookies.unwrap_or(false),
                sms_gateway_url: channel_url("sms_gateway_url", self.sms_gateway_url)?,
                webhook_url: channel_url("webhook_url", self.webhook_url)?,
                search_dir: Some(self.db.search_dir()),
                attachments_dir: Some(self.db.attachments_dir()),
                ..AppConfig::default()
            })?,
        })
    }
}

/// Runs the server until Ctrl-C or SIGTERM.
pub(crate) async fn run(args: ServeArgs) -> anyhow::Result<()> {
    let Resolved { db, listen, app } = args.resolve()?;
    let app = open_app_with(&db, app).await?;
    serve(app, listen).await
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}

pub(crate) async fn serve(app: App, listen: SocketAddr) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("cannot listen on {listen}"))?;
    let addr = listener.local_addr()?;
    println!("Frontline listening on http://{addr}");
    frontline_web::serve(app, listener, shutdown_signal()).await?;
    Ok(())
}

#[cfg(test)]
mod tests;
