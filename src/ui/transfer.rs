//! Export and import of conversations in the window (issue 14, part 4):
//! Export… in a conversation's menu, Export All… and Import
//! Conversations… in the main menu.
//!
//! The work is `valechat_core::transfer`'s, the same as
//! `valechat history export|import`: [`export`] asks for a file and a
//! format in a native save dialog and writes off the main loop;
//! [`import`] is the Import Conversations window, which streams the file
//! into the store with a progress bar and ends with the import's summary.

pub mod export;
pub mod import;
