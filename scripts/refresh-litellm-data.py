#!/usr/bin/env python3
"""Regenerates data/litellm.yaml from an installed LiteLLM, so the lists litegate checks
specs against are LiteLLM's own, not hand-copied.

    VENV/bin/python scripts/refresh-litellm-data.py > data/litellm.yaml

The provider policies (which types need apiBase or apiKey) are litegate's own judgement and
live in POLICY below: LiteLLM does not expose them as data.
"""
import contextlib
import io
import json
import os

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")

import litellm  # noqa: E402
from litellm.constants import OPENAI_CHAT_COMPLETION_PARAMS  # noqa: E402
from litellm.types.router import GenericLiteLLMParams, RoutingStrategy  # noqa: E402
from litellm.types.utils import all_litellm_params  # noqa: E402

POLICY = {
    # LiteLLM calls a default host, or for ollama spawns `ollama serve`, without api_base.
    "apiBaseRequired": [
        "azure", "azure_ai", "custom_openai", "docker_model_runner", "hosted_vllm", "infinity",
        "lemonade", "litellm_proxy", "llamafile", "lm_studio", "ollama", "ollama_chat",
        "oobabooga", "openai_like", "triton", "vllm", "xinference",
    ],
    # Hosted APIs that answer 401 without a key (unless `credentials` carry another login).
    "apiKeyRequired": [
        "ai21", "anthropic", "azure", "azure_ai", "cerebras", "codestral", "cohere", "cohere_chat",
        "deepinfra", "deepseek", "fireworks_ai", "gemini", "groq", "mistral", "openai",
        "openrouter", "perplexity", "sambanova", "together_ai", "voyage", "xai",
    ],
}

# Set by litegate from the spec's own fields; giving them in `params` is an error.
RESERVED = [
    "additional_drop_params", "api_base", "api_key", "api_version", "custom_llm_provider", "model",
    "rpm", "timeout", "tpm",
]


# Params LiteLLM passes on but lists in none of the sets above: the OpenAI SDK's own
# `extra_body` (merged into the upstream request body, e.g. vLLM's `chat_template_kwargs`).
EXTRA_PARAMS = ["extra_body"]

# LiteLLM's other endpoints, whose own params a deployment's litellm_params may carry
# (`dimensions` of an embedding model): every param of their signatures but the request's
# content and LiteLLM's call plumbing.
ENDPOINTS = ["embedding", "image_generation", "transcription", "speech", "rerank"]
REQUEST_CONTENT = {
    "input", "prompt", "file", "query", "documents", "kwargs", "client", "aspeech", "caching",
    "litellm_call_id", "logger_fn", "custom_llm_provider",
}


def endpoint_params():
    """Params LiteLLM reads outside chat completions: its endpoints' signatures, the
    provider param types it pops from litellm_params (watsonx `space_id`), and the
    dynamic prompt params its hooks read (`cache_control_injection_points`)."""
    import inspect

    from litellm.types.llms.watsonx import WatsonXAPIParams
    from litellm.types.utils import DynamicPromptManagementParamLiteral

    names = set()
    for endpoint in ENDPOINTS:
        names |= set(inspect.signature(getattr(litellm, endpoint)).parameters) - REQUEST_CONTENT
    names |= set(WatsonXAPIParams.__annotations__)
    names |= set(DynamicPromptManagementParamLiteral.list_all_params())
    return names


# Which spec field each variable LiteLLM falls back to fills, by the variable's suffix.
FALLBACK_FIELDS = {"_API_KEY": "api_key", "_API_BASE": "api_base", "_API_VERSION": "api_version"}


def env_fallbacks(providers):
    """For each provider that needs a key: the variables LiteLLM reads when the config gives
    no api_key (or api_base, api_version), as its own validate_environment names them."""
    out = {}
    for provider in providers:
        missing = litellm.validate_environment(model=f"{provider}/probe").get("missing_keys") or []
        fields = {}
        for var in missing:
            for suffix, field in FALLBACK_FIELDS.items():
                # gemini names GOOGLE_API_KEY and GEMINI_API_KEY: the provider's own wins.
                if var.endswith(suffix) and (field not in fields or var.startswith(provider.upper())):
                    fields[field] = var
        if fields:
            out[provider] = fields
    return out


def inferred_models(providers):
    """Model names without a provider prefix that LiteLLM's model map resolves to a provider
    (`gpt-4o` => openai), grouped by that provider: how LiteLLM reads an unprefixed model."""
    out = {}
    for name in litellm.model_cost:
        if "/" in name or name == "sample_spec":
            continue
        try:
            # It prints its provider list to stdout when it cannot tell.
            with contextlib.redirect_stdout(io.StringIO()):
                provider = litellm.get_llm_provider(name)[1]
        except Exception:  # noqa: BLE001 - LiteLLM drops such entries too
            continue
        if provider in providers:
            out.setdefault(provider, set()).add(name)
    return out


def model_info_fields(params):
    """The fields of LiteLLM's ModelInfo that are no litellm_params name
    (`supports_function_calling`): written under litellm_params they are forwarded to the
    provider, and import says where they belong."""
    import typing

    from litellm.types.utils import ModelInfoBase

    return sorted(set(typing.get_type_hints(ModelInfoBase)) - set(params))


