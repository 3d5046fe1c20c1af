//! Incident categories (警情类别) as data.
//!
//! The tree has exactly two levels: top-level categories (e.g. `criminal` 刑事) and
//! their sub-categories (e.g. `criminal.theft` 盗窃). Incidents are filed against a
//! sub-category (a leaf); a list filter may name a top-level category, meaning all of
//! its sub-categories (see [`CategoryTree::expand`]).
//!
//! The built-in tree is `data/incident-categories.toml`; an administrator may supply a
//! replacement, which [`CategoryTree::parse`] validates and refuses, naming the
//! offending code, if it breaks the rules.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::error::Lang;

/// The category file shipped with the binary.
pub const BUILTIN_TOML: &str = include_str!("../../../../data/incident-categories.toml");

/// One node of the category tree. Top-level nodes have children; sub-categories
/// (leaves) have none.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Category {
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub children: Vec<Category>,
}

impl Category {
    /// The name in the requested language.
    pub fn name(&self, lang: Lang) -> &str {
        match lang {
            Lang::Zh => &self.name_zh,
            Lang::En => &self.name_en,
        }
    }
}

/// The on-disk shape: `[[category]]` tables.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CategoryFile {
    #[serde(default)]
    category: Vec<Category>,
}

/// A validated two-level category tree with an O(1) index by code.
#[derive(Debug, Clone, Serialize)]
pub struct CategoryTree {
    #[serde(rename = "category")]
    roots: Vec<Category>,
    /// code -> (root index, child index); child index is `None` for a top-level code.
    #[serde(skip)]
    index: HashMap<String, (usize, Option<usize>)>,
}

fn valid_segment(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')
}

fn check_names(c: &Category) -> Result<(), String> {
    if c.name_zh.trim().is_empty() {
        return Err(format!("category {:?}: name_zh must not be empty", c.code));
    }
    if c.name_en.trim().is_empty() {
        return Err(format!("category {:?}: name_en must not be empty", c.code));
    }
    Ok(())
}

impl CategoryTree {
    /// Parses and validates a category file.
    ///
    /// Rules: exactly two levels (every top-level category has at least one
    /// sub-category, sub-categories have none); codes are unique and made of
    /// `[a-z_.]`; a top-level code has no `.`; a sub-category code is
    /// `<parent>.<sub>` with `<sub>` made of `[a-z_]`; both names are non-empty.
    /// The error names the offending code.
    pub fn parse(toml_text: &str) -> Result<CategoryTree, String> {
        let file: CategoryFile = toml::from_str(toml_text)
            .map_err(|e| format!("incident categories: invalid TOML: {e}"))?;
        Self::from_roots(file.category)
    }

    /// Validates an already-built list of top-level categories.
    pub fn from_roots(roots: Vec<Category>) -> Result<CategoryTree, String> {
        if roots.is_empty() {
            return Err("incident categories: no categories defined".to_string());
        }
        let mut index: HashMap<String, (usize, Option<usize>)> = HashMap::new();
        for (ri, root) in roots.iter().enumerate() {
            if !valid_segment(&root.code) {
                return Err(format!(
                    "category {:?}: a top-level code must be non-empty and use only a-z and _",
                    root.code
                ));
            }
            check_names(root)?;
            if root.children.is_empty() {
                return Err(format!(
                    "category {:?}: a top-level category needs at least one sub-category",
                    root.code
                ));
            }
            if index.insert(root.code.clone(), (ri, None)).is_some() {
                return Err(format!("category {:?}: duplicate code", root.code));
            }
            for (ci, child) in root.children.iter().enumerate() {
                let Some(sub) = child
                    .code
                    .strip_prefix(root.code.as_str())
                    .and_then(|rest| rest.strip_prefix('.'))
                else {
                    return Err(format!(
                        "category {:?}: a sub-category code must start with \"{}.\"",
                        child.code, root.code
                    ));
                };
                if !valid_segment(sub) {
                    return Err(format!(
                        "category {:?}: a sub-category code must be \"{}.<sub>\" with <sub> using only a-z and _",
                        child.code, root.code
                    ));
                }
                check_names(child)?;
                if let Some(grandchild) = child.children.first() {
                    return Err(format!(
                        "category {:?}: only two levels are allowed, but it has a sub-category {:?}",
                        child.code, grandchild.code
                    ));
                }
                if index.insert(child.code.clone(), (ri, Some(ci))).is_some() {
                    return Err(format!("category {:?}: duplicate code", child.code));
                }
            }
        }
        Ok(CategoryTree { roots, index })
    }

