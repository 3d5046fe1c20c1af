//! Narratives of the `fire` sub-categories.

use crate::demo::incident::Ctx;
use crate::demo::rng::Rng;

/// Narrative and address for `code`, or `None` when it is not a `fire` sub-category
/// (then nothing was drawn from `r`).
pub(super) fn compose(r: &mut Rng, code: &str, c: &Ctx<'_>) -> Option<(String, String)> {
    let l = &c.loc;
    let w = c.w;
    Some(match code {
        "fire.building" => match r.below(2) {
            0 if !l.rural => (
                format!(
                    "报警人称{}{}栋{}楼一住户家中冒出浓烟，疑似厨房起火。",
                    l.compound, l.building, l.floor
                ),
                format!("{}{}号{}{}栋", l.road, l.num, l.compound, l.building),
            ),
            _ => {
                let shop = r.pick(&w.shops);
                (
                    format!("报警人称{shop}内起火，火势较大，店内人员已撤出。"),
                    c.addr_shop(shop),
                )
            }
        },
        "fire.vehicle" => match r.below(2) {
            0 => (
                format!(
                    "报警人称{}一辆小型轿车发动机舱冒烟起火，驾驶人已下车，无人员受伤。",
                    l.road
                ),
                c.addr_road(),
            ),
            _ => (
                format!(
                    "报警人称{}车棚内一辆电动车充电时起火，已波及旁边车辆。",
                    c.home_place()
                ),
                c.addr_compound(),
            ),
        },
        "fire.wildland" => match r.below(2) {
            0 => (
                format!(
                    "报警人称{}后山发生山火，火势沿山坡蔓延，附近有民房。",
                    l.village
                ),
                format!("{}{}后山", c.st.area, l.village),
            ),
            _ => (
                format!(
                    "报警人称在{}半山腰看到明火和浓烟，请求处置。",
                    c.st.landmark
                ),
                format!("{}{}", c.st.area, c.st.landmark),
            ),
        },
        "fire.outdoor_burning" => match r.below(2) {
            0 => (
                format!(
                    "报警人称{}{}组有村民在田间焚烧秸秆，浓烟较大，影响道路视线。",
                    l.village, l.group
                ),
                format!("{}{}{}组", c.st.area, l.village, l.group),
            ),
            _ => (
                format!("报警人称{}附近空地有人焚烧垃圾，烟雾飘入居民楼。", l.road),
                c.addr_road(),
            ),
        },
        "fire.other" => match r.below(2) {
            0 => (
                format!(
                    "报警人称{}路边垃圾桶起火，已被路人用水扑灭，请求到场查看。",
                    l.road
                ),
                c.addr_road(),
            ),
            _ => (
                format!("报警人称{}楼道内电表箱冒烟，有焦糊味。", c.home_place()),
                c.addr_home(),
            ),
        },

        _ => return None,
    })
}
