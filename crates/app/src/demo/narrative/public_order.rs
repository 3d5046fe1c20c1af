//! Narratives of the `public_order` sub-categories.

use crate::demo::incident::{Ctx, cn_small};
use crate::demo::rng::Rng;

/// Narrative and address for `code`, or `None` when it is not a `public_order` sub-category
/// (then nothing was drawn from `r`).
pub(super) fn compose(r: &mut Rng, code: &str, c: &Ctx<'_>) -> Option<(String, String)> {
    let l = &c.loc;
    let w = c.w;
    let when = c.when.as_str();
    Some(match code {
        "public_order.fight" => match r.below(3) {
            0 => {
                let eat = r.pick(&w.eateries);
                (
                    format!(
                        "报警人称{when}在{eat}有{}名男子因{}发生打架，现场有人受轻伤，请求出警。",
                        cn_small(r.range(2, 6)),
                        r.pick(&w.fight_causes)
                    ),
                    c.addr_shop(eat),
                )
            }
            1 => {
                let shop = r.pick(&w.shops);
                (
                    format!(
                        "报警人称{}{shop}门口有人打架，双方约{}人，情绪激动。",
                        l.road,
                        r.range(3, 8)
                    ),
                    c.addr_shop(shop),
                )
            }
            _ => {
                let spot = c.spot(r);
                (
                    format!(
                        "报警人称其在{spot}与他人因{}发生口角后互殴，双方均有轻微擦伤。",
                        r.pick(&w.fight_causes)
                    ),
                    c.addr_road(),
                )
            }
        },
        "public_order.disturbance" => match r.below(2) {
            0 => {
                let shop = r.pick(&w.shops);
                (
                    format!("报警人称有一男子在{shop}内无故辱骂店员并摔砸物品，影响正常营业。"),
                    c.addr_shop(shop),
                )
            }
            _ => {
                let spot = c.spot(r);
                (
                    format!("报警人称有几名青年在{spot}拦住路人强行索要香烟，并辱骂路人。"),
                    c.addr_road(),
                )
            }
        },
        "public_order.noise" => match r.below(4) {
            0 => (
                format!(
                    "报警人称{}{}栋楼上住户{when}仍在大声播放音乐，严重影响休息，多次沟通无果。",
                    c.home_place(),
                    l.building
                ),
                c.addr_home(),
            ),
            1 => (
                format!(
                    "报警人称{}附近广场舞音响声音过大，影响周边居民休息。",
                    l.road
                ),
                c.addr_road(),
            ),
            2 => (
                format!(
                    "报警人称{}附近工地夜间施工，噪声扰民，要求民警处理。",
                    c.home_place()
                ),
                c.addr_compound(),
            ),
            _ => {
                let eat = r.pick(&w.eateries);
                (
                    format!("报警人称楼下{eat}夜间经营噪声较大，顾客喧哗至凌晨。"),
                    c.addr_shop(eat),
                )
            }
        },
        "public_order.gambling" => match r.below(2) {
            0 => (
                format!(
                    "报警人举报{}一民房内有人聚众赌博，约{}人，使用扑克牌赌“炸金花”。",
                    c.home_place(),
                    r.range(5, 15)
                ),
                c.addr_home(),
            ),
            _ => {
                let shop = r.pick(&["明珠茶楼", "兴隆棋牌室", "悠闲茶馆"]);
                (
                    format!(
                        "报警人称其丈夫近期在{shop}参与赌博，已输掉{}元，请求民警查处。",
                        r.amount(5000, 60000, 1000)
                    ),
                    c.addr_shop(shop),
                )
            }
        },
        "public_order.drunk" => match r.below(2) {
            0 => {
                let eat = r.pick(&w.eateries);
                (
                    format!("报警人称一名醉酒男子在{eat}门口大声吵闹，踢打停放的车辆，劝阻无效。"),
                    c.addr_shop(eat),
                )
            }
            _ => (
                format!(
                    "报警人称{}门口有醉酒人员与保安发生争执，情绪激动。",
                    c.home_place()
                ),
                c.addr_compound(),
            ),
        },
        "public_order.harassment" => match r.below(3) {
            0 => (
                "报警人称其近期多次收到陌生号码发来的骚扰短信，内容含有侮辱性语言，影响正常生活。"
                    .to_string(),
                c.addr_home(),
            ),
            1 => {
                let spot = c.spot(r);
                (
                    format!(
                        "报警人称其{when}在{spot}附近被一男子尾随并言语骚扰，现已到附近商店躲避。"
                    ),
                    c.addr_road(),
                )
            }
            _ => (
                "报警人称有人在其家门口张贴侮辱性字报，怀疑系与其有矛盾的人所为。".to_string(),
                c.addr_home(),
            ),
        },
        "public_order.other" => match r.below(3) {
            0 => (
                format!(
                    "报警人称{}附近有人摆摊销售疑似管制刀具，请求民警核查。",
                    l.road
                ),
                c.addr_road(),
            ),
            1 => (
                format!(
                    "报警人称{}有住户从楼上私拉电线给电动车充电，存在安全隐患，物业劝阻无效。",
                    c.home_place()
                ),
                c.addr_compound(),
            ),
            _ => {
                let spot = c.spot(r);
                (
                    format!("报警人称{spot}有无人机在人群上方低空飞行，担心存在安全隐患。"),
                    c.addr_road(),
                )
            }
        },

        _ => return None,
    })
}
