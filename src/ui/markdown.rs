//! Markdown rendering for the conversation view.
//!
//! [`blocks`] and [`pango`] are pure: markdown text → [`Block`]s whose text is
//! Pango markup. [`MarkdownView`] draws those blocks with GTK labels, grids
//! and [`CodeBlock`]s, and updates incrementally while a reply streams.
//!
//! ```text
//! MarkdownView (vertical gtk::Box, .md-view)
//! ├─ gtk::Label             heading (.title-1 … .title-4, .heading) / paragraph
//! ├─ gtk::Box .md-list      one row per item: bullet label + nested blocks
//! ├─ gtk::Box .md-quote     nested blocks
//! ├─ CodeBlock .md-code     header (language, Copy) + sourceview5::View
//! ├─ gtk::Grid .md-table    header row in bold, then body cells
//! └─ gtk::Separator         thematic break
//! ```

pub mod blocks;
pub mod code_block;
pub mod pango;
pub mod view;

pub use blocks::{Block, ListItem, parse};
pub use code_block::CodeBlock;
pub use view::MarkdownView;
