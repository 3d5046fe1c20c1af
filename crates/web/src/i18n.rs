//! Message catalogs: `locales/zh-CN.toml` and `locales/en.toml`, flat `key = "text"`.
//! A key missing from English falls back to Chinese; a key missing everywhere shows
//! itself (and a test checks that both catalogs have the same keys).

use std::collections::HashMap;
use std::sync::OnceLock;

use frontline_core::Lang;

static ZH: OnceLock<HashMap<String, String>> = OnceLock::new();
static EN: OnceLock<HashMap<String, String>> = OnceLock::new();

fn parse(src: &str) -> HashMap<String, String> {
    toml::from_str::<HashMap<String, String>>(src).unwrap_or_default()
}

pub fn catalog(lang: Lang) -> &'static HashMap<String, String> {
    match lang {
        Lang::Zh => ZH.get_or_init(|| parse(include_str!("../locales/zh-CN.toml"))),
        Lang::En => EN.get_or_init(|| parse(include_str!("../locales/en.toml"))),
    }
}

/// Translates `key`.
pub fn t(lang: Lang, key: &str) -> String {
    catalog(lang)
        .get(key)
        .or_else(|| catalog(Lang::Zh).get(key))
        .cloned()
        .unwrap_or_else(|| key.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalogs_parse_and_have_the_same_keys() {
        let zh = catalog(Lang::Zh);
        let en = catalog(Lang::En);
        assert!(zh.len() > 10, "zh catalog did not parse");
        let mut missing: Vec<_> = zh.keys().filter(|k| !en.contains_key(*k)).collect();
        missing.extend(en.keys().filter(|k| !zh.contains_key(*k)));
        assert!(missing.is_empty(), "keys not in both catalogs: {missing:?}");
    }
}
