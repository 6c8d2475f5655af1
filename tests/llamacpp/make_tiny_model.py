#!/usr/bin/env python3
"""Writes a tiny random-weights llama-architecture GGUF model, offline.

Usage: make_tiny_model.py [--chat-template chatml|custom|qwen2.5|qwen3|thinking] [--architecture NAME]
                          [--size tiny|100m] OUT.gguf

The model has 2 layers, 64-dimensional embeddings, 4 attention heads and a
SentencePiece-style ("llama") vocabulary of 311 tokens: <unk>, <s>, </s>,
the 256 byte-fallback tokens <0x00>..<0xFF> (llama.cpp looks bytes up by
that name when a character has no piece), "▁" and "▁a".."▁z", "a".."z".
Its replies are gibberish made of those letters: the output rows of the
special and byte tokens are zero while the letter rows are large random
vectors, so a sampled token is almost surely a letter and never </s>.

Metadata follows llama.cpp's GGUF conventions (gguf-py's constants):
general.architecture, llama.{context_length, embedding_length, block_count,
feed_forward_length, attention.head_count, attention.head_count_kv,
attention.layer_norm_rms_epsilon, rope.dimension_count, vocab_size} and
tokenizer.ggml.{model, tokens, scores, token_type, bos/eos/unk_token_id}.
Tensors are float32, shaped (rows, columns) as PyTorch stores them (gguf-py
reverses them into GGML's order).

--chat-template (tests/providers/local.rs, the runtime of issue 16) adds a
vocabulary that tokenizes real text — capitals, digits, punctuation, the
control tokens <|im_start|> and <|im_end|>, and common English words with
every prefix of each (the SentencePiece tokenizer reaches a word by merging
pairs, so each step must be a token) — and a tokenizer.chat_template:
"chatml" (which llama.cpp's own template support recognises) or "custom"
(a Jinja template it does not know, using bos_token and raise_exception)
or "qwen2.5" (Qwen 2.5 Instruct's own template, with tools and <tool_call>
calls, read from crates/valechat-core/src/local/runtime/testdata/) or
"qwen3" (Qwen 3's own template, from the same folder: tools and <think>) or
"thinking" (ChatML whose generation prompt opens <think>, as DeepSeek-R1's
does).
Without it the model has no chat template. --architecture writes another
general.architecture (an unknown one, for the load error test).

--size 100m (the runtime's benchmark, benches/local_runner.py) writes the
same vocabulary over 11 layers of 768-dimensional embeddings, 12 heads and
a 3072-wide feed-forward: about 104 million parameters, in float16 (the
norms stay float32, as llama.cpp wants them), about 210 MB, with a
2048-token trained context.
"""

import argparse
import os
import sys

import numpy as np
import gguf

# Dimensions by --size: embedding, layers, heads, feed-forward, context,
# and the float type of the large tensors.
SIZES = {
    "tiny": dict(embd=64, layers=2, heads=4, ff=128, ctx=256, dtype=np.float32),
    "100m": dict(embd=768, layers=11, heads=12, ff=3072, ctx=2048, dtype=np.float16),
}
SEED = 20261130


WORDS = (
    "the hello world is a of and to in it you that this for on are with be "
    "as was at by not or have from what how why who can will one all there "
    "model chat reply tell me about story short please thank yes no".split()
)

CHATML = (
    "{% for message in messages %}"
    "{{ '<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n' }}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}"
)

# ChatML whose generation prompt opens the model's reasoning, as
# DeepSeek-R1's templates do: what the model writes is reasoning until it
# closes the tag.
THINKING = CHATML.replace(
    "{{ '<|im_start|>assistant\n' }}", "{{ '<|im_start|>assistant\n<think>\n' }}"
)
assert THINKING != CHATML

# Markers llama.cpp's built-in template list does not recognise, so the
# runtime falls back to its Jinja engine.
CUSTOM = (
    "{{ bos_token }}"
    "{% if messages[0]['role'] == 'assistant' %}"
    "{{ raise_exception('Conversations must start with a user or system message') }}"
    "{% endif %}"
    "{% for message in messages %}"
    "{{ '### ' + message['role'] | upper + ':\n' + message['content'] + '\n' }}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '### ASSISTANT:\n' }}{% endif %}"
)


QWEN25 = os.path.join(
    os.path.dirname(os.path.abspath(__file__)),
    "../../crates/valechat-core/src/local/runtime/testdata/qwen2.5-instruct.jinja",
)
QWEN3 = os.path.join(os.path.dirname(QWEN25), "qwen3.jinja")


def vocabulary(chat=False):
    tokens, scores, types = [], [], []

    def add(text, kind, score=0.0):
        tokens.append(text.encode("utf-8"))
        scores.append(score)
        types.append(kind)

    add("<unk>", gguf.TokenType.UNKNOWN)
    add("<s>", gguf.TokenType.CONTROL)
    add("</s>", gguf.TokenType.CONTROL)
    for byte in range(256):
        add(f"<0x{byte:02X}>", gguf.TokenType.BYTE)
    add("\u2581", gguf.TokenType.NORMAL, -1.0)
    for letter in "abcdefghijklmnopqrstuvwxyz":
        add("\u2581" + letter, gguf.TokenType.NORMAL, -2.0)
    for letter in "abcdefghijklmnopqrstuvwxyz":
        add(letter, gguf.TokenType.NORMAL, -3.0)
    if chat:
        add("<|im_start|>", gguf.TokenType.CONTROL)
        add("<|im_end|>", gguf.TokenType.CONTROL)
        seen = {t.decode("utf-8") for t in tokens}
        for char in "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.,!?':;-#()":
            for text in (char, "\u2581" + char):
                if text not in seen:
                    seen.add(text)
                    add(text, gguf.TokenType.NORMAL, -3.0)
        for word in WORDS:
            for end in range(2, len(word) + 1):
                text = "\u2581" + word[:end]
                if text not in seen:
                    seen.add(text)
                    add(text, gguf.TokenType.NORMAL, -2.0 + end * 0.1)
    return tokens, scores, types


