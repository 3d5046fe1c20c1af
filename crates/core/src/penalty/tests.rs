#![allow(clippy::unwrap_used)]
use super::*;

#[test]
fn builtin_loads() {
    let e = Engine::builtin().unwrap();
    assert_eq!(e.catalog.articles.len(), 64);
}
