//! OpenAI Chat Completions protocol (in progress).
