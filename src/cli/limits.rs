//! `valechat limits list|set|remove`: spending limits shared with the
//! window (Preferences → Billing).

use std::process::ExitCode;

use anyhow::bail;
use chrono::Local;
use clap::{Subcommand, ValueEnum};
use rust_decimal::Decimal;

use valechat_core::chat::Engine;
use valechat_core::ledger::{LimitScope, NewLimit, format_thresholds, parse_thresholds};

/// Limits subcommands.
#[derive(Debug, Subcommand)]
pub enum LimitsCommand {
    /// List limits with what is spent in their current period.
    List,
    /// Set the limit of a scope (and target), replacing an existing one.
    Set {
        /// What the limit covers.
        #[arg(long, value_enum)]
        scope: ScopeArg,
        /// Provider id, "provider/model", or conversation id (not for global scopes).
        #[arg(long)]
        target: Option<String>,
        /// Amount in USD per period, e.g. 5.00.
        #[arg(long)]
        amount: Decimal,
        /// Only warn instead of refusing requests.
        #[arg(long)]
        soft: bool,
        /// Alert thresholds in percent.
        #[arg(long, default_value = "50,80,100")]
        thresholds: String,
    },
    /// Remove a limit by id (see `limits list`).
    Remove {
        /// Limit id.
        id: i64,
    },
}

/// `--scope` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ScopeArg {
    /// Everything, per local day.
    GlobalDay,
    /// Everything, per local month.
    GlobalMonth,
    /// One provider, per local month.
    Provider,
    /// One provider/model, per local month.
    Model,
    /// One conversation, in total.
    Conversation,
}

impl From<ScopeArg> for LimitScope {
    fn from(scope: ScopeArg) -> Self {
        match scope {
            ScopeArg::GlobalDay => Self::GlobalDay,
            ScopeArg::GlobalMonth => Self::GlobalMonth,
            ScopeArg::Provider => Self::ProviderMonth,
            ScopeArg::Model => Self::ModelMonth,
            ScopeArg::Conversation => Self::Conversation,
        }
    }
}

/// Runs a limits subcommand.
pub async fn run(engine: &Engine, command: LimitsCommand) -> anyhow::Result<ExitCode> {
    let store = engine.store();
    match command {
        LimitsCommand::List => {
            let now = chrono::Utc::now().timestamp_millis();
            println!("ID\tSCOPE\tTARGET\tAMOUNT USD\tKIND\tTHRESHOLDS\tPERIOD\tSPENT USD\tUSED");
            for status in store.limit_status(now, &Local).await? {
                let limit = &status.usage.limit;
                let percent = (status.fraction * Decimal::ONE_HUNDRED).round_dp(1);
                println!(
                    "{}\t{}\t{}\t{}\t{}{}\t{}\t{}\t{}\t{percent}%",
                    limit.id,
                    limit.scope,
                    limit.target.as_deref().unwrap_or("-"),
                    limit.amount_usd,
                    if limit.hard { "hard" } else { "soft" },
                    if limit.enabled { "" } else { " (disabled)" },
                    format_thresholds(&limit.thresholds),
                    status.usage.period.key,
                    status.usage.spent,
                );
            }
        }
        LimitsCommand::Set {
            scope,
            target,
            amount,
            soft,
            thresholds,
        } => {
            let limit = store
                .set_limit(NewLimit {
                    scope: scope.into(),
                    target,
                    amount_usd: amount,
                    hard: !soft,
                    thresholds: parse_thresholds(&thresholds)?,
                    enabled: true,
                })
                .await?;
            println!("{}", limit.id);
        }
        LimitsCommand::Remove { id } => {
            if !store.delete_limit(id).await? {
                bail!("no spending limit with id {id}");
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
