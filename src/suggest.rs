//! Did-you-mean: the closest known name to a misspelt one.

/// Jaro similarity at or above which a candidate is offered (clap's cutoff; Jaro-Winkler
/// over-rates the long shared prefixes common in Kubernetes keys).
const CUTOFF: f64 = 0.7;

/// The best candidate at or above the cutoff, ties broken by the candidates' order.
pub fn did_you_mean<'a>(
    input: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let mut best: Option<(f64, &str)> = None;
    for candidate in candidates {
        let score = strsim::jaro(input, candidate);
        if score >= CUTOFF && best.is_none_or(|(s, _)| score > s) {
            best = Some((score, candidate));
        }
    }
    best.map(|(_, c)| c)
}

/// `did you mean "x"?`, ready for a diagnostic's help line.
pub fn help<'a>(input: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<String> {
    did_you_mean(input, candidates).map(phrase)
}

/// The help line offering `suggestion`.
pub fn phrase(suggestion: &str) -> String {
    format!("did you mean \"{suggestion}\"?")
}

#[cfg(test)]
mod tests {
    use super::did_you_mean;

    #[test]
    fn suggests_the_closest_provider_type() {
        let types = ["openai", "anthropic", "ollama", "ollama_chat", "azure"];
        assert_eq!(did_you_mean("opnai", types), Some("openai"));
        assert_eq!(did_you_mean("antropic", types), Some("anthropic"));
        assert_eq!(did_you_mean("ollama-chat", types), Some("ollama_chat"));
    }

    #[test]
    fn offers_nothing_for_an_unrelated_name() {
        assert_eq!(did_you_mean("zzz", ["openai", "anthropic"]), None);
    }

    #[test]
    fn does_not_overrate_long_shared_prefixes() {
        // Jaro-Winkler would offer terminationGracePeriodSeconds here; Jaro keeps the right one.
        let fields = ["terminationGracePeriodSeconds", "preStopSleepSeconds"];
        assert_eq!(
            did_you_mean("preStopSleepSecond", fields),
            Some("preStopSleepSeconds")
        );
    }
}