def main(path, chat_template=None, architecture="llama", size="tiny", context=None):
    dims = SIZES[size]
    N_EMBD, N_LAYER, N_HEAD, N_FF, N_CTX = (dims[k] for k in ("embd", "layers", "heads", "ff", "ctx"))
    # The trained context written in the header (llama.context_length): a
    # larger one lets a reply with no output limit run long (the window's
    # Stop test); the weights are random either way.
    N_CTX = context or N_CTX
    rng = np.random.default_rng(SEED)
    tokens, scores, types = vocabulary(chat=chat_template is not None)
    n_vocab = len(tokens)
    first_word = 3 + 256  # "▁" and the letters follow the special and byte tokens

    writer = gguf.GGUFWriter(path, architecture)
    writer.add_name("valechat-tiny-random")
    writer.add_context_length(N_CTX)
    writer.add_embedding_length(N_EMBD)
    writer.add_block_count(N_LAYER)
    writer.add_feed_forward_length(N_FF)
    writer.add_head_count(N_HEAD)
    writer.add_head_count_kv(N_HEAD)
    writer.add_layer_norm_rms_eps(1e-5)
    writer.add_rope_dimension_count(N_EMBD // N_HEAD)
    writer.add_vocab_size(n_vocab)
    writer.add_file_type(gguf.LlamaFileType.ALL_F32 if dims["dtype"] == np.float32 else gguf.LlamaFileType.MOSTLY_F16)

    writer.add_tokenizer_model("llama")
    writer.add_token_list(tokens)
    writer.add_token_scores(scores)
    writer.add_token_types(types)
    writer.add_bos_token_id(1)
    writer.add_eos_token_id(2)
    writer.add_unk_token_id(0)
    writer.add_add_bos_token(True)
    writer.add_add_eos_token(False)
    if chat_template == "chatml":
        writer.add_chat_template(CHATML)
        writer.add_eot_token_id(tokens.index("<|im_end|>".encode("utf-8")))
    elif chat_template == "thinking":
        writer.add_chat_template(THINKING)
        writer.add_eot_token_id(tokens.index("<|im_end|>".encode("utf-8")))
    elif chat_template == "custom":
        writer.add_chat_template(CUSTOM)
    elif chat_template in ("qwen2.5", "qwen3"):
        with open(QWEN25 if chat_template == "qwen2.5" else QWEN3, encoding="utf-8") as f:
            writer.add_chat_template(f.read())
        writer.add_eot_token_id(tokens.index("<|im_end|>".encode("utf-8")))

    def weight(*shape, scale=0.02):
        return (rng.standard_normal(shape) * scale).astype(dims["dtype"])

    writer.add_tensor("token_embd.weight", weight(n_vocab, N_EMBD, scale=1.0))
    writer.add_tensor("output_norm.weight", np.ones(N_EMBD, dtype=np.float32))
    output = np.zeros((n_vocab, N_EMBD), dtype=dims["dtype"])
    output[first_word:] = weight(n_vocab - first_word, N_EMBD, scale=4.0)
    for index, kind in enumerate(types):
        if kind == gguf.TokenType.CONTROL:
            output[index] = 0.0
    writer.add_tensor("output.weight", output)
    for layer in range(N_LAYER):
        prefix = f"blk.{layer}."
        writer.add_tensor(prefix + "attn_norm.weight", np.ones(N_EMBD, dtype=np.float32))
        writer.add_tensor(prefix + "attn_q.weight", weight(N_EMBD, N_EMBD))
        writer.add_tensor(prefix + "attn_k.weight", weight(N_EMBD, N_EMBD))
        writer.add_tensor(prefix + "attn_v.weight", weight(N_EMBD, N_EMBD))
        writer.add_tensor(prefix + "attn_output.weight", weight(N_EMBD, N_EMBD))
        writer.add_tensor(prefix + "ffn_norm.weight", np.ones(N_EMBD, dtype=np.float32))
        writer.add_tensor(prefix + "ffn_gate.weight", weight(N_FF, N_EMBD))
        writer.add_tensor(prefix + "ffn_up.weight", weight(N_FF, N_EMBD))
        writer.add_tensor(prefix + "ffn_down.weight", weight(N_EMBD, N_FF))

    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Write a tiny random-weights GGUF model.")
    parser.add_argument("--chat-template", choices=["chatml", "custom", "qwen2.5", "qwen3", "thinking"])
    parser.add_argument("--architecture", default="llama")
    parser.add_argument("--size", choices=sorted(SIZES), default="tiny")
    parser.add_argument("--context", type=int, help="llama.context_length in tokens (default: the size's own)")
    parser.add_argument("out")
    args = parser.parse_args()
    main(args.out, args.chat_template, args.architecture, args.size, args.context)
