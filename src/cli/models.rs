//! `valechat models list|import|download|remove|info|load|loaded|unload|embed`:
//! the model library, the GGUF files ValeChat runs on this computer (issue
//! 16). A provider's models are `valechat providers models ID`.

mod download;
mod embed;
mod running;
mod runtime;
mod show;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::bail;
use clap::{Subcommand, ValueEnum};

use valechat_core::chat::Engine;
use valechat_core::local::library::{self, ImportMode};
use valechat_core::paths;
use valechat_core::store::{LocalModel, Store};

/// Models subcommands.
#[derive(Debug, Subcommand)]
pub enum ModelsCommand {
    /// List the models on this computer.
    List {
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Add a GGUF model file: copied into ValeChat's models folder (the
    /// default), or used where it is with --reference.
    Import {
        /// The .gguf file.
        path: PathBuf,
        /// Copy the file into ValeChat's models folder (the default).
        #[arg(long, conflicts_with = "reference")]
        copy: bool,
        /// Use the file where it is (it must stay there; removing the
        /// model from the library never deletes it).
        #[arg(long)]
        reference: bool,
    },
    /// Download a GGUF file from Hugging Face (REPO FILE, or the file's
    /// URL), checked against the SHA-256 the repository lists. An
    /// interrupted download (a cut, Ctrl+C, a full disk) resumes when run
    /// again. The hub is $VALECHAT_HF_ENDPOINT, else https://huggingface.co.
    Download {
        /// `owner/name`, or the file's URL
        /// (https://huggingface.co/OWNER/NAME/resolve/REVISION/FILE).
        repo_or_url: String,
        /// The file in the repository (not with a URL).
        file: Option<String>,
        /// Branch, tag or commit (not with a URL).
        #[arg(long, default_value = "main")]
        revision: String,
    },
    /// Remove a model from the library: a copied or downloaded file is
    /// deleted, a referenced one is left where it is.
    Remove {
        /// The model's id (see `models list`).
        id: String,
        /// Remove without asking for confirmation.
        #[arg(long)]
        yes: bool,
    },
    /// Show a model's metadata and the memory it needs, or with
    /// --hardware what llama.cpp can use on this computer.
    Info {
        /// The model's id (see `models list`).
        #[arg(required_unless_present = "hardware")]
        id: Option<String>,
        /// CPU features, threads, GPU back ends and devices, instead of a model.
        #[arg(long, conflicts_with_all = ["id", "context"])]
        hardware: bool,
        /// Context length for the memory estimate, tokens (default: the
        /// model's own).
        #[arg(long)]
        context: Option<u64>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Load a model in a runner of this command: checks that it fits in
    /// memory and loads, and says what it took (the window keeps the
    /// models it uses loaded until they are idle).
    Load {
        /// The model's id (see `models list`).
        id: String,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// The models the running ValeChat window keeps loaded: memory, context,
    /// when loaded and last used.
    Loaded {
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Unload a model the running ValeChat window keeps loaded, freeing its
    /// memory (a later reply loads it again).
    Unload {
        /// The model's id (see `models loaded`).
        id: String,
    },
    /// Embeddings of texts by a model: a model on this computer (an
    /// embedding GGUF: one unit-length vector per text, mean pooling,
    /// L2-normalised), or with --provider a provider's embeddings API,
    /// billed and held to the spending limits like chat.
    Embed {
        /// The model's id (see `models list`), or with --provider the model
        /// as the provider names it (`text-embedding-3-small`).
        id: String,
        /// Embed through this configured provider's API (OpenAI-compatible,
        /// Gemini, Ollama) instead of a model on this computer.
        #[arg(long)]
        provider: Option<String>,
        /// The texts, one vector each.
        #[arg(required = true)]
        texts: Vec<String>,
        /// Output format (table: the first values of each vector).
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// The curated small instruct models to download, with their size and
    /// the memory they need at 4,096 tokens.
    Catalog {
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
}

/// Output format of `list`, `info` and `catalog`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Columns (list) or lines (info) for people.
    Table,
    /// JSON: sizes in bytes, numbers as numbers.
    Json,
}

/// Runs a models subcommand.
pub async fn run(engine: &Engine, command: ModelsCommand) -> anyhow::Result<ExitCode> {
    let store = engine.store();
    match command {
        ModelsCommand::List { format } => show::list(&store.local_models().await?, format)?,
        ModelsCommand::Import {
            path,
            copy: _,
            reference,
        } => {
            let mode = if reference {
                ImportMode::Reference
            } else {
                ImportMode::Copy
            };
            let model = library::import(store, &path, mode, &paths::models_dir()?).await?;
            println!(
                "Imported model {} “{}” ({}, {}, {}) {}",
                model.model_id,
                model.display_name(),
                model.metadata.architecture,
                show::parameters(model.metadata.parameters),
                model.metadata.quantization,
                match mode {
                    ImportMode::Copy => format!("as {}", model.path.display()),
                    ImportMode::Reference => format!("from {}", model.path.display()),
                }
            );
        }
        ModelsCommand::Download {
            repo_or_url,
            file,
            revision,
        } => return download::run(store, &repo_or_url, file.as_deref(), &revision).await,
        ModelsCommand::Remove { id, yes } => {
            let model = library_model(store, &id).await?;
            let fate = if model.origin.owns_file() {
                format!("deletes {}", model.path.display())
            } else {
                format!("leaves {} where it is", model.path.display())
            };
            if !yes {
                println!("Removing model {id} “{}” {fate}.", model.display_name());
                println!("Run `valechat models remove {id} --yes` to remove it.");
                return Ok(ExitCode::SUCCESS);
            }
            library::remove(store, model.id).await?;
            let what = if model.origin.owns_file() {
                "file deleted"
            } else {
                "file kept"
            };
            println!("Removed model {id} “{}” ({what}).", model.display_name());
        }
        ModelsCommand::Info {
            hardware: true,
            format,
            ..
        } => runtime::hardware(engine, format).await?,
        ModelsCommand::Load { id, format } => runtime::load(engine, &id, format).await?,
        ModelsCommand::Loaded { format } => return running::loaded(format).await,
        ModelsCommand::Unload { id } => return running::unload(&id).await,
        ModelsCommand::Embed {
            id,
            provider: None,
            texts,
            format,
        } => {
            embed::run(engine, &id, &texts, format).await?;
        }
        ModelsCommand::Embed {
            id,
            provider: Some(provider),
            texts,
            format,
        } => {
            embed::with_provider(engine, &provider, &id, texts, format).await?;
        }
        ModelsCommand::Info {
            id,
            context,
            format,
            ..
        } => {
            let Some(id) = id else {
                bail!("give a model id (see `valechat models list`) or --hardware");
            };
            show::info(&library_model(store, &id).await?, context, format)?;
        }
        ModelsCommand::Catalog { format } => show::catalog(format)?,
    }
    Ok(ExitCode::SUCCESS)
}

/// The library's model `id` ([`LocalModel::model_id`]).
///
/// # Errors
/// When the library has no such model (naming `valechat models list`), or
/// the database fails.
async fn library_model(store: &Store, id: &str) -> anyhow::Result<LocalModel> {
    match store.local_model_by_model_id(id).await? {
        Some(model) => Ok(model),
        None => bail!("no model {id} in the library (see `valechat models list`)"),
    }
}
