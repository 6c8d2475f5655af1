//! The store area: the SQLite store against real database files, and API
//! keys in the real Secret Service.
//!
//! `database` covers migrations, round trips, reopening, corruption and
//! backups; `drafts` the composer's drafts per conversation;
//! `assistants` saved assistants and the assistant a conversation started
//! from; `conversation_servers` a conversation's own MCP servers and the
//! way back to every enabled server; `favourites` favourite models;
//! `local_models` the model library (import by copy or reference, GGUF
//! metadata, removal, bad files);
//! `organise` pin, archive and folders; `opening` opening a database safely
//! (permissions, newer databases, one opener at a time); `pages`
//! conversations read a page at a time; `roots` the workspace folders of
//! conversations; `round_trip` the ValeChat JSON export imported back,
//! every row compared, and `round_trip_settings` its settings imported
//! where other MCP servers are configured and as a version 1 file;
//! `search` search results (snippets grouped by
//! conversation, filters, pages); `search_paging` paging past the ranked
//! matches to every match; `search_words` the last word expanded into
//! the words it starts; `secrets` the keyring (needs `tests/run-in-session.sh`);
//! `tree` messages as a tree (paths, siblings, switching and deleting
//! branches); `migration_tree` a database of the version before the tree
//! (`tests/fixtures/db-8595b87/`) opened and migrated; `migration_search`
//! the search index made again with prefix indexes on older databases;
//! `migration_local_ids` the model library's row numbers replaced by
//! readable ids wherever a model on this computer is named.

#[path = "store/assistants.rs"]
mod assistants;
#[path = "store/conversation_servers.rs"]
mod conversation_servers;
#[path = "store/database.rs"]
mod database;
#[path = "store/drafts.rs"]
mod drafts;
#[path = "store/favourites.rs"]
mod favourites;
#[path = "store/import.rs"]
mod import;
#[path = "store/local_models.rs"]
mod local_models;
#[path = "store/migration_local_ids.rs"]
mod migration_local_ids;
#[path = "store/migration_search.rs"]
mod migration_search;
#[path = "store/migration_tree.rs"]
mod migration_tree;
#[path = "store/opening.rs"]
mod opening;
#[path = "store/organise.rs"]
mod organise;
#[path = "store/pages.rs"]
mod pages;
#[path = "store/roots.rs"]
mod roots;
#[path = "store/round_trip.rs"]
mod round_trip;
#[path = "store/round_trip_settings.rs"]
mod round_trip_settings;
#[path = "store/search.rs"]
mod search;
#[path = "store/search_paging.rs"]
mod search_paging;
#[path = "store/search_words.rs"]
mod search_words;
#[path = "store/secrets.rs"]
mod secrets;
#[path = "store/sqlite.rs"]
mod sqlite;
#[path = "store/tree.rs"]
mod tree;