def api_base_providers(providers):
    """The provider LiteLLM gives a model without a known prefix when its api_base is one
    of the OpenAI-compatible endpoints it knows (`api.groq.com/openai/v1` => groq), as
    its own get_llm_provider answers for each endpoint. Keyed by host and path, lowercase
    host, no trailing slash: the parts its `_endpoint_matches_api_base` compares."""
    from urllib.parse import urlparse

    out = {}
    for endpoint in litellm.openai_compatible_endpoints:
        url = endpoint if "://" in endpoint else f"https://{endpoint}"
        try:
            with contextlib.redirect_stdout(io.StringIO()):
                provider = litellm.get_llm_provider("litegate-probe", api_base=url)[1]
        except Exception:  # noqa: BLE001 - an endpoint LiteLLM lists but does not place
            continue
        if provider not in providers:
            continue
        parsed = urlparse(url)
        key = (parsed.hostname or "").lower() + parsed.path.rstrip("/")
        # One api_base can match two keys only if they share a host: then they must agree,
        # so the order LiteLLM tries them in does not matter here.
        for other, theirs in out.items():
            if other.split("/")[0] == key.split("/")[0] and theirs != provider:
                assert not (key.startswith(other + "/") or other.startswith(key + "/")), (key, other)
        out[key] = provider
    return out


JSON_TYPES = {str: "string", bool: "boolean", int: "integer", float: "number", dict: "object", list: "array"}


def json_types(annotation):
    """The JSON types a Python annotation allows (`float | None` => number), or None when
    a part of it is no plain JSON type (a class, `Any`): then the param is not typed here."""
    import collections.abc
    import types
    import typing

    if annotation is type(None):
        return set()
    origin = typing.get_origin(annotation)
    if getattr(origin, "_name", None) in ("ReadOnly", "Required", "NotRequired") or origin is typing.Annotated:
        return json_types(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        out = set()
        for arg in typing.get_args(annotation):
            part = json_types(arg)
            if part is None:
                return None
            out |= part
        return out
    if origin is typing.Literal:
        return {"string"} if all(isinstance(a, str) for a in typing.get_args(annotation)) else None
    base = origin or annotation
    if base in (collections.abc.Mapping,):
        base = dict
    if base in (collections.abc.Sequence,):
        base = list
    return {JSON_TYPES[base]} if base in JSON_TYPES else None


def param_types(names):
    """Each param's JSON types, as LiteLLM annotates it: GenericLiteLLMParams' fields, then
    LiteLLMParamsTypedDict's (`weight`, `order`, `max_parallel_requests`), then
    `litellm.completion`'s signature (the request params). Untyped params are left out."""
    import inspect
    import typing

    from litellm.types.router import LiteLLMParamsTypedDict

    annotations = {n: f.annotation for n, f in GenericLiteLLMParams.model_fields.items()}
    for n, a in typing.get_type_hints(LiteLLMParamsTypedDict, include_extras=True).items():
        annotations.setdefault(n, a)
    for n, p in inspect.signature(litellm.completion).parameters.items():
        if p.annotation is not inspect.Parameter.empty:
            annotations.setdefault(n, p.annotation)
    out = {}
    for name in sorted(names):
        if name in annotations and (types := json_types(annotations[name])):
            out[name] = sorted(types)
    return out


def block(name, items):
    lines = [f"{name}:"]
    lines += [f"  - {item}" for item in items]
    return "\n".join(lines)


def main():
    providers = sorted({p.value for p in litellm.LlmProviders})
    request = sorted(set(OPENAI_CHAT_COMPLETION_PARAMS))
    deployment = sorted(set(GenericLiteLLMParams.model_fields) - set(RESERVED))
    strategies = ["simple-shuffle"] + sorted(r.value for r in RoutingStrategy)
    # Every param LiteLLM itself reads from litellm_params, but its internal `_` ones.
    known = set(request) | set(deployment) | set(RESERVED)
    litellm_params = sorted(
        p for p in set(all_litellm_params) | set(EXTRA_PARAMS) if p not in known and not p.startswith("_")
    )
    known |= set(litellm_params)
    endpoint = sorted(p for p in endpoint_params() if p not in known)
    print(f"# Generated by scripts/refresh-litellm-data.py from litellm {VERSION}.")
    print("# Do not edit by hand: change POLICY/RESERVED in the script, or regenerate for a new LiteLLM.")
    print(f"litellmVersion: \"{VERSION}\"")
    for key, items in POLICY.items():
        print(block(key, sorted(items)))
    print(block("reservedParams", RESERVED))
    print(block("providerTypes", providers))
    print(block("requestParams", request))
    print(block("deploymentParams", deployment))
    print(block("litellmParams", litellm_params))
    print(block("endpointParams", endpoint))
    print(block("modelInfoFields", model_info_fields(known | set(endpoint))))
    print(block("routingStrategies", strategies))
    print("paramTypes:")
    for name, types in param_types(set(request) | set(deployment) | set(litellm_params)).items():
        print(f"  {name}: [{', '.join(types)}]")
    print("envFallbacks:")
    for provider, fields in sorted(env_fallbacks(POLICY["apiKeyRequired"]).items()):
        print(f"  {provider}: {{{', '.join(f'{k}: {v}' for k, v in sorted(fields.items()))}}}")
    print("apiBaseProviders:")
    for endpoint, provider in sorted(api_base_providers(set(providers)).items()):
        print(f"  {json.dumps(endpoint)}: {provider}")
    print("inferredModels:")
    for provider, names in sorted(inferred_models(set(providers)).items()):
        print(f"  {provider}: [{', '.join(json.dumps(n) for n in sorted(names))}]")


if __name__ == "__main__":
    from importlib.metadata import version

    VERSION = version("litellm")
    main()
