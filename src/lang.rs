//! Language tags (`[book] language`): the one rule by which the interface strings and the
//! number formats fall back from a regional tag to its language.

/// The tag lowercased, `_` read as `-`, then each shorter prefix: `pt_BR` → `pt-br`, `pt`.
/// Empty for an empty tag. Callers add their own last resort (English).
pub(crate) fn fallbacks(language: &str) -> Vec<String> {
    let tag = language.trim().replace('_', "-").to_ascii_lowercase();
    let mut chain = Vec::new();
    let mut rest = tag.as_str();
    while !rest.is_empty() {
        chain.push(rest.to_string());
        rest = rest.rfind('-').map_or("", |i| &rest[..i]);
    }
    chain
}

#[cfg(test)]
mod tests {
    use super::fallbacks;

    #[test]
    fn regions_and_scripts_fall_back_to_the_language() {
        assert_eq!(fallbacks("pt-BR"), ["pt-br", "pt"]);
        assert_eq!(fallbacks(" zh_Hant_TW "), ["zh-hant-tw", "zh-hant", "zh"]);
        assert_eq!(fallbacks("fr"), ["fr"]);
        assert!(fallbacks("").is_empty());
    }
}
