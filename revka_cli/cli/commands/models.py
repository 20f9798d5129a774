"""`revka models refresh | list | set | status`: the model catalog from the shell."""

from __future__ import annotations

from revka_cli.cli.environment import current
from revka_cli.cli.output import err, out, out_json, warn
from revka_cli.redact import display_provider
from revka_cli.errors import NotFoundError, UsageError

# --- helpers ---------------------------------------------------------------------------------

def _stdout_is_tty() -> bool:
    return current().stdout_isatty


def _load(state):
    """The config, its warnings printed (as every command that reads it does)."""
    from revka_cli.cli.commands.config import print_warnings
    from revka_cli.config import require_config

    loaded = require_config(state.config_path)
    print_warnings(state, loaded.warnings)
    return loaded


def _run_refresh(state, cfg, names: list[str], *, force: bool, details: bool) -> list:
    from revka_cli.catalog.discover import refresh_many

    env = current()
    if not (env.stderr_isatty and not state.quiet) or not names:
        return refresh_many(cfg, names, force=force, details=details)
    from rich.console import Console
    from rich.progress import Progress, SpinnerColumn, TextColumn

    console = Console(file=env.stderr, no_color=not state.color)
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), console=console,
                  transient=True) as progress:
        task = progress.add_task(f"refreshing {len(names)} provider(s)", total=len(names))

        def done(result) -> None:
            progress.update(task, advance=1, description=f"refreshing: {display_provider(result.provider)} done")

        return refresh_many(cfg, names, force=force, details=details, on_result=done)


def _warn_all(state, results) -> None:
    seen = set()
    for result in results:
        for message in result.warnings:
            if message not in seen:
                seen.add(message)
                warn(state, message)


def _canonical(provider: str | None) -> str | None:
    from revka_cli.providers.endpoint import canonical_provider

    return canonical_provider(provider) if provider else None


# --- commands --------------------------------------------------------------------------------

def refresh(state, opts) -> int:
    """Fetch model lists from the configured providers into the cache."""
    provider, all_, force, details = opts.provider, opts.all_, opts.force, opts.details
    from revka_cli import specs
    from revka_cli.catalog.discover import configured_providers
    from revka_cli.catalog.listing import refresh_failure, refresh_line
    from revka_cli.cli.output import report_error

    if provider and all_:
        raise UsageError("--provider and --all cannot be used together")
    cfg = _load(state).config
    names = [_canonical(provider)] if provider else configured_providers(cfg)
    if all_:
        names += [s.id for s in specs.local_specs() if s.id not in names]
    results = _run_refresh(state, cfg, names, force=force, details=details)
    for result in results:  # counts on stdout; failures on stderr, as every error is
        if result.ok:
            out(refresh_line(result))
        else:
            report_error(*refresh_failure(result))
    _warn_all(state, results)
    if not any(r.ok for r in results):
        first = next((r.error for r in results if r.error is not None), None)
        return first.exit_code if first else 1
    return 0


def list_(state, opts) -> None:
    """Cached models by provider (a terminal) or one provider/name per line."""
    provider, as_json, do_refresh = opts.provider, opts.as_json, opts.do_refresh
    from revka_cli.catalog.discover import configured_providers
    from revka_cli.catalog.listing import collect, has_live, json_rows

    tty = _stdout_is_tty() and not as_json
    if not tty and not do_refresh:
        from revka_cli.cli.commands.models_cached import print_cached_listing

        if print_cached_listing(state, provider, as_json=as_json):
            return
    cfg = _load(state).config
    wanted = _canonical(provider)
    groups, results = [], []
    if not do_refresh:
        groups = collect(cfg, wanted, full=tty)
    if do_refresh or not has_live(groups):
        if not do_refresh and wanted != "custom":
            err("revka: no cached models yet; refreshing first")
        results = _run_refresh(state, cfg, [wanted] if wanted else configured_providers(cfg),
                               force=do_refresh, details=False)
        listed = collect(cfg, wanted, full=tty)
        for result in results:
            if result.error is not None and any(g.models for g in listed):
                warn(state, f"{display_provider(result.provider)}: {result.error.message}")
        _warn_all(state, results)
        groups = collect(cfg, wanted, full=tty)
    if as_json:
        out_json(json_rows(groups))
    elif tty:
        _render_groups(state, cfg, groups)
    else:
        from revka_cli.textsafe import one_line

        for group in groups:
            for model in group.models:
                out(one_line(group.qualified(model)))
    failed = [r.error for r in results if r.error is not None]
    if not any(g.models for g in groups) and failed:
        raise failed[0]


