//! `valechat prices list|show|set|remove`: the user's model prices, shared
//! with the window (Preferences → Billing). Prices are USD per million
//! tokens, as the providers' price pages give them.

use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::Subcommand;
use rust_decimal::Decimal;

use valechat_core::billing::{ModelPrice, PriceOrigin};
use valechat_core::chat::Engine;

/// Prices subcommands.
#[derive(Debug, Subcommand)]
pub enum PricesCommand {
    /// List the prices you set (with --shipped, also the shipped table).
    List {
        /// Only this provider's prices (a provider id, or a namespace of
        /// the shipped table such as "openai").
        #[arg(long)]
        provider: Option<String>,
        /// Include the prices shipped with ValeChat.
        #[arg(long)]
        shipped: bool,
    },
    /// Show the price a model is billed at, and where it comes from.
    Show {
        /// Provider id (see `providers list`).
        #[arg(long)]
        provider: String,
        /// Model id as the server names it.
        #[arg(long)]
        model: String,
    },
    /// Set (or override) a model's price from now on.
    Set {
        /// Provider id (see `providers list`).
        #[arg(long)]
        provider: String,
        /// Model id as the server names it.
        #[arg(long)]
        model: String,
        /// Input price, USD per million tokens, e.g. 2.50.
        #[arg(long)]
        input: Decimal,
        /// Output price, USD per million tokens, e.g. 10.
        #[arg(long)]
        output: Decimal,
    },
    /// Remove your prices of a model (the shipped or assumed price, if
    /// any, applies again).
    Remove {
        /// Provider id.
        #[arg(long)]
        provider: String,
        /// Model id.
        #[arg(long)]
        model: String,
    },
}

/// Runs a prices subcommand.
pub async fn run(engine: &Engine, command: PricesCommand) -> anyhow::Result<ExitCode> {
    let store = engine.store();
    match command {
        PricesCommand::List { provider, shipped } => {
            println!("PROVIDER\tMODEL\tINPUT USD/1M\tOUTPUT USD/1M\tORIGIN\tFROM");
            for row in store.list_prices(provider.as_deref()).await? {
                if row.origin != PriceOrigin::User && !shipped {
                    continue;
                }
                let per_million = row.price.per_million();
                let from = chrono::DateTime::from_timestamp_millis(row.effective_from)
                    .map_or_else(|| row.effective_from.to_string(), |t| t.to_rfc3339());
                println!(
                    "{}\t{}\t{}\t{}\t{}\t{from}",
                    row.provider,
                    row.model,
                    per_million.input.normalize(),
                    per_million.output.normalize(),
                    row.origin.as_str(),
                );
            }
        }
        PricesCommand::Show { provider, model } => {
            let stored = store
                .get_provider(&provider)
                .await?
                .with_context(|| format!("no provider with id “{provider}”"))?;
            match engine.model_price(&stored, &model).await? {
                Some((price, origin)) => {
                    let per_million = price.per_million();
                    println!("INPUT USD/1M\tOUTPUT USD/1M\tORIGIN");
                    println!(
                        "{}\t{}\t{}",
                        per_million.input.normalize(),
                        per_million.output.normalize(),
                        origin.as_str()
                    );
                }
                None => bail!(
                    "no price is known for “{model}” at “{provider}”; set one with `valechat prices set`"
                ),
            }
        }
        PricesCommand::Set {
            provider,
            model,
            input,
            output,
        } => {
            if input < Decimal::ZERO || output < Decimal::ZERO {
                bail!("a price cannot be negative");
            }
            if model.trim().is_empty() {
                bail!("the model cannot be empty");
            }
            if store.get_provider(&provider).await?.is_none() {
                bail!("no provider with id “{provider}” (see `valechat providers list`)");
            }
            let now = chrono::Utc::now().timestamp_millis();
            let price = ModelPrice::from_per_million(input, output);
            store
                .set_user_price(&provider, model.trim(), price, now)
                .await?;
        }
        PricesCommand::Remove { provider, model } => {
            if store.remove_user_price(&provider, &model).await? == 0 {
                bail!("you set no price for “{model}” at “{provider}”");
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
