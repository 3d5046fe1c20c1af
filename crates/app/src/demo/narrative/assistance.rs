//! Narratives of the `assistance` sub-categories.

use crate::demo::incident::Ctx;
use crate::demo::rng::Rng;

/// Narrative and address for `code`, or `None` when it is not a `assistance` sub-category
/// (then nothing was drawn from `r`).
pub(super) fn compose(r: &mut Rng, code: &str, c: &Ctx<'_>) -> Option<(String, String)> {
    let l = &c.loc;
    let w = c.w;
    let when = c.when.as_str();
    Some(match code {
        "assistance.locked_out" => match r.below(3) {
            0 => (
                format!(
                    "报警人称其{when}出门忘带钥匙被锁在门外，家中有{}岁孩子独自在家，请求帮助。",
                    r.range(3, 8)
                ),
                c.addr_home(),
            ),
            1 => (
                format!(
                    "报警人称其将钥匙锁在车内，车辆停放在{}路边，请求帮助。",
                    l.road
                ),
                c.addr_road(),
            ),
            _ => (
                format!(
                    "报警人称其年迈的{}独自在家，敲门长时间无人应答，担心发生意外，请求民警协助开门查看。",
                    r.pick(&w.elders)
                ),
                c.addr_home(),
            ),
        },
        "assistance.medical" => match r.below(2) {
            0 => {
                let spot = c.spot(r);
                (
                    format!(
                        "报警人称{spot}有一名老人突然晕倒，意识不清，已拨打120，请求民警到场协助。"
                    ),
                    c.addr_road(),
                )
            }
            _ => (
                format!(
                    "报警人称其家人在家中突发疾病，救护车被堵在{}门口无法进入，请求协助疏通道路。",
                    c.home_place()
                ),
                c.addr_compound(),
            ),
        },
        "assistance.stranded" => match r.below(3) {
            0 if !l.rural => {
                let f = l.floor.max(2);
                (
                    format!(
                        "报警人称其被困在{}{}栋电梯内，电梯停在{}楼与{}楼之间，物业电话无人接听。",
                        l.compound,
                        l.building,
                        f - 1,
                        f
                    ),
                    format!("{}{}号{}{}栋", l.road, l.num, l.compound, l.building),
                )
            }
            1 => (
                format!(
                    "报警人称其一行{}人在{}游玩时迷路，天色已晚，手机电量不足，请求救助。",
                    r.range(2, 5),
                    c.st.landmark
                ),
                format!("{}{}", c.st.area, c.st.landmark),
            ),
            _ => (
                format!(
                    "报警人称一名儿童的手被卡在{}健身器材内无法取出，请求帮助。",
                    c.home_place()
                ),
                c.addr_compound(),
            ),
        },
        "assistance.animal" => match r.below(2) {
            0 => (
                format!(
                    "报警人称有一条流浪狗在{}内追咬行人，已有一人被咬伤。",
                    c.home_place()
                ),
                c.addr_compound(),
            ),
            _ => (
                "报警人称家中进入一条蛇，家人不敢靠近，请求帮助处理。".to_string(),
                c.addr_home(),
            ),
        },
        "assistance.facility" => match r.below(3) {
            0 => (
                format!("报警人称{}{}号附近井盖缺失，存在安全隐患。", l.road, l.num),
                c.addr_road(),
            ),
            1 => (
                format!("报警人称{}路边一棵大树因大风倒伏，压住部分路面。", l.road),
                c.addr_road(),
            ),
            _ => (
                format!(
                    "报警人称{}附近一根电线杆倾斜，电线垂落至地面。",
                    c.home_place()
                ),
                c.addr_compound(),
            ),
        },
        "assistance.drunk_person" => match r.below(2) {
            0 => {
                let spot = c.spot(r);
                (
                    format!("报警人称{spot}有一名男子醉倒在路边，呼叫无反应，担心其安全。"),
                    c.addr_road(),
                )
            }
            _ => {
                let eat = r.pick(&w.eateries);
                (
                    format!(
                        "报警人称其朋友醉酒后在{eat}不肯离开，无法联系其家人，请求帮助送其回家。"
                    ),
                    c.addr_shop(eat),
                )
            }
        },
        "assistance.other" => match r.below(3) {
            0 => {
                let spot = c.spot(r);
                (
                    format!("报警人称其在{spot}手机没电且身无分文，无法回家，请求民警帮助。"),
                    c.addr_road(),
                )
            }
            1 => (
                format!(
                    "报警人称其{}长时间未接电话，担心其在家出事，请求民警上门查看。",
                    r.pick(&w.elders)
                ),
                c.addr_home(),
            ),
            _ => (
                format!(
                    "报警人称其车辆{when}在{}爆胎，无法自行处理，请求帮助。",
                    l.road
                ),
                c.addr_road(),
            ),
        },

        _ => return None,
    })
}
