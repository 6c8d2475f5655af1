//! The store area: the SQLite store against real database files, and API
//! keys in the real Secret Service.
//!
//! `database` covers migrations, round trips, reopening, corruption and
//! backups; `favourites` favourite models; `roots` the workspace folders of
//! conversations; `secrets` the keyring (needs `tests/run-in-session.sh`).

#[path = "store/database.rs"]
mod database;
#[path = "store/favourites.rs"]
mod favourites;
#[path = "store/roots.rs"]
mod roots;
#[path = "store/secrets.rs"]
mod secrets;
