//! `hookseal`: sign, verify and explain Hygraph webhook deliveries, and send test webhooks to a
//! local endpoint (contract §7). Exit status: 0 ok, 1 rejected (or no connection), 2 usage or
//! configuration error.

mod send;

use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use hookseal::explain::{explain, Input};
use hookseal::hygraph::{now_ms, sign, Verifier};
use hookseal::{Secret, Secrets};

#[derive(Parser, Debug)]
#[command(
    name = "hookseal",
    version,
    about = "Sign, verify and explain webhook signatures (Hygraph, Hasura)"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Print the gcms-signature header Hygraph would send for a body.
    Sign(SignArgs),
    /// Verify a body strictly (exit 0 ok, 1 rejected, 2 usage).
    Verify(VerifyArgs),
    /// Explain, step by step, why a delivery verifies or not.
    Explain(VerifyArgs),
    /// Send a test request to a local endpoint as Hygraph or Hasura would (Action, Event Trigger,
    /// cron or one-off scheduled event, auth webhook), retried as Hasura retries.
    Send(Box<send::SendArgs>),
}

#[derive(Args, Debug)]
struct SignArgs {
    /// The webhook secret (or set HOOKSEAL_SECRET).
    #[arg(long, env = "HOOKSEAL_SECRET", hide_env_values = true)]
    secret: String,
    /// The environment name.
    #[arg(long = "env", default_value = "master")]
    environment: String,
    /// The timestamp in milliseconds (default: now).
    #[arg(long)]
    timestamp: Option<u64>,
    /// The body file; `-` or nothing reads standard input.
    file: Option<PathBuf>,
}

#[derive(Args, Debug)]
struct VerifyArgs {
    /// A webhook secret; repeat for rotation (or set HOOKSEAL_SECRET for one).
    #[arg(long = "secret", env = "HOOKSEAL_SECRET", hide_env_values = true, required = true)]
    secrets: Vec<String>,
    /// The gcms-signature header value.
    #[arg(long)]
    signature: Option<String>,
    /// The time window in seconds, both directions, or `none`.
    #[arg(long, default_value = "300")]
    tolerance: String,
    /// The clock, in milliseconds since the Unix epoch (default: now).
    #[arg(long)]
    now: Option<u64>,
    /// An allowed environment; repeat for several (default: any).
    #[arg(long = "env")]
    environments: Vec<String>,
    /// The raw body file; `-` or nothing reads standard input.
    file: Option<PathBuf>,
}

/// A usage or configuration problem: exit 2 with this message.
struct Usage(String);

fn read_body(file: Option<&PathBuf>) -> Result<Vec<u8>, Usage> {
    match file {
        Some(p) if p.as_os_str() != "-" => {
            std::fs::read(p).map_err(|e| Usage(format!("cannot read {}: {e}", p.display())))
        }
        _ => {
            let mut buf = Vec::new();
            std::io::stdin()
                .read_to_end(&mut buf)
                .map_err(|e| Usage(format!("cannot read standard input: {e}")))?;
            Ok(buf)
        }
    }
}

fn build_verifier(args: &VerifyArgs) -> Result<(Verifier, Option<u64>), Usage> {
    let tolerance = match args.tolerance.as_str() {
        "none" | "off" => None,
        t => Some(
            t.parse::<u64>()
                .map_err(|_| Usage(format!("--tolerance must be seconds or `none`, not {t:?}")))?,
        ),
    };
    let secrets = Secrets::new(&args.secrets).map_err(|e| Usage(format!("secret: {e}")))?;
    let mut verifier =
        Verifier::from_secrets(secrets).tolerance(tolerance).map_err(|e| Usage(e.to_string()))?;
    if !args.environments.is_empty() {
        verifier = verifier.environments(args.environments.iter()).map_err(|e| Usage(e.to_string()))?;
    }
    Ok((verifier, tolerance))
}

fn run_sign(args: &SignArgs) -> Result<ExitCode, Usage> {
    let secret = Secret::new(&args.secret).map_err(|e| Usage(format!("secret: {e}")))?;
    let body = read_body(args.file.as_ref())?;
    let body = String::from_utf8(body)
        .map_err(|_| Usage("the body is not UTF-8; Hygraph signs JSON text".into()))?;
    let t = args.timestamp.unwrap_or_else(now_ms);
    println!("{}", sign(&secret, &body, &args.environment, t));
    Ok(ExitCode::SUCCESS)
}

fn run_verify(args: &VerifyArgs) -> Result<ExitCode, Usage> {
    let (verifier, _) = build_verifier(args)?;
    let body = read_body(args.file.as_ref())?;
    let now = args.now.unwrap_or_else(now_ms);
    match verifier.verify_at(&body, args.signature.as_deref().unwrap_or(""), now) {
        Ok(v) => {
            let age = (i128::from(now) - i128::from(v.timestamp_ms)) as f64 / 1000.0;
            println!(
                "ok env={} t={} age={age:.1}s secret=#{}",
                v.environment, v.timestamp_ms, v.secret_index
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            println!("{}: {e}", e.code());
            Ok(ExitCode::from(1))
        }
    }
}

fn run_explain(args: &VerifyArgs) -> Result<ExitCode, Usage> {
    let (verifier, tolerance) = build_verifier(args)?;
    let body = read_body(args.file.as_ref())?;
    let secrets = verifier.secrets().as_slice().to_vec();
    let envs = (!args.environments.is_empty()).then_some(args.environments.as_slice());
    let input = Input {
        secrets: &secrets,
        header: args.signature.as_deref(),
        body: &body,
        tolerance_secs: tolerance,
        environments: envs,
        now_ms: args.now.unwrap_or_else(now_ms),
    };
    let report = explain(&verifier, &input);
    println!("{report}");
    Ok(if report.verdict.is_ok() { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match &cli.command {
        Command::Sign(a) => run_sign(a),
        Command::Verify(a) => run_verify(a),
        Command::Explain(a) => run_explain(a),
        Command::Send(a) => send::run(a).map_err(Usage),
    };
    match result {
        Ok(code) => code,
        Err(Usage(msg)) => {
            eprintln!("hookseal: {msg}");
            ExitCode::from(2)
        }
    }
}
