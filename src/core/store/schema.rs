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

diesel::table! {
    /// Tool calls the model made, one row per call, in the order made.
    tool_calls (id) {
        /// Row id.
        id -> BigInt,
        /// The assistant message that asked for the call.
        message_id -> BigInt,
        /// Order among that message's calls, from 0.
        position -> Integer,
        /// Provider's call id.
        call_id -> Text,
        /// Name the model used.
        name -> Text,
        /// MCP server id.
        server_id -> Nullable<Text>,
        /// The server's own tool name.
        tool_name -> Nullable<Text>,
        /// Arguments, JSON text.
        arguments -> Text,
        /// `pending` | `denied` | `running` | `succeeded` | `failed` | `cancelled`.
        status -> Text,
        /// Full result for the user, JSON text.
        result -> Nullable<Text>,
        /// Text sent back to the model.
        result_for_model -> Nullable<Text>,
        /// The tool reported an error.
        is_error -> Bool,
        /// UTC unix milliseconds.
        created_at -> BigInt,
        /// Wall time of the call, milliseconds.
        duration_ms -> Nullable<BigInt>,
    }
}

diesel::table! {
    /// Standing "Always allow" permissions for tools.
    tool_permissions (server_binding, tool_name) {
        /// The server's command line or URL.
        server_binding -> Text,
        /// The server's own tool name.
        tool_name -> Text,
        /// sha256 of the tool definition when allowed.
        definition_hash -> Text,
        /// UTC unix milliseconds.
        created_at -> BigInt,
    }
}

diesel::joinable!(conversations -> providers (provider_id));
diesel::joinable!(model_favourites -> providers (provider_id));
diesel::joinable!(messages -> conversations (conversation_id));
diesel::joinable!(tool_calls -> messages (message_id));

diesel::allow_tables_to_appear_in_same_query!(
    providers,
    conversations,
    messages,
    model_favourites,
    tool_calls,
    tool_permissions,
    model_prices,
    attachments,
);

diesel::table! {
    /// Model prices, USD per token as decimal text: shipped and the user's own.
    model_prices (id) {
        /// Row id.
        id -> BigInt,
        /// Namespace of a shipped price (`openai`) or provider id of a user price.
        provider -> Text,
        /// Model id as the server names it.
        model -> Text,
        /// From when the price applies, UTC unix milliseconds.
        effective_from -> BigInt,
        /// Input price per token.
        input -> Text,
        /// Output price per token.
        output -> Text,
        /// Cache read price per token.
        cache_read -> Nullable<Text>,
        /// Cache write price per token.
        cache_write -> Nullable<Text>,
        /// Reasoning price per token.
        reasoning -> Nullable<Text>,
        /// Input price per token above 200k input tokens.
        input_above_200k -> Nullable<Text>,
        /// Output price per token above 200k input tokens.
        output_above_200k -> Nullable<Text>,
        /// Cache read price per token above 200k input tokens.
        cache_read_above_200k -> Nullable<Text>,
        /// Cache write price per token above 200k input tokens.
        cache_write_above_200k -> Nullable<Text>,
        /// Context window, tokens.
        max_input_tokens -> Nullable<BigInt>,
        /// Output limit, tokens.
        max_output_tokens -> Nullable<BigInt>,
        /// `shipped` | `user`.
        origin -> Text,
        /// UTC unix milliseconds.
        created_at -> BigInt,
    }
}

diesel::table! {
    /// Images attached to user messages; rows go with their message.
    attachments (id) {
        /// Row id.
        id -> BigInt,
        /// The user message the image belongs to.
        message_id -> BigInt,
        /// Order among that message's images, from 0.
        position -> Integer,
        /// File name shown to the user.
        name -> Text,
        /// Sniffed MIME type (`image/png`…).
        mime_type -> Text,
        /// The image file.
        data -> Binary,
        /// UTC unix milliseconds.
        created_at -> BigInt,
    }
}

diesel::joinable!(attachments -> messages (message_id));
