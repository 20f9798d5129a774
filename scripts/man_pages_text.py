"""The hand-written parts of the man pages (scripts/gen_man.py): environment variables read
outside ENV_VARS, the examples of each page, and the completion files."""

# variables read outside ENV_VARS, with what they do
EXTRA_ENV = (
    ("REVKA_DEBUG", "any value but empty or 0: tracebacks for errors and debug logs, as --debug"),
)
GENERAL_ENV = (
    ("XDG_CONFIG_HOME", "base of the default config folder ($XDG_CONFIG_HOME/revka, default "
                        "~/.config/revka) and of fish's completion folder"),
    ("XDG_CACHE_HOME", "base of the default cache folder ($XDG_CACHE_HOME/revka, default "
                       "~/.cache/revka)"),
    ("XDG_DATA_HOME", "base of the bash completion folder used by 'revka completion install bash' "
                      "(default ~/.local/share)"),
    ("SHELL", "the shell 'revka completion install' installs for when none is named"),
    ("COLUMNS", "the width help is formatted for"),
)

EXAMPLES = {
    "": [
        ("Ask the default model (Ollama at http://localhost:11434 when there is no config):",
         'revka chat "why is the sky blue?"'),
        ("Fill the model cache, pick a default model, and check the setup:",
         "revka models refresh\nrevka models set ollama/llama3.2:3b\nrevka doctor models"),
        ("Use another config file for one run:",
         'revka --config ./ci.toml chat -m custom/qwen2.5-coder-7b "hello"'),
        ("Install shell completion for the current shell:", "revka completion install"),
    ],
    "chat": [
        ("One question; the answer alone goes to stdout:", 'revka chat "why is the sky blue?"'),
        ("Append a file or a pipe to the prompt:",
         'revka chat "summarise this" < notes.txt > summary.md\n'
         'git diff | revka chat -m ollama/qwen2.5-coder:7b "review this diff"'),
        ("One JSON object, for scripts:", 'revka chat --json "hello" | jq -r .text'),
        ("Any OpenAI-compatible server by URL:",
         'revka chat -p custom:http://gpu-box:8000/v1 -m Qwen/Qwen2.5-7B-Instruct "hi"'),
        ("An image, and tool definitions:",
         'revka chat --image chart.png "what does this show?"\n'
         'revka chat --tools tools.json "weather in Paris?"'),
        ("An interactive session (on a terminal, with no prompt):", "revka chat"),
    ],
    "batch": [
        ("Answer every line of a JSONL file; rerun the same command to resume:",
         "revka batch prompts.jsonl -o answers.jsonl"),
        ("Plain text, one prompt per line, with one model:",
         "revka batch questions.txt --lines -o answers.jsonl -m qwen2.5:7b"),
        ("An OpenAI Batch API file, spread over two servers, 64 in flight:",
         "revka batch requests.jsonl -o out.jsonl -p vllm -p sglang -c 64"),
        ("The answers, and what failed:",
         "jq -r '.response.body.choices[0].message.content // empty' answers.jsonl\n"
         "jq -c 'select(.error != null) | {custom_id, error}' answers.jsonl"),
        ("Start over, and keep the summary as JSON:",
         "revka batch prompts.jsonl -o answers.jsonl --restart --summary-json summary.json"),
    ],
    "models": [
        ("Fetch the model lists of every configured provider:", "revka models refresh"),
        ("Refetch one provider even if its cache is fresh:",
         "revka models refresh --provider ollama --force"),
        ("List the cached models, or print them as JSON:",
         "revka models list\nrevka models list --json | jq -r '.[].qualified'"),
        ("Make a model the default (names with ':' complete with TAB):",
         "revka models set ollama/llama3.2:3b"),
        ("Show the effective provider and model, and where each came from:",
         "revka models status"),
    ],
    "doctor": [
        ("Check every configured provider; exit 1 when any fails:", "revka doctor models"),
        ("Also time a real streamed answer, and write a JUnit report for CI:",
         "revka doctor models --chat --junit doctor.xml"),
        ("Right after starting a server: wait until it is ready, then gate on the first token:",
         "revka doctor models --wait 300 --chat --max-ttft 5 --format github"),
        ("Check two providers, allowing one to fail:",
         "revka doctor models -p ollama -p vllm --allow-fail vllm"),
        ("Machine-readable:", "revka doctor models --json | jq '.providers[] | {provider, status}'"),
    ],
    "config": [
        ("Check the config in use; exit 3 when it is invalid:", "revka config validate"),
        ("Check another file and fail on warnings too:",
         "revka config validate --strict ./config.toml"),
        ("The effective config after environment overrides, secrets redacted:",
         "REVKA_MODEL=llama3.2 revka config show"),
        ("Which file is in use, and why:", "revka config path"),
    ],
    "providers": [
        ("The provider catalog: ids, aliases, protocol, vision, discovery, URL, key variables:",
         "revka providers"),
        ("The ids of the local providers, as JSON for scripts:",
         "revka providers --json | jq -r '.[] | select(.local) | .id'"),
    ],
    "completion": [
        ("Install for the shell in $SHELL, then open a new shell:", "revka completion install"),
        ("Install for zsh and add the fpath line to ~/.zshrc if it is missing:",
         "revka completion install zsh --rc"),
        ("Load it into the running bash only:", "source <(revka completion bash)"),
        ("Save the fish script yourself:",
         "revka completion fish > ~/.config/fish/completions/revka.fish"),
    ],
}

FILES_COMPLETION = (
    ("${XDG_DATA_HOME:-~/.local/share}/bash-completion/completions/revka",
     "where 'revka completion install bash' writes (bash-completion loads it on demand)"),
    ("~/.zfunc/_revka", "where 'revka completion install zsh' writes (needs ~/.zfunc in fpath)"),
    ("${XDG_CONFIG_HOME:-~/.config}/fish/completions/revka.fish",
     "where 'revka completion install fish' writes"),
)
