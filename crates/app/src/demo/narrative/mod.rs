//! Incident narratives: one file per category root, then a generic sentence.

mod assistance;
mod criminal;
mod dispute;
mod fire;
mod lost_missing;
mod other;
mod public_order;
mod traffic;

use crate::demo::incident::Ctx;
use crate::demo::rng::Rng;

type Compose = fn(&mut Rng, &str, &Ctx<'_>) -> Option<(String, String)>;

const ROOTS: [Compose; 8] = [
    criminal::compose,
    public_order::compose,
    traffic::compose,
    dispute::compose,
    assistance::compose,
    lost_missing::compose,
    fire::compose,
    other::compose,
];

/// Narrative and address for one incident of sub-category `code`.
pub(super) fn compose(r: &mut Rng, code: &str, name_zh: &str, c: &Ctx<'_>) -> (String, String) {
    for root in ROOTS {
        if let Some(out) = root(r, code, c) {
            return out;
        }
    }
    // A sub-category this plan has no template for (e.g. from a replaced file).
    let when = c.when.as_str();
    let spot = c.spot(r);
    (
        format!("报警人反映{when}在{spot}发生“{name_zh}”相关情况，请求民警到场处理。"),
        c.addr_road(),
    )
}

/// An optional second sentence that fits the sub-category.
pub(super) fn closing(r: &mut Rng, code: &str, root: &str) -> Option<&'static str> {
    let options: &[&str] = match (code, root) {
        // These read complete on their own (or bring their own second sentence).
        (
            "criminal.fraud"
            | "criminal.other"
            | "public_order.harassment"
            | "public_order.gambling"
            | "lost_missing.found_item"
            | "lost_missing.missing_child"
            | "lost_missing.lost_documents",
            _,
        ) => &[],
        ("public_order.noise" | "public_order.other", _) => &["此前已多次反映，问题未解决。"],
        ("traffic.accident_property" | "traffic.accident_injury" | "traffic.congestion", _) => {
            &["现场车辆较多，通行缓慢。", "报警人在现场等候。"]
        }
        (_, "criminal") => &[
            "报警人目前在现场等候。",
            "现场附近有监控摄像头。",
            "报警人情绪较为激动。",
        ],
        (_, "public_order") => &["现场围观群众较多。", "报警人目前在现场等候。"],
        (_, "traffic") => &["报警人在现场等候。"],
        (_, "dispute") => &[
            "此前双方已多次发生类似纠纷。",
            "社区工作人员已到场劝解。",
            "双方情绪激动。",
        ],
        (_, "assistance") => &["报警人情绪焦急。"],
        (_, "lost_missing") => &[
            "报警人已在附近寻找未果。",
            "报警人留下联系电话，请求有消息及时告知。",
        ],
        (_, "fire") => &["已同时通知119。", "现场暂未发现人员被困。"],
        _ => &[],
    };
    if options.is_empty() || !r.chance(0.3) {
        return None;
    }
    Some(r.pick(options))
}