    /// The tree shipped with the binary (`data/incident-categories.toml`).
    pub fn builtin() -> Result<CategoryTree, String> {
        Self::parse(BUILTIN_TOML)
    }

    /// Top-level categories in file order.
    pub fn roots(&self) -> &[Category] {
        &self.roots
    }

    /// Looks a code up (top-level or sub-category) in O(1).
    pub fn get(&self, code: &str) -> Option<&Category> {
        let &(ri, ci) = self.index.get(code)?;
        let root = self.roots.get(ri)?;
        match ci {
            None => Some(root),
            Some(ci) => root.children.get(ci),
        }
    }

    /// The top-level category a code belongs to (itself for a top-level code).
    pub fn root_of(&self, code: &str) -> Option<&Category> {
        let &(ri, _) = self.index.get(code)?;
        self.roots.get(ri)
    }

    /// Whether `code` is a sub-category, i.e. something an incident can be filed against.
    pub fn is_leaf(&self, code: &str) -> bool {
        matches!(self.index.get(code), Some((_, Some(_))))
    }

    /// Whether `code` is a top-level category.
    pub fn is_root(&self, code: &str) -> bool {
        matches!(self.index.get(code), Some((_, None)))
    }

    /// The name of a category in the requested language.
    pub fn name(&self, code: &str, lang: Lang) -> Option<&str> {
        self.get(code).map(|c| c.name(lang))
    }

    /// All sub-categories (leaves), in file order.
    pub fn leaves(&self) -> impl Iterator<Item = &Category> {
        self.roots.iter().flat_map(|r| r.children.iter())
    }

