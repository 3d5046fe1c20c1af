//! Narratives of the `other` sub-categories.

use crate::demo::incident::Ctx;
use crate::demo::rng::Rng;

/// Narrative and address for `code`, or `None` when it is not a `other` sub-category
/// (then nothing was drawn from `r`).
pub(super) fn compose(r: &mut Rng, code: &str, c: &Ctx<'_>) -> Option<(String, String)> {
    let l = &c.loc;
    let w = c.w;
    Some(match code {
        "other.consultation" => match r.below(2) {
            0 => (
                format!("报警人咨询办理{}需要准备哪些材料。", r.pick(&w.services)),
                c.addr_home(),
            ),
            _ => (
                "报警人咨询电动自行车上牌的办理地点和时间。".to_string(),
                c.addr_home(),
            ),
        },
        "other.tip_off" => match r.below(3) {
            0 => (
                format!(
                    "报警人举报{}一出租屋内人员进出频繁，疑似从事传销活动。",
                    c.home_place()
                ),
                c.addr_home(),
            ),
            1 => (
                format!("报警人举报{}附近有人非法销售烟花爆竹。", l.road),
                c.addr_road(),
            ),
            _ => {
                let shop = r.pick(&["诚信烟酒店", "万家福超市", "好邻居便利店"]);
                (
                    format!("报警人举报{shop}向未成年人出售香烟和酒。"),
                    c.addr_shop(shop),
                )
            }
        },
        "other.misdial" => match r.below(2) {
            0 => (
                "来电系小孩玩手机误拨110，经回拨核实无警情。".to_string(),
                c.addr_home(),
            ),
            _ => (
                "电话接通后无人说话，经回拨核实为误拨。".to_string(),
                c.addr_home(),
            ),
        },
        "other.harassing_call" => match r.below(2) {
            0 => (
                "来电人多次拨打110反映与警务无关的个人情绪问题，经耐心劝导后挂断。".to_string(),
                c.addr_home(),
            ),
            _ => (
                "来电人拨通110后无故辱骂接警员，经核实为骚扰电话。".to_string(),
                c.addr_home(),
            ),
        },
        "other.non_police" => match r.below(3) {
            0 => (
                format!("报警人称{}停水已超过一天，请求帮助协调。", c.home_place()),
                c.addr_compound(),
            ),
            1 => (
                format!("报警人反映{}路灯大面积不亮，请求联系相关部门维修。", l.road),
                c.addr_road(),
            ),
            _ => (
                format!("报警人反映{}垃圾长期无人清运，气味难闻。", c.home_place()),
                c.addr_compound(),
            ),
        },
        "other.misc" => match r.below(2) {
            0 => {
                let spot = c.spot(r);
                (
                    format!("报警人反映{spot}有一只走失的宠物狗，请求帮助寻找主人。"),
                    c.addr_road(),
                )
            }
            _ => (
                "报警人称其快递包裹被他人误领，请求帮助协调。".to_string(),
                c.addr_home(),
            ),
        },

        _ => return None,
    })
}
