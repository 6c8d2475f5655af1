#!/usr/bin/env python3
"""Measures ValeChat's local runner against llama-cpp-python's server on the
same GGUF with the same thread count, in the same run, and prints figures:
prompt processing and generation tokens per second, time to first token and
the peak resident memory (VmHWM) of each process. Each run sends a new
prompt (numbered, so neither side reuses the previous run's cache), then a
follow-up in the same conversation (the reply and a short question added),
where both sides reuse what they kept of the first prompt: the follow-up's
TTFT shows that reuse.

Usage (from the repository root, after a build of the `valechat` binary,
or of the runner alone in release: `cargo build --release -p valechat-core
--features local-models --example local_runner`, then
`--binary target/release/examples/local_runner`):
  tests/llamacpp/venv/bin/python benches/local_runner.py [--threads N]
      [--runs N] [--binary target/debug/valechat] [--model FILE.gguf]

Without --model it writes the tiny test model (tests/llamacpp/
make_tiny_model.py --chat-template chatml). Needs tests/llamacpp/venv
(tests/llamacpp/install-peers.sh). Both sides get the same chat prompt,
greedy sampling, a 512-token context (--context) and the same output
length.
"""

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
PROMPT = "Tell me a short story about the model, please. " * 12
FOLLOW_UP = "And what happened then?"
OUTPUT_TOKENS = 64
CONTEXT = 512


def peak_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


