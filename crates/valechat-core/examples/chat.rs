//! `valechat-core` used on its own: add a provider, stream a reply, read
//! what it cost.
//!
//! ```sh
//! cargo run -p valechat-core --example chat -- http://localhost:11434/v1 llama3.2 "Why is the sky blue?"
//! ```
//!
//! Arguments: the base URL of an OpenAI-compatible server (OpenAI, Ollama's
//! `/v1`, LM Studio, llama.cpp's server…), a model id and a prompt. The API
//! key, if the server needs one, comes from the environment variable
//! `EXAMPLE_API_KEY`. The conversation is stored in a fresh SQLite database
//! in a temporary directory, and the key in memory only (a real front end
//! passes the system keyring, `valechat_core::secrets`).

use std::io::Write;
use std::process::ExitCode;
use std::sync::Arc;

use valechat_core::chat::{
    ConversationTarget, Engine, NewConversationRequest, SendRequest, TurnEvent, UserInput,
};
use valechat_core::format::format_usd;
use valechat_core::provider::ProtocolKind;
use valechat_core::secrets::MemoryKeyStore;
use valechat_core::store::Store;

#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [base_url, model, prompt] = args.as_slice() else {
        eprintln!("usage: chat BASE_URL MODEL PROMPT");
        return ExitCode::from(2);
    };
    match run(base_url, model, prompt).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("chat: {error}");
            ExitCode::FAILURE
        }
    }
}

async fn run(base_url: &str, model: &str, prompt: &str) -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::temp_dir().join(format!("valechat-example-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let store = Store::open(&dir.join("valechat.db")).await?;
    let engine = Engine::new(store, Arc::new(MemoryKeyStore::new()));

    // A provider: its configuration goes to the store, its key to the key store.
    let key = std::env::var("EXAMPLE_API_KEY").ok();
    let provider = engine
        .providers()
        .add(
            ProtocolKind::OpenAiCompatible,
            "Example",
            base_url,
            key.as_deref(),
        )
        .await?;

    // One request: a new conversation with that provider and model.
    let request = SendRequest::new(
        ConversationTarget::New(NewConversationRequest::with_model(provider.id, model)),
        UserInput::text(prompt),
    );
    let mut turn = engine.send(request).await?;
    let mut cost = rust_decimal::Decimal::ZERO;
    let mut tokens = (0, 0);
    while let Some(event) = turn.next().await {
        match event {
            TurnEvent::TextDelta(text) => {
                print!("{text}");
                std::io::stdout().flush()?;
            }
            // One usage record per provider request, with its cost in USD.
            TurnEvent::UsageRecorded(record) => {
                cost += record.cost_usd;
                tokens.0 += record.tokens.input;
                tokens.1 += record.tokens.output;
            }
            TurnEvent::Finished(_) => println!(),
            TurnEvent::Failed { error, .. } => return Err(error.to_string().into()),
            _ => {}
        }
    }
    eprintln!(
        "{} input and {} output tokens, {}",
        tokens.0,
        tokens.1,
        format_usd(cost)
    );
    std::fs::remove_dir_all(&dir)?;
    Ok(())
}
