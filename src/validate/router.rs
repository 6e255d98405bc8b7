//! `router:`: a known strategy, and fallbacks that name real models without cycles.

use std::collections::{BTreeMap, BTreeSet};

use crate::diagnostics::{Code, Diagnostic};
use crate::spec::Gateway;
use crate::suggest;

use super::catalog::catalog;

pub fn check(spec: &Gateway, out: &mut Vec<Diagnostic>) {
    let router = &spec.router;
    if let Some(strategy) = &router.strategy {
        let known = &catalog().routing_strategies;
        if !known.contains(strategy) {
            let mut d = Diagnostic::error(
                Code::E026,
                "router.strategy",
                format!("unknown routing strategy \"{strategy}\""),
            );
            if let Some(help) = suggest::help(strategy, known.iter()) {
                d = d.with_help(help);
            }
            out.push(d);
        }
    }
    let names: BTreeSet<&str> = spec.models.iter().map(|m| m.name.as_str()).collect();
    fallbacks("router.fallbacks", &router.fallbacks, &names, out);
    fallbacks(
        "router.contextWindowFallbacks",
        &router.context_window_fallbacks,
        &names,
        out,
    );
}

fn fallbacks(
    path: &str,
    map: &BTreeMap<String, Vec<String>>,
    names: &BTreeSet<&str>,
    out: &mut Vec<Diagnostic>,
) {
    for (from, targets) in map {
        let at = format!("{path}.{from}");
        if !names.contains(from.as_str()) {
            out.push(unknown_model(&at, from, names));
        }
        for (i, to) in targets.iter().enumerate() {
            let at = format!("{at}[{i}]");
            if to == from {
                out.push(Diagnostic::error(
                    Code::E017,
                    &at,
                    format!("\"{from}\" falls back to itself"),
                ));
            } else if !names.contains(to.as_str()) {
                out.push(unknown_model(&at, to, names));
            }
        }
    }
    // Mutual fallbacks ("either backs up the other") are common and LiteLLM accepts them:
    // it counts hops and stops at max_fallbacks (5 by default), so a cycle costs at most
    // that many extra attempts. Worth a look, not a refusal.
    if let Some(cycle) = find_cycle(map) {
        out.push(
            Diagnostic::warning(
                Code::W009,
                path,
                format!("fallbacks form a cycle: {}", cycle.join(" -> ")),
            )
            .with_help("LiteLLM accepts it and stops after router_settings.max_fallbacks hops (5 by default): a failing request may try these models that many times"),
        );
    }
}

fn unknown_model(path: &str, name: &str, names: &BTreeSet<&str>) -> Diagnostic {
    let d = Diagnostic::error(
        Code::E017,
        path,
        format!("fallback names unknown model \"{name}\""),
    );
    match suggest::help(name, names.iter().copied()) {
        Some(help) => d.with_help(help),
        None => d,
    }
}

/// The first cycle (longer than a self-loop, reported separately) in name order, if any.
fn find_cycle(map: &BTreeMap<String, Vec<String>>) -> Option<Vec<String>> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        Visiting,
        Done,
    }
    fn visit<'a>(
        node: &'a str,
        map: &'a BTreeMap<String, Vec<String>>,
        marks: &mut BTreeMap<&'a str, Mark>,
        stack: &mut Vec<&'a str>,
    ) -> Option<Vec<String>> {
        marks.insert(node, Mark::Visiting);
        stack.push(node);
        for next in map.get(node).into_iter().flatten() {
            if next == node {
                continue;
            }
            match marks.get(next.as_str()) {
                Some(Mark::Visiting) => {
                    let start = stack.iter().position(|n| *n == next)?;
                    let mut cycle: Vec<String> =
                        stack[start..].iter().map(|s| s.to_string()).collect();
                    cycle.push(next.clone());
                    return Some(cycle);
                }
                Some(Mark::Done) => {}
                None => {
                    if let Some(cycle) = visit(next, map, marks, stack) {
                        return Some(cycle);
                    }
                }
            }
        }
        stack.pop();
        marks.insert(node, Mark::Done);
        None
    }
    let mut marks = BTreeMap::new();
    for node in map.keys() {
        if !marks.contains_key(node.as_str()) {
            let mut stack = Vec::new();
            if let Some(cycle) = visit(node, map, &mut marks, &mut stack) {
                return Some(cycle);
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(edges: &[(&str, &[&str])]) -> BTreeMap<String, Vec<String>> {
        edges
            .iter()
            .map(|(k, v)| (k.to_string(), v.iter().map(|s| s.to_string()).collect()))
            .collect()
    }

    #[test]
    fn finds_a_three_step_cycle() {
        let m = map(&[("a", &["b"]), ("b", &["c"]), ("c", &["a"])]);
        assert_eq!(
            find_cycle(&m),
            Some(vec!["a".into(), "b".into(), "c".into(), "a".into()])
        );
    }

    #[test]
    fn a_diamond_is_not_a_cycle() {
        let m = map(&[("a", &["b", "c"]), ("b", &["d"]), ("c", &["d"])]);
        assert_eq!(find_cycle(&m), None);
    }
}
