//! Public-order penalty discretion (治安管理处罚裁量).
//!
//! * [`catalog`]: the statutory catalog of both versions of the law, as data;
//! * [`standard`]: discretion standards (situations, sub-ranges, base values, steps);
//! * [`rules`]: the general provisions (minors, mitigation, aggravation, not executing
//!   detention, limitation, several violations), each citing its article;
//! * [`assess`]: [`Engine::assess`] — pure and deterministic — and [`assess::combine`].
//!
//! A case decision step calls [`Engine::assess`] and records the [`Assessment`] (it is
//! `Serialize`); the same engine value can be shared across threads.

pub mod assess;
pub mod catalog;
pub mod rules;
pub mod standard;

pub use assess::{
    AssessError, AssessInput, Assessment, Combined, Outcome, Person, Reason, Recommended, Step,
    combine,
};
pub use catalog::{Catalog, CatalogError, LawVersion, TierKind};
pub use standard::{Standard, StandardError};

/// Loading failed: which file and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LoadError {
    #[error(transparent)]
    Catalog(#[from] CatalogError),
    #[error(transparent)]
    Standard(#[from] StandardError),
}

/// The 2025 catalog, the 2012 catalog and the discretion standard in force.
#[derive(Debug, Clone)]
pub struct Engine {
    pub catalog: Catalog,
    pub old: Catalog,
    pub standard: Standard,
}

impl Engine {
    /// The catalogs and the default standard shipped with the binary.
    pub fn builtin() -> Result<Engine, LoadError> {
        Engine::with_standard(standard::DEFAULT_STANDARD_TOML)
    }

    /// The shipped catalogs with a bureau's own standard (TOML text).
    pub fn with_standard(standard_toml: &str) -> Result<Engine, LoadError> {
        let catalog = Catalog::builtin_2025()?;
        let old = Catalog::builtin_2012()?;
        catalog.check_old_mappings(&old)?;
        let standard = Standard::parse(standard_toml, &catalog)?;
        Ok(Engine {
            catalog,
            old,
            standard,
        })
    }
}

#[cfg(test)]
mod tests;
