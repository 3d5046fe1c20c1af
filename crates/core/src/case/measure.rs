//! Coercive measures (强制措施) on a case's party: each is started with its deadlines
//! (from `data/case-deadlines.toml`), records the acts the law times (送押、通知家属、
//! 讯问), and ends (released, changed, or the time served).

use super::CaseKind;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum MeasureKind {
    /// 传唤（行政：询问查证；刑事：传唤、拘传）.
    Summons,
    /// 刑事拘留.
    Detention,
    /// 提请批准逮捕.
    ArrestRequest,
    /// 取保候审.
    Bail,
    /// 监视居住.
    ResidentialSurveillance,
}

impl MeasureKind {
    pub const ALL: [MeasureKind; 5] = [
        MeasureKind::Summons,
        MeasureKind::Detention,
        MeasureKind::ArrestRequest,
        MeasureKind::Bail,
        MeasureKind::ResidentialSurveillance,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            MeasureKind::Summons => "summons",
            MeasureKind::Detention => "detention",
            MeasureKind::ArrestRequest => "arrest_request",
            MeasureKind::Bail => "bail",
            MeasureKind::ResidentialSurveillance => "residential_surveillance",
        }
    }

    pub fn parse(s: &str) -> Option<MeasureKind> {
        MeasureKind::ALL.into_iter().find(|m| m.as_str() == s)
    }

    /// Whether a case of `kind` takes this measure (an administrative case summons and
    /// questions; the rest belong to criminal procedure).
    pub fn applies_to(self, kind: CaseKind) -> bool {
        kind == CaseKind::Criminal || self == MeasureKind::Summons
    }

    pub fn name_zh(self, kind: CaseKind) -> &'static str {
        match (self, kind) {
            (MeasureKind::Summons, CaseKind::Administrative) => "传唤（询问查证）",
            (MeasureKind::Summons, CaseKind::Criminal) => "传唤、拘传",
            (MeasureKind::Detention, _) => "刑事拘留",
            (MeasureKind::ArrestRequest, _) => "提请批准逮捕",
            (MeasureKind::Bail, _) => "取保候审",
            (MeasureKind::ResidentialSurveillance, _) => "监视居住",
        }
    }

    pub fn name_en(self, kind: CaseKind) -> &'static str {
        match (self, kind) {
            (MeasureKind::Summons, CaseKind::Administrative) => "Summons and questioning",
            (MeasureKind::Summons, CaseKind::Criminal) => "Summons or compelled appearance",
            (MeasureKind::Detention, _) => "Criminal detention",
            (MeasureKind::ArrestRequest, _) => "Request for arrest approval",
            (MeasureKind::Bail, _) => "Bail pending trial",
            (MeasureKind::ResidentialSurveillance, _) => "Residential surveillance",
        }
    }
}

/// An act recorded on a running measure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum MeasureAct {
    /// 送看守所羁押.
    LockUp,
    /// 通知家属.
    NotifyFamily,
    /// 讯问.
    Interrogate,
    /// 解除、变更或期满 (the measure ends; its deadlines still running are met).
    End,
}

impl MeasureAct {
    pub const ALL: [MeasureAct; 4] = [
        MeasureAct::LockUp,
        MeasureAct::NotifyFamily,
        MeasureAct::Interrogate,
        MeasureAct::End,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            MeasureAct::LockUp => "lock_up",
            MeasureAct::NotifyFamily => "notify_family",
            MeasureAct::Interrogate => "interrogate",
            MeasureAct::End => "end",
        }
    }

    pub fn parse(s: &str) -> Option<MeasureAct> {
        MeasureAct::ALL.into_iter().find(|m| m.as_str() == s)
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            MeasureAct::LockUp => "送看守所羁押",
            MeasureAct::NotifyFamily => "通知家属",
            MeasureAct::Interrogate => "讯问",
            MeasureAct::End => "解除/变更/期满",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            MeasureAct::LockUp => "Taken to the detention centre",
            MeasureAct::NotifyFamily => "Family told",
            MeasureAct::Interrogate => "Interrogated",
            MeasureAct::End => "Ended",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_kinds_apply() {
        for m in MeasureKind::ALL {
            assert_eq!(MeasureKind::parse(m.as_str()), Some(m));
        }
        for a in MeasureAct::ALL {
            assert_eq!(MeasureAct::parse(a.as_str()), Some(a));
        }
        assert!(MeasureKind::Summons.applies_to(CaseKind::Administrative));
        assert!(!MeasureKind::Detention.applies_to(CaseKind::Administrative));
        assert!(MeasureKind::Bail.applies_to(CaseKind::Criminal));
    }
}
