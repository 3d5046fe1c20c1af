//! Narratives of the `traffic` sub-categories.

use crate::demo::incident::Ctx;
use crate::demo::rng::Rng;

/// Narrative and address for `code`, or `None` when it is not a `traffic` sub-category
/// (then nothing was drawn from `r`).
pub(super) fn compose(r: &mut Rng, code: &str, c: &Ctx<'_>) -> Option<(String, String)> {
    let l = &c.loc;
    let w = c.w;
    let when = c.when.as_str();
    Some(match code {
        "traffic.accident_property" => match r.below(3) {
            0 => (
                format!(
                    "报警人称其驾驶的{}{}牌小型轿车在{}与一辆{}发生刮擦，无人员受伤，双方对责任有争议。",
                    r.pick(&w.colours),
                    r.pick(&w.cars),
                    l.road,
                    r.pick(&w.vehicles)
                ),
                c.addr_road(),
            ),
            1 => (
                format!(
                    "报警人称其在{}停车场倒车时与他人车辆发生碰撞，车辆轻微受损，需民警到场认定。",
                    c.home_place()
                ),
                c.addr_compound(),
            ),
            _ => (
                "报警人称两车追尾，无人员受伤，车辆占用车道影响通行。".to_string(),
                c.addr_crossing(),
            ),
        },
        "traffic.accident_injury" => match r.below(2) {
            0 => (
                format!(
                    "报警人称一辆电动自行车与一辆{}相撞，电动车驾驶人腿部受伤，已拨打120。",
                    r.pick(&w.vehicles)
                ),
                c.addr_crossing(),
            ),
            _ => (
                format!(
                    "报警人称其{when}骑电动车行至{}时被一辆{}撞倒，手臂擦伤，请求处理。",
                    l.road,
                    r.pick(&w.vehicles)
                ),
                c.addr_road(),
            ),
        },
        "traffic.hit_and_run" => match r.below(2) {
            0 => (
                format!(
                    "报警人称其停放在{}路边的车辆被撞，肇事车辆已驶离现场，车尾保险杠受损。",
                    l.road
                ),
                c.addr_road(),
            ),
            _ => (
                format!(
                    "报警人称其{when}在{}骑车时被一辆{}面包车刮倒，对方未停车，往{}方向驶离，报警人轻微受伤。",
                    l.road,
                    r.pick(&w.colours),
                    l.road2
                ),
                c.addr_road(),
            ),
        },
        "traffic.congestion" => match r.below(2) {
            0 => (
                "报警人称路口信号灯故障，车辆拥堵严重，请求民警疏导。".to_string(),
                c.addr_crossing(),
            ),
            _ => (
                format!("报警人称{}放学时段门口车辆乱停，道路堵塞。", c.st.school),
                format!("{}{}", c.st.area, c.st.school),
            ),
        },
        "traffic.illegal_parking" => match r.below(2) {
            0 => (
                format!(
                    "报警人称一辆{}小型轿车停在{}消防通道上，堵住其车辆无法驶出，联系不上车主。",
                    r.pick(&w.colours),
                    c.home_place()
                ),
                c.addr_compound(),
            ),
            _ => (
                format!(
                    "报警人称其车库门口被一辆{}堵住，车上未留挪车电话。",
                    r.pick(&w.vehicles)
                ),
                c.addr_home(),
            ),
        },
        "traffic.drunk_driving" => match r.below(2) {
            0 => (
                format!(
                    "报警人称{}有一辆{}轿车行驶时左右摇摆，驾驶人疑似酒后驾车，车辆往{}方向行驶。",
                    l.road,
                    r.pick(&w.colours),
                    l.road2
                ),
                c.addr_road(),
            ),
            _ => {
                let eat = r.pick(&w.eateries);
                (
                    format!("报警人称看到一名男子在{eat}喝酒后驾车离开，请求民警查处。"),
                    c.addr_shop(eat),
                )
            }
        },
        "traffic.other" => match r.below(2) {
            0 => (
                format!(
                    "报警人称{}路面有大量散落的砂石，影响车辆通行，存在安全隐患。",
                    l.road
                ),
                c.addr_road(),
            ),
            _ => (
                "报警人称一辆货车抛锚占道，未设置警示标志，夜间存在安全隐患。".to_string(),
                c.addr_road(),
            ),
        },

        _ => return None,
    })
}
