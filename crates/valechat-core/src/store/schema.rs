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
        /// Last message of the branch shown (the active path ends here);
        /// NULL while the conversation has no message.
        active_leaf_id -> Nullable<BigInt>,
        /// Format an imported conversation came from (`chatgpt`, `claude`,
        /// `open_webui`, `valechat`); NULL when made here.
        source -> Nullable<Text>,
        /// The conversation's id in that source; NULL when made here.
        source_id -> Nullable<Text>,
        /// Listed first in the sidebar.
        pinned -> Bool,
        /// Hidden from the sidebar unless archived conversations are asked for.
        archived -> Bool,
        /// The folder it is filed in (`folders.id`); NULL: none.
        folder_id -> Nullable<BigInt>,
        /// Nucleus sampling threshold, (0, 1]; NULL: the server's default.
        top_p -> Nullable<Float>,
        /// Sample among the k likeliest tokens (>= 1); NULL: the default.
        top_k -> Nullable<Integer>,
        /// Minimum probability relative to the likeliest token; NULL: default.
        min_p -> Nullable<Float>,
        /// Penalty on repeated tokens (1.0: none); NULL: the default.
        repeat_penalty -> Nullable<Float>,
        /// Random seed (0 .. 2^32 - 1); NULL: none.
        seed -> Nullable<BigInt>,
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
        /// The message this one answers or follows; NULL for a conversation's
        /// first message (issue 14: messages form a tree).
        parent_id -> Nullable<BigInt>,
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
        /// Opaque provider data sent back with the call (Gemini `thoughtSignature`).
        provider_data -> Nullable<Text>,
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
diesel::joinable!(attachments -> messages (message_id));
diesel::joinable!(provider_timeouts -> providers (provider_id));

diesel::allow_tables_to_appear_in_same_query!(
    providers,
    conversations,
    messages,
    model_favourites,
    tool_calls,
    tool_permissions,
    model_prices,
    usage_records,
    spending_limits,
    limit_alerts,
    spending_reservations,
    mcp_servers,
    attachments,
    provider_rate_limits,
    provider_timeouts,
    conversation_roots,
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
    /// One row per provider request (issue 5's usage meter).
    usage_records (id) {
        /// Row id.
        id -> BigInt,
        /// Unique per provider request.
        request_id -> Text,
        /// Provider id.
        provider_id -> Text,
        /// Model id as the server names it.
        model -> Text,
        /// Conversation, NULL once deleted.
        conversation_id -> Nullable<BigInt>,
        /// Assistant message, NULL once deleted.
        message_id -> Nullable<BigInt>,
        /// UTC unix milliseconds.
        created_at -> BigInt,
        /// Provider-reported input tokens.
        input_tokens -> BigInt,
        /// Provider-reported output tokens.
        output_tokens -> BigInt,
        /// Cache read tokens.
        cache_read_tokens -> BigInt,
        /// Cache write tokens.
        cache_write_tokens -> BigInt,
        /// Reasoning tokens.
        reasoning_tokens -> BigInt,
        /// Independent input count.
        counted_input_tokens -> Nullable<BigInt>,
        /// `agrees` | `differs` | `unverifiable` | `estimated`.
        verification -> Text,
        /// Exact decimal USD.
        cost_usd -> Text,
        /// `actual` | `estimated` | `free`.
        cost_source -> Text,
        /// `completed` | `cancelled` | `failed` | `cut_off`.
        outcome -> Text,
        /// Who asked, for a request from outside the window: `mcp:<client
        /// name>`, `api:<user agent>`, `ws:<client>`; NULL for the window's
        /// and the CLI's own.
        client -> Nullable<Text>,
    }
}

diesel::table! {
    /// Spending limits.
    spending_limits (id) {
        /// Row id.
        id -> BigInt,
        /// `global_day` | `global_month` | `provider_month` | `model_month` | `conversation`.
        scope -> Text,
        /// Provider id, `provider/model` or conversation id; NULL for global scopes.
        target -> Nullable<Text>,
        /// Exact decimal USD.
        amount_usd -> Text,
        /// Hard (refuse) or soft (warn).
        hard -> Bool,
        /// Alert percentages, `"50,80,100"`.
        thresholds -> Text,
        /// Whether the limit is checked.
        enabled -> Bool,
        /// UTC unix milliseconds.
        created_at -> BigInt,
        /// UTC unix milliseconds.
        updated_at -> BigInt,
    }
}

diesel::table! {
    /// Thresholds already announced per limit and period.
    limit_alerts (limit_id, threshold, period_key) {
        /// Limit.
        limit_id -> BigInt,
        /// Percent.
        threshold -> Integer,
        /// `2026-11-22`, `2026-11` or `total`.
        period_key -> Text,
        /// UTC unix milliseconds.
        raised_at -> BigInt,
    }
}

