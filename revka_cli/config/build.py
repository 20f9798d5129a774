"""Turn a checked config mapping into the frozen `Config`."""

from __future__ import annotations

from revka_cli.config.settings import (
    Config, CustomModels, DoctorThresholds, Models, Multimodal, Pacing, ProviderSettings, Reliability, Runtime,
    frozen_map,
)

_SECTIONS = ("runtime", "reliability", "multimodal", "pacing", "models", "providers", "origins")


def _pick(cls, values: dict | None, **overrides):
    values = dict(values or {})
    values.update(overrides)
    return cls(**{k: v for k, v in values.items() if k in cls._fields})


def build_config(data: dict, origins: dict[str, str]) -> Config:
    models = data.get("models") or {}
    custom = models.get("custom") or {}
    reliability = data.get("reliability") or {}
    providers = {
        pid: _pick(ProviderSettings, table, extra_headers=frozen_map(table.get("extra_headers")),
                   doctor=_pick(DoctorThresholds, table["doctor"]) if table.get("doctor") else None,
                   options=frozen_map(table.get("options")))
        for pid, table in (data.get("providers") or {}).items()
    }
    top = {k: v for k, v in data.items() if k not in _SECTIONS}
    return _pick(
        Config, top,
        extra_headers=frozen_map(top.get("extra_headers")),
        env_headers=frozen_map(top.get("env_headers")),
        options=frozen_map(top.get("options")),
        runtime=_pick(Runtime, data.get("runtime")),
        reliability=_pick(Reliability, reliability,
                          model_fallbacks=frozen_map(reliability.get("model_fallbacks"))),
        multimodal=_pick(Multimodal, data.get("multimodal")),
        pacing=_pick(Pacing, data.get("pacing")),
        models=Models(default=models.get("default"),
                      custom=_pick(CustomModels, custom,
                                   available_models=frozen_map(custom.get("available_models")))),
        providers=frozen_map(providers),
        origins=frozen_map(origins),
    )
