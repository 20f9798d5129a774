"""Write a model-catalog cache of N models with revka's own catalog API (run with the venv python).

    python seed_cache.py CONFIG N

The entry goes to the provider the config chooses by default, under the base URL the config gives
it (the key revka looks up), through `CatalogStore.put`, which also rewrites the plain index
`models-index.json`. The cache folder is $REVKA_CACHE_DIR. Prints the number of models stored.
"""

import sys
import time


def model_names(count: int) -> list[str]:
    """`count` distinct, realistic model names (Ollama/HF style), about a third `llama...`."""
    families = ["llama3.2", "llama3.1", "llama3.3", "llama2", "llava", "qwen2.5", "qwen3",
                "qwen2.5-coder", "gemma3", "gemma2", "mistral", "mistral-nemo", "phi4", "phi3",
                "deepseek-r1", "deepseek-coder-v2", "codellama", "starcoder2", "granite3.1",
                "smollm2", "nomic-embed-text", "mxbai-embed-large"]
    sizes = ["135m", "360m", "1b", "1.5b", "3b", "7b", "8b", "13b", "14b", "27b", "32b", "70b"]
    quants = ["", "-instruct", "-instruct-q4_K_M", "-instruct-q8_0", "-text-fp16", "-q5_K_S"]
    names: list[str] = []
    for quant in quants:
        for size in sizes:
            for family in families:
                names.append(f"{family}:{size}{quant}")
                if len(names) == count:
                    return names
    raise SystemExit(f"cannot make {count} distinct names")


def main() -> int:
    config_path, count = sys.argv[1], int(sys.argv[2])
    from revka_cli.catalog.lookup import expected_base
    from revka_cli.catalog.store import CatalogStore, make_entry
    from revka_cli.config import load_config

    cfg = load_config(config_path).config
    provider = cfg.default_provider
    base = expected_base(cfg, provider)
    if base is None:
        raise SystemExit(f"no base URL for {provider}")
    models = [{"name": n, "context_window": 8192 * (1 + i % 16), "size": 1_000_000_000 + i,
               "source": "live"} for i, n in enumerate(model_names(count))]
    with CatalogStore() as store:
        if not store.put(make_entry(provider, base, models, time.time())):
            raise SystemExit(f"could not write the cache: {store.warnings}")
        for warning in store.warnings:
            print(f"seed_cache: warning: {warning}", file=sys.stderr)
    print(count)
    return 0


if __name__ == "__main__":
    sys.exit(main())
