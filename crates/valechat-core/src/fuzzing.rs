//! Entry points for the fuzz targets (`fuzz/`, the `valechat-fuzz` crate)
//! that the engine does not otherwise make public. Hidden from the
//! documentation: not an API for front ends, and nothing here behaves
//! differently from the code the engine runs.

pub use crate::mcp::connection::stdout::{BoundedStdout, Overflow, transport as stdio_transport};
pub use crate::mcp::oauth::callback::{
    Callback, judge as oauth_callback_judge, page as oauth_callback_page,
};