def runner(binary, model, threads, runs, context):
    # The example binary (crates/valechat-core/examples/local_runner.rs) has
    # no RUNPATH: llama.cpp's shared libraries are beside it.
    env = dict(os.environ)
    env["LD_LIBRARY_PATH"] = os.pathsep.join(
        filter(None, [os.path.dirname(os.path.abspath(binary)), env.get("LD_LIBRARY_PATH")]))
    proc = subprocess.Popen([binary, "local-runner"], stdin=subprocess.PIPE, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    hello = json.loads(proc.stdout.readline())
    assert "hello" in hello, hello

    def call(obj):
        proc.stdin.write(json.dumps(obj) + "\n")
        proc.stdin.flush()

    call({"id": 1, "op": "load", "model": "m", "path": model, "context_length": context,
          "threads": threads, "gpu_layers": 0})
    reply = json.loads(proc.stdout.readline())
    assert "ok" in reply, reply
    ids = iter(range(10, 10_000))

    def generate(messages):
        start = time.perf_counter()
        call({"id": next(ids), "op": "generate", "model": "m", "messages": messages,
              "sampling": {"temperature": 0}, "max_output_tokens": OUTPUT_TOKENS})
        first, text = None, ""
        while True:
            line = json.loads(proc.stdout.readline())
            if "delta" in line:
                text += line["delta"]["text"] if isinstance(line["delta"], dict) else ""
                if first is None:
                    first = time.perf_counter()
            if "done" in line:
                end = time.perf_counter()
                done = line["done"]
                break
            if "error" in line:
                sys.exit(f"runner error: {line}")
        return text, figures(start, first or end, end, done["input_tokens"], done["output_tokens"])

    results, follow_ups = [], []
    for run in range(runs):
        messages = [{"role": "user", "content": f"Story {run}. {PROMPT}"}]
        text, result = generate(messages)
        results.append(result)
        messages += [{"role": "assistant", "content": text}, {"role": "user", "content": FOLLOW_UP}]
        follow_ups.append(generate(messages)[1])
    peak = peak_kib(proc.pid)
    proc.stdin.close()
    proc.wait()
    return results, follow_ups, peak


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server(model, threads, runs, context):
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "llama_cpp.server", "--host", "127.0.0.1", "--port", str(port),
         "--model", model, "--n_ctx", str(context), "--n_threads", str(threads),
         "--n_threads_batch", str(threads)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 90
    while True:
        try:
            urllib.request.urlopen(base + "/v1/models", timeout=1).read()
            break
        except OSError:
            if time.time() > deadline or proc.poll() is not None:
                proc.kill()
                sys.exit("llama_cpp.server did not start")
            time.sleep(0.2)
    def generate(messages):
        body = json.dumps({"messages": messages, "stream": True,
                           "temperature": 0, "max_tokens": OUTPUT_TOKENS}).encode()
        request = urllib.request.Request(base + "/v1/chat/completions", data=body,
                                         headers={"Content-Type": "application/json"})
        start = time.perf_counter()
        first, chunks, text = None, 0, ""
        with urllib.request.urlopen(request) as response:
            for raw in response:
                line = raw.decode().strip()
                if not line.startswith("data: ") or line == "data: [DONE]":
                    continue
                delta = json.loads(line[6:])["choices"][0]["delta"].get("content")
                if delta:
                    chunks += 1
                    text += delta
                    if first is None:
                        first = time.perf_counter()
        end = time.perf_counter()
        # The text of the messages (the template's markers not counted).
        words = " ".join(m["content"] for m in messages)
        tokens = len(json.loads(urllib.request.urlopen(urllib.request.Request(
            base + "/extras/tokenize", data=json.dumps({"input": words}).encode(),
            headers={"Content-Type": "application/json"})).read())["tokens"])
        return text, figures(start, first or end, end, tokens, chunks)

    results, follow_ups = [], []
    for run in range(runs):
        messages = [{"role": "user", "content": f"Story {run}. {PROMPT}"}]
        text, result = generate(messages)
        results.append(result)
        messages += [{"role": "assistant", "content": text}, {"role": "user", "content": FOLLOW_UP}]
        follow_ups.append(generate(messages)[1])
    peak = peak_kib(proc.pid)
    proc.terminate()
    proc.wait()
    return results, follow_ups, peak


def figures(start, first, end, input_tokens, output_tokens):
    ttft = first - start
    gen = end - first
    return {
        "ttft_ms": ttft * 1000,
        "prompt_tps": input_tokens / ttft if ttft > 0 else 0,
        "gen_tps": (output_tokens - 1) / gen if gen > 0 and output_tokens > 1 else 0,
        "input_tokens": input_tokens,
        "output_tokens": output_tokens,
    }


def show(name, results, follow_ups, peak):
    med = lambda key, rs=results: statistics.median(r[key] for r in rs)  # noqa: E731
    print(f"{name:<24} TTFT {med('ttft_ms'):8.1f} ms   prompt {med('prompt_tps'):9.1f} tok/s   "
          f"generation {med('gen_tps'):8.1f} tok/s   peak RSS {peak / 1024:7.1f} MiB   "
          f"({results[0]['input_tokens']} in, {results[0]['output_tokens']} out)")
    print(f"{'  follow-up':<24} TTFT {med('ttft_ms', follow_ups):8.1f} ms   "
          f"generation {med('gen_tps', follow_ups):8.1f} tok/s   "
          f"({follow_ups[0]['input_tokens']} in, {follow_ups[0]['output_tokens']} out)")
    return med("prompt_tps"), med("gen_tps"), med("ttft_ms", follow_ups)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--binary", default=os.path.join(
        os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target")), "debug", "valechat"))
    parser.add_argument("--model", help="a GGUF file (default: the tiny test model; "
                        "tests/llamacpp/make_tiny_model.py --size 100m writes the larger one)")
    parser.add_argument("--context", type=int, default=CONTEXT)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        model = args.model
        if model is None:
            model = os.path.join(tmp, "tiny-chatml.gguf")
            subprocess.run([sys.executable, os.path.join(ROOT, "tests/llamacpp/make_tiny_model.py"),
                            "--chat-template", "chatml", model], check=True)
        print(f"model {model}, {args.threads} threads, {args.context}-token context, "
              f"{args.runs} runs, medians; load average {os.getloadavg()[0]:.1f}")
        ours = show("valechat local-runner", *runner(args.binary, model, args.threads, args.runs, args.context))
        theirs = show("llama-cpp-python server", *server(model, args.threads, args.runs, args.context))
        print(f"ratio (ours / theirs, above 1 is faster): prompt {ours[0] / theirs[0]:.2f}, "
              f"generation {ours[1] / theirs[1]:.2f}, follow-up TTFT {theirs[2] / ours[2]:.2f}")


if __name__ == "__main__":
    main()