diesel::table! {
    /// Worst-case amounts held by requests in flight.
    spending_reservations (id) {
        /// Row id.
        id -> BigInt,
        /// Provider request id.
        request_id -> Text,
        /// Provider id.
        provider_id -> Text,
        /// Model id.
        model -> Text,
        /// Conversation, if any.
        conversation_id -> Nullable<BigInt>,
        /// Exact decimal USD.
        amount_usd -> Text,
        /// UTC unix milliseconds.
        created_at -> BigInt,
        /// The assistant message the request writes, once stored.
        message_id -> Nullable<BigInt>,
        /// ValeChat's count of the request's input tokens.
        input_tokens -> Nullable<BigInt>,
        /// Left over by a process that is gone (set at start-up).
        interrupted -> Bool,
    }
}

diesel::joinable!(limit_alerts -> spending_limits (limit_id));

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
        /// Sandbox and resource limits as JSON (`SandboxSettings`), NULL: off.
        sandbox -> Nullable<Text>,
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
        /// The image file; a resource's blob (empty for a text resource).
        data -> Binary,
        /// UTC unix milliseconds.
        created_at -> BigInt,
        /// `image` or `resource` (migration 2026-12-04).
        kind -> Text,
        /// A resource's URI.
        uri -> Nullable<Text>,
        /// The MCP server a resource was read from.
        server_id -> Nullable<Text>,
        /// A text resource's contents.
        text -> Nullable<Text>,
    }
}

diesel::table! {
    /// Requests and tokens per minute a provider accepts.
    provider_rate_limits (provider_id) {
        /// The provider.
        provider_id -> Text,
        /// Requests started per minute.
        requests_per_minute -> Nullable<Integer>,
        /// Input plus output tokens per minute.
        tokens_per_minute -> Nullable<BigInt>,
        /// UTC unix milliseconds.
        updated_at -> BigInt,
    }
}

diesel::table! {
    /// Per-provider timeouts; a provider without a row uses the defaults.
    provider_timeouts (provider_id) {
        /// The provider (`providers.id`); the row goes with it.
        provider_id -> Text,
        /// Connect timeout, milliseconds.
        connect_ms -> BigInt,
        /// First-byte timeout, milliseconds.
        first_byte_ms -> BigInt,
        /// Idle timeout between stream pieces, milliseconds.
        idle_ms -> BigInt,
        /// UTC unix milliseconds.
        updated_at -> BigInt,
    }
}

diesel::table! {
    /// The engine's tool bounds (at most one row, `id = 1`); without it the
    /// defaults apply.
    tool_limits (id) {
        /// Always 1.
        id -> Integer,
        /// Model requests per turn that may end in tool calls.
        max_rounds -> Integer,
        /// Characters of one tool result sent to the model.
        max_result_chars -> Integer,
        /// UTC unix milliseconds.
        updated_at -> BigInt,
    }
}

diesel::table! {
    /// Workspace folders of a conversation (MCP roots); rows go with their
    /// conversation.
    conversation_roots (id) {
        /// Row id.
        id -> BigInt,
        /// The conversation (`conversations.id`).
        conversation_id -> BigInt,
        /// Absolute local path of the folder.
        path -> Text,
        /// Name shown to the user and to servers.
        name -> Text,
        /// Order among the conversation's folders, from 0.
        position -> Integer,
        /// UTC unix milliseconds.
        created_at -> BigInt,
    }
}

diesel::joinable!(conversation_roots -> conversations (conversation_id));

diesel::table! {
    /// The composer's text kept per conversation (at most one row with no
    /// conversation: the new conversation's draft); rows go with their
    /// conversation.
    drafts (id) {
        /// Row id.
        id -> BigInt,
        /// The conversation (`conversations.id`); `None` for the new
        /// conversation not yet sent.
        conversation_id -> Nullable<BigInt>,
        /// The draft's text, never empty.
        text -> Text,
        /// When it was last written, UTC unix milliseconds.
        updated_at -> BigInt,
    }
}

diesel::table! {
    /// Folders (projects) conversations are filed in; deleting one leaves
    /// its conversations in no folder.
    folders (id) {
        /// Row id.
        id -> BigInt,
        /// Name shown, unique ignoring case, never blank.
        name -> Text,
        /// UTC unix milliseconds.
        created_at -> BigInt,
    }
}

diesel::joinable!(conversations -> folders (folder_id));
diesel::allow_tables_to_appear_in_same_query!(conversations, folders);

diesel::table! {
    /// Saved assistants (issue 14, part 3): name, icon, system prompt,
    /// model and parameters; at most one is the default.
    assistants (id) {
        /// Row id.
        id -> BigInt,
        /// Unique, not blank.
        name -> Text,
        /// An emoji; empty for none.
        icon -> Text,
        /// System prompt; NULL: none.
        system_prompt -> Nullable<Text>,
        /// Provider of the model; NULL once that provider is deleted.
        provider_id -> Nullable<Text>,
        /// Model, as the provider names it.
        model -> Nullable<Text>,
        /// Sampling temperature (0.0–2.0); NULL: the server's default.
        temperature -> Nullable<Float>,
        /// Upper bound on output tokens; NULL: the server's default.
        max_output_tokens -> Nullable<BigInt>,
        /// The default assistant (at most one row).
        is_default -> Bool,
        /// UTC unix milliseconds.
        created_at -> BigInt,
        /// UTC unix milliseconds.
        updated_at -> BigInt,
    }
}

