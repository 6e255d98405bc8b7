// The catalog's types, shared by build.rs (which reads data/litellm.yaml into them and
// writes them out as a Rust static) and by the crate (which uses that static as it is).
// Included with `include!`, so no inner doc comment here. A new list in the YAML is a new
// `NameSet` field here and nothing else: build.rs writes any field it is given.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

/// A name: owned while build.rs reads the YAML, borrowed from the binary at run time.
pub type Name = Cow<'static, str>;

/// What LiteLLM accepts. Serialized with the Rust field names: that is what build.rs
/// writes as the initialiser of the static.
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all(deserialize = "camelCase"))]
pub struct Catalog {
    /// The LiteLLM release the lists were read from.
    pub litellm_version: Name,
    pub api_base_required: NameSet,
    pub api_key_required: NameSet,
    pub reserved_params: NameSet,
    pub provider_types: NameSet,
    /// OpenAI-style request params: valid in `params` and `dropParams`.
    pub request_params: NameSet,
    /// Deployment-level `litellm_params`: valid in `params` and provider `params`/`credentials`.
    pub deployment_params: NameSet,
    /// Every other param LiteLLM reads from `litellm_params` (its `all_litellm_params`).
    pub litellm_params: NameSet,
    /// Params of LiteLLM's other endpoints and provider param types it reads from
    /// `litellm_params` (`dimensions`, watsonx `space_id`, `cache_control_injection_points`).
    pub endpoint_params: NameSet,
    /// Fields of LiteLLM's `ModelInfo` that are no param (`supports_function_calling`).
    pub model_info_fields: NameSet,
    pub routing_strategies: NameSet,
    /// Param => the JSON types LiteLLM's annotation of it allows (`weight` => `number`):
    /// GenericLiteLLMParams' fields and `litellm.completion`'s signature; untyped ones absent.
    pub param_types: NameMap<NameSet>,
    /// Provider type => `litellm_params` field => the variable LiteLLM reads when the
    /// config leaves the field out (`openai` => `api_key` => `OPENAI_API_KEY`).
    pub env_fallbacks: NameMap<NameMap<Name>>,
    /// An OpenAI-compatible endpoint LiteLLM knows (`api.groq.com/openai/v1`: lowercase
    /// host and path) => the provider it gives a model without a known prefix there.
    pub api_base_providers: NameMap<Name>,
    /// Provider type => model names LiteLLM's model map resolves to it without a prefix.
    pub inferred_models: NameMap<NameSet>,
}

/// A set of names, sorted and without repeats (as `BTreeSet` iterates), searched by
/// bisection: a static table needs no allocation and no start-up work.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(from = "Vec<Name>")]
pub struct NameSet(Cow<'static, [Name]>);

impl From<Vec<Name>> for NameSet {
    fn from(mut names: Vec<Name>) -> Self {
        names.sort();
        names.dedup();
        NameSet(Cow::Owned(names))
    }
}

impl NameSet {
    pub fn contains(&self, name: &str) -> bool {
        self.0.binary_search_by(|n| n.as_ref().cmp(name)).is_ok()
    }

    /// The names in sorted order.
    pub fn iter(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(|n| n.as_ref())
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl<'a> IntoIterator for &'a NameSet {
    type Item = &'a str;
    type IntoIter = std::iter::Map<std::slice::Iter<'a, Name>, fn(&'a Name) -> &'a str>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter().map(|n| n.as_ref())
    }
}

/// One entry of a [`NameMap`]; a struct because a static table has no tuples here.
#[derive(Debug, Clone, Serialize)]
pub struct Entry<V: Clone + 'static> {
    pub name: Name,
    pub value: V,
}

/// A map from names, sorted by name (as `BTreeMap` iterates), searched by bisection.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(
    from = "std::collections::BTreeMap<Name, V>",
    bound(deserialize = "V: Deserialize<'de>")
)]
pub struct NameMap<V: Clone + 'static>(Cow<'static, [Entry<V>]>);

impl<V: Clone + 'static> From<std::collections::BTreeMap<Name, V>> for NameMap<V> {
    fn from(map: std::collections::BTreeMap<Name, V>) -> Self {
        NameMap(Cow::Owned(
            map.into_iter()
                .map(|(name, value)| Entry { name, value })
                .collect(),
        ))
    }
}

impl<V: Clone + 'static> NameMap<V> {
    pub fn get(&self, name: &str) -> Option<&V> {
        self.0
            .binary_search_by(|e| e.name.as_ref().cmp(name))
            .ok()
            .map(|i| &self.0[i].value)
    }

    /// The entries in name order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &V)> {
        self.0.iter().map(|e| (e.name.as_ref(), &e.value))
    }

    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(|e| e.name.as_ref())
    }
}