def _render_groups(state, cfg, groups) -> None:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    from revka_cli.catalog.listing import default_marker, header, human_context, human_size
    from revka_cli.textsafe import one_line

    env = current()
    console = Console(file=env.stdout, no_color=state.no_color or "NO_COLOR" in env.environ,
                      highlight=False)
    default = default_marker(cfg)
    for i, group in enumerate(groups):
        if i:
            console.print()
        console.print(Text(one_line(header(group))), style="bold", soft_wrap=True)
        table = Table(box=None, pad_edge=False, show_edge=False, header_style="dim")
        for name, justify in (("", "left"), ("model", "left"), ("context", "right"),
                              ("size", "right")):
            table.add_column(name, justify=justify)
        for m in group.models:
            mark = "*" if (group.provider, m.name) == default else ""
            table.add_row(mark, Text(one_line(m.name)), human_context(m.context_window),
                          human_size(m.size))
        console.print(table)


def set_(state, opts) -> None:
    """Make NAME the default model in the config file."""
    name, force = opts.name, opts.force
    from revka_cli.catalog.discover import cached_catalogs
    from revka_cli.catalog.resolve import resolve_name
    from revka_cli.cli.commands.config import print_warnings
    from revka_cli.config import load_config
    from revka_cli.config.writer import write_default_model

    loaded = load_config(state.config_path)
    print_warnings(state, loaded.warnings)
    resolved = resolve_name(loaded.config, name, cached_catalogs(loaded.config))
    if not resolved.known:
        _check_unknown(state, resolved, name, force)
    outcome = write_default_model(loaded.location, resolved.provider, resolved.model)
    values = {"default_provider": resolved.provider, "default_model": resolved.model,
              "models.default": f"{resolved.provider}/{resolved.model}"}
    written = ", ".join(f'{key} = "{values[key]}"' for key in outcome.keys)
    out(f"{written} in {outcome.path}{' (new file)' if outcome.created else ''}")
    if outcome.comments_dropped:
        warn(state, f"{outcome.path} was rewritten in full; its comments were not kept")
    for key in ("default_provider", "default_model"):
        origin = loaded.config.origins.get(key, "")
        if origin.startswith("env "):
            warn(state, f"{origin.split()[1]} is set and overrides {key} from the file")


def _check_unknown(state, resolved, name: str, force: bool) -> None:
    """A name no cache has: a note for a provider without live discovery (LM Studio), whose
    models cannot be listed; a warning with --force; otherwise NotFoundError."""
    from revka_cli import specs

    spec = specs.find(resolved.provider)
    if spec is not None and not spec.discovery and not resolved.cached:
        warn(state, f"{spec.id} has no live model discovery, so '{resolved.model}' could not be "
                    f"checked: it must match a model loaded in {spec.name}")
        return
    where = (f"the cached catalog of {resolved.provider}" if resolved.cached
             else f"any cache: {resolved.provider} has no cached catalog")
    tip = f" (did you mean '{resolved.suggestion}'?)" if resolved.suggestion else ""
    warn(state, f"'{resolved.model}' is not in {where}{tip}")
    if not force:
        raise NotFoundError(f"unknown model '{name}'; nothing written",
                            "check 'revka models list' or 'revka models refresh', or rerun "
                            "with --force to set it anyway")


def status(state, opts) -> None:
    """The effective provider and model, and where each came from."""
    provider, model, as_json = opts.provider, opts.model, opts.as_json
    from revka_cli.catalog.discover import cached_catalogs
    from revka_cli.catalog.listing import human_age, model_count, status as status_info
    from revka_cli.errors import ConfigError
    from revka_cli.providers.selection import select

    loaded = _load(state)
    cfg = loaded.config
    try:
        selection = select(cfg, provider_flag=provider, model_flag=model,
                           catalogs=cached_catalogs(cfg))
    except ConfigError:
        selection = None  # no model chosen yet
    info = status_info(cfg, selection)
    info["config"] = str(loaded.location.path) if loaded.location.path else None
    if as_json:
        out_json(info)
        return
    out(f"provider: {info['provider']} (from {info['provider_origin']})")
    if info["model"]:
        out(f"model:    {info['model']} (from {info['model_origin']})")
    else:
        out("model:    none (set one with 'revka models set NAME')")
    out(f"url:      {info['base_url'] or '-'}")
    cache = info["cache"]
    if cache is None:
        out("cache:    nothing cached (run 'revka models refresh')")
    elif cache["declared"]:
        out(f"cache:    {model_count(cache['models'])} declared in the config")
    else:
        fresh = "fresh" if cache["fresh"] else "stale"
        from revka_cli.textsafe import one_line

        failed = f"; last refresh failed: {one_line(cache['last_error'])}" if cache["last_error"] else ""
        out(f"cache:    {model_count(cache['models'])}, fetched {human_age(cache['fetched_at'])} "
            f"({fresh}){failed}")
    out(f"config:   {info['config'] or 'none (defaults)'}")