diesel::table! {
    /// MCP servers an assistant enables.
    assistant_mcp_servers (assistant_id, server_id) {
        /// `assistants.id`.
        assistant_id -> BigInt,
        /// `mcp_servers.id`.
        server_id -> Text,
    }
}

diesel::table! {
    /// The assistant a conversation started from (its name and icon then).
    conversation_assistants (conversation_id) {
        /// `conversations.id`.
        conversation_id -> BigInt,
        /// `assistants.id`; NULL once the assistant is removed.
        assistant_id -> Nullable<BigInt>,
        /// The assistant's name when the conversation started.
        name -> Text,
        /// Its icon then.
        icon -> Text,
    }
}

diesel::table! {
    /// MCP servers a conversation with its own list
    /// (`conversation_server_choices`: started from an assistant, or chose
    /// its own) offers.
    conversation_mcp_servers (conversation_id, server_id) {
        /// `conversations.id`.
        conversation_id -> BigInt,
        /// `mcp_servers.id`.
        server_id -> Text,
    }
}

diesel::table! {
    /// Conversations with their own MCP servers (started from an
    /// assistant, or chose them in their settings), offering
    /// `conversation_mcp_servers` only; the others offer every enabled
    /// server.
    conversation_server_choices (conversation_id) {
        /// `conversations.id`.
        conversation_id -> BigInt,
    }
}

diesel::table! {
    /// The model library (issue 16): a row per GGUF file on this computer.
    local_models (id) {
        /// Row id.
        id -> BigInt,
        /// Absolute path of the file.
        path -> Text,
        /// `copied`, `referenced` or `downloaded`.
        origin -> Text,
        /// The imported path, or `hf:REPO/FILE@REVISION`.
        source -> Nullable<Text>,
        /// SHA-256 of the file, lower-case hex, when known.
        sha256 -> Nullable<Text>,
        /// Size of the file when added, in bytes.
        size_bytes -> BigInt,
        /// The GGUF metadata, JSON (`local::library::ModelMetadata`).
        metadata -> Text,
        /// UTC unix milliseconds.
        added_at -> BigInt,
        /// The id "On this computer" offers it by: the file's name without
        /// `.gguf`, unique (`-2`, `-3`…).
        model_id -> Text,
    }
}

diesel::table! {
    /// Knowledge libraries (issue 17): named sets of files and folders.
    libraries (id) {
        /// Row id.
        id -> BigInt,
        /// Unique, ignoring case.
        name -> Text,
        /// `provider_id/model` of the embeddings; `None`: words only.
        embedding_model -> Nullable<Text>,
        /// UTC unix milliseconds.
        created_at -> BigInt,
    }
}

diesel::table! {
    /// A file or folder added to a library.
    library_sources (id) {
        /// Row id.
        id -> BigInt,
        /// `libraries.id`.
        library_id -> BigInt,
        /// Absolute path.
        path -> Text,
        /// UTC unix milliseconds.
        added_at -> BigInt,
    }
}

diesel::table! {
    /// A file of a library as last indexed.
    documents (id) {
        /// Row id.
        id -> BigInt,
        /// `libraries.id`.
        library_id -> BigInt,
        /// `library_sources.id`.
        source_id -> BigInt,
        /// Absolute path.
        path -> Text,
        /// `documents::Format::as_str`, when read.
        format -> Nullable<Text>,
        /// Bytes.
        size_bytes -> BigInt,
        /// Modification time, UTC unix milliseconds.
        modified_at -> BigInt,
        /// SHA-256, lower-case hex, when read.
        sha256 -> Nullable<Text>,
        /// `indexed`, `failed` or `skipped`.
        state -> Text,
        /// Why it failed or was skipped.
        reason -> Nullable<Text>,
        /// How many chunks it has.
        chunk_count -> Integer,
        /// UTC unix milliseconds.
        indexed_at -> BigInt,
    }
}

diesel::table! {
    /// A chunk of a document (indexed by `document_chunks_fts`).
    document_chunks (id) {
        /// Row id (the FTS5 rowid; vectors will be keyed by it).
        id -> BigInt,
        /// `documents.id`.
        document_id -> BigInt,
        /// From 0.
        ordinal -> Integer,
        /// The chunk's text.
        text -> Text,
        /// PDF page from 1.
        page -> Nullable<Integer>,
        /// First line, from 1.
        first_line -> Integer,
        /// Last line, inclusive.
        last_line -> Integer,
        /// `o200k_base` tokens.
        token_count -> Integer,
    }
}

diesel::joinable!(library_sources -> libraries (library_id));
diesel::joinable!(documents -> libraries (library_id));
diesel::joinable!(documents -> library_sources (source_id));
diesel::joinable!(document_chunks -> documents (document_id));
diesel::allow_tables_to_appear_in_same_query!(
    libraries,
    library_sources,
    documents,
    document_chunks
);