    /// The leaf codes a filter code covers: a top-level code covers all of its
    /// sub-categories, a sub-category covers itself; `None` for an unknown code.
    pub fn expand(&self, code: &str) -> Option<Vec<&str>> {
        let &(ri, ci) = self.index.get(code)?;
        let root = self.roots.get(ri)?;
        match ci {
            None => Some(root.children.iter().map(|c| c.code.as_str()).collect()),
            Some(ci) => root.children.get(ci).map(|c| vec![c.code.as_str()]),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn builtin() -> CategoryTree {
        CategoryTree::builtin().expect("builtin categories must load")
    }

    #[test]
    fn category_builtin_loads_with_all_roots() {
        let t = builtin();
        let roots: Vec<&str> = t.roots().iter().map(|c| c.code.as_str()).collect();
        assert_eq!(
            roots,
            [
                "criminal",
                "public_order",
                "traffic",
                "dispute",
                "assistance",
                "lost_missing",
                "fire",
                "other"
            ]
        );
        for r in t.roots() {
            assert!(
                (4..=10).contains(&r.children.len()),
                "{} has {} children",
                r.code,
                r.children.len()
            );
        }
        assert_eq!(t.name("fire", Lang::Zh), Some("火灾"));
        assert_eq!(t.name("dispute.neighbour", Lang::Zh), Some("邻里纠纷"));
        assert_eq!(t.name("criminal.theft", Lang::En), Some("Theft"));
        assert!(t.is_leaf("criminal.fraud"));
        assert!(t.is_leaf("lost_missing.missing_person"));
        assert!(t.is_leaf("assistance.locked_out"));
        assert!(t.is_leaf("traffic.accident_property"));
        assert!(!t.is_leaf("criminal"));
        assert!(t.is_root("criminal"));
        assert!(!t.is_leaf("nope"));
        assert!(t.get("nope").is_none());
        assert_eq!(
            t.root_of("public_order.fight").map(|c| c.code.as_str()),
            Some("public_order")
        );
    }

    #[test]
    fn category_expand_and_leaves() {
        let t = builtin();
        let fire = t.expand("fire").expect("fire is known");
        assert!(fire.contains(&"fire.building"));
        assert!(fire.iter().all(|c| c.starts_with("fire.")));
        assert_eq!(t.expand("fire.vehicle"), Some(vec!["fire.vehicle"]));
        assert_eq!(t.expand("unknown"), None);
        let leaves: Vec<&str> = t.leaves().map(|c| c.code.as_str()).collect();
        assert!(leaves.iter().all(|c| t.is_leaf(c)));
        let total: usize = t.roots().iter().map(|r| r.children.len()).sum();
        assert_eq!(leaves.len(), total);
        for r in t.roots() {
            assert_eq!(t.get(&r.code), Some(r));
            for c in &r.children {
                assert_eq!(t.get(&c.code), Some(c));
            }
        }
    }

    #[test]
    fn category_serializes_back_to_equal_tree() {
        let t = builtin();
        let text = toml::to_string(&t).expect("serialize");
        let again = CategoryTree::parse(&text).expect("reparse");
        assert_eq!(t.roots(), again.roots());
    }

    const GOOD_HEAD: &str = r#"
[[category]]
code = "a"
name_zh = "甲"
name_en = "A"
  [[category.children]]
  code = "a.x"
  name_zh = "甲一"
  name_en = "A x"
"#;

    #[test]
    fn category_minimal_ok() {
        let t = CategoryTree::parse(GOOD_HEAD).expect("ok");
        assert_eq!(t.expand("a"), Some(vec!["a.x"]));
    }

    fn err_of(extra: &str) -> String {
        let text = format!("{GOOD_HEAD}{extra}");
        match CategoryTree::parse(&text) {
            Ok(_) => panic!("expected an error for:\n{text}"),
            Err(e) => e,
        }
    }

    #[test]
    fn category_duplicate_code_rejected() {
        let e = err_of(
            r#"
  [[category.children]]
  code = "a.x"
  name_zh = "重复"
  name_en = "Dup"
"#,
        );
        assert!(e.contains("\"a.x\"") && e.contains("duplicate"), "{e}");

        let e = err_of(
            r#"
[[category]]
code = "a"
name_zh = "甲"
name_en = "A"
  [[category.children]]
  code = "a.y"
  name_zh = "甲二"
  name_en = "A y"
"#,
        );
        assert!(e.contains("\"a\"") && e.contains("duplicate"), "{e}");
    }

    #[test]
    fn category_three_levels_rejected() {
        let e = err_of(
            r#"
  [[category.children]]
  code = "a.y"
  name_zh = "甲二"
  name_en = "A y"
    [[category.children.children]]
    code = "a.y.z"
    name_zh = "甲二一"
    name_en = "A y z"
"#,
        );
        assert!(e.contains("\"a.y\"") && e.contains("two levels"), "{e}");
    }

    #[test]
    fn category_bad_prefix_rejected() {
        let e = err_of(
            r#"
  [[category.children]]
  code = "b.y"
  name_zh = "乙"
  name_en = "B y"
"#,
        );
        assert!(e.contains("\"b.y\""), "{e}");
        // "ab.y" starts with "a" but not with "a."
        let e = err_of(
            r#"
  [[category.children]]
  code = "ab.y"
  name_zh = "乙"
  name_en = "B y"
"#,
        );
        assert!(e.contains("\"ab.y\""), "{e}");
    }

    #[test]
    fn category_bad_codes_and_names_rejected() {
        let e = err_of(
            r#"
  [[category.children]]
  code = "a.Bad"
  name_zh = "乙"
  name_en = "B"
"#,
        );
        assert!(e.contains("\"a.Bad\""), "{e}");
        let e = err_of(
            r#"
  [[category.children]]
  code = "a."
  name_zh = "乙"
  name_en = "B"
"#,
        );
        assert!(e.contains("\"a.\""), "{e}");
        let e = err_of(
            r#"
  [[category.children]]
  code = "a.y"
  name_zh = "  "
  name_en = "B"
"#,
        );
        assert!(e.contains("\"a.y\"") && e.contains("name_zh"), "{e}");
        let e = err_of(
            r#"
[[category]]
code = "c"
name_zh = "丙"
name_en = "C"
"#,
        );
        assert!(e.contains("\"c\"") && e.contains("at least one"), "{e}");
        let e = err_of(
            r#"
[[category]]
code = "d.e"
name_zh = "丁"
name_en = "D"
"#,
        );
        assert!(e.contains("\"d.e\""), "{e}");
        assert!(CategoryTree::parse("").is_err());
        assert!(CategoryTree::parse("[[category]]\ncode = 1").is_err());
        let e = err_of(
            r#"
  [[category.children]]
  code = "a.z"
  name_zh = "乙"
  name_en = "B"
  colour = "red"
"#,
        );
        assert!(e.contains("colour"), "{e}");
    }
}
