//! The engine: everything ValeChat does that is not drawing widgets.
//!
//! Nothing here imports gtk, adw, relm4, glib or gio (DESIGN.md, Layers): the
//! GUI, the CLI and the MCP-server mode all drive this code, and its tests run
//! without a display.

pub mod billing;
pub mod chat;
pub mod ledger;
pub mod mcp;
pub mod paths;
pub mod provider;
pub mod secrets;
pub mod store;
