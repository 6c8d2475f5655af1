//! ValeChat's engine served to other programs (DESIGN.md, "Serving the
//! engine"): the MCP server mode (`valechat mcp serve`).

pub mod mcp;
