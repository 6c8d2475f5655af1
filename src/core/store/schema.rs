//! Diesel table definitions matching `migrations/` (see `diesel.toml`).
//!
//! Generated once with `diesel print-schema`, then edited by hand: integer
//! primary keys are read as `BigInt` (`i64`) and the FTS5 table
//! `messages_fts` is left out (search runs raw SQL in `search.rs`).

diesel::table! {
    /// Configured model providers (never their keys).
    providers (id) {
        /// Slug of the name.
        id -> Text,
        /// Display name.
        name -> Text,
        /// Wire protocol.
        kind -> Text,
        /// Endpoint root.
        base_url -> Text,
        /// Whether the keyring holds a key.
        has_api_key -> Bool,
        /// Model used for new conversations.
        default_model -> Nullable<Text>,
        /// Whether the provider is offered.
        enabled -> Bool,
        /// UTC unix milliseconds.
        created_at -> BigInt,
        /// UTC unix milliseconds.
        updated_at -> BigInt,
    }
}

diesel::table! {
    /// Conversations shown in the sidebar.
    conversations (id) {
        /// Row id.
        id -> BigInt,
        /// Title.
        title -> Text,
        /// Provider chosen for the conversation.
        provider_id -> Nullable<Text>,
        /// Model chosen for the conversation.
        model -> Nullable<Text>,
        /// System prompt.
        system_prompt -> Nullable<Text>,
        /// Sampling temperature (0.0–2.0); NULL: the server's default.
        temperature -> Nullable<Float>,
        /// Upper bound on output tokens; NULL: the server's default.
        max_output_tokens -> Nullable<BigInt>,
        /// UTC unix milliseconds.
        created_at -> BigInt,
        /// UTC unix milliseconds.
        updated_at -> BigInt,
    }
}

diesel::table! {
    /// Messages of every conversation.
    messages (id) {
        /// Row id.
        id -> BigInt,
        /// Owning conversation.
        conversation_id -> BigInt,
        /// `system` | `user` | `assistant`.
        role -> Text,
        /// Text as written.
        content -> Text,
        /// Reasoning text, empty when none.
        reasoning -> Text,
        /// `complete` | `streaming` | `incomplete` | `failed`.
        status -> Text,
        /// Provider that wrote it.
        provider_id -> Nullable<Text>,
        /// Model that wrote it.
        model -> Nullable<Text>,
        /// Normalised finish reason.
        finish_reason -> Nullable<Text>,
        /// Error text of a failed message.
        error -> Nullable<Text>,
        /// Provider-reported input tokens.
        input_tokens -> Nullable<BigInt>,
        /// Provider-reported output tokens.
        output_tokens -> Nullable<BigInt>,
        /// UTC unix milliseconds.
        created_at -> BigInt,
        /// UTC unix milliseconds.
        updated_at -> BigInt,
    }
}

diesel::table! {
    /// Models marked as favourites in the model picker.
    model_favourites (provider_id, model) {
        /// Provider offering the model.
        provider_id -> Text,
        /// Model id as the server names it.
        model -> Text,
        /// UTC unix milliseconds.
        created_at -> BigInt,
    }
}

diesel::joinable!(conversations -> providers (provider_id));
diesel::joinable!(model_favourites -> providers (provider_id));
diesel::joinable!(messages -> conversations (conversation_id));

diesel::table! {
    /// Configured MCP servers.
    mcp_servers (id) {
        /// Slug id.
        id -> Text,
        /// Display name.
        name -> Text,
        /// Transport as tagged JSON.
        transport -> Text,
        /// Started at launch.
        enabled -> Bool,
        /// Cached protocol version, NULL: probe.
        era -> Nullable<Text>,
        /// UTC unix milliseconds.
        created_at -> BigInt,
        /// UTC unix milliseconds.
        updated_at -> BigInt,
    }
}

diesel::allow_tables_to_appear_in_same_query!(
    providers,
    conversations,
    messages,
    model_favourites,
    mcp_servers
);
