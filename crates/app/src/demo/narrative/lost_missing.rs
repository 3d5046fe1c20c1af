//! Narratives of the `lost_missing` sub-categories.

use crate::demo::incident::Ctx;
use crate::demo::rng::Rng;

/// Narrative and address for `code`, or `None` when it is not a `lost_missing` sub-category
/// (then nothing was drawn from `r`).
pub(super) fn compose(r: &mut Rng, code: &str, c: &Ctx<'_>) -> Option<(String, String)> {
    let l = &c.loc;
    let w = c.w;
    let when = c.when.as_str();
    Some(match code {
        "lost_missing.lost_item" => match r.below(2) {
            0 => (
                format!(
                    "报警人称其{when}乘坐出租车时将{}遗落在车上，未记下车牌号，请求帮助寻找。",
                    r.pick(&w.lost_items)
                ),
                c.addr_road(),
            ),
            _ => {
                let spot = c.spot(r);
                (
                    format!(
                        "报警人称其在{spot}附近遗失{}，请求帮助查找。",
                        r.pick(&w.lost_items)
                    ),
                    c.addr_road(),
                )
            }
        },
        "lost_missing.found_item" => match r.below(2) {
            0 => {
                let spot = c.spot(r);
                (
                    format!(
                        "报警人称其在{spot}拾获{}，请求民警帮助寻找失主。",
                        r.pick(&w.found_items)
                    ),
                    c.addr_road(),
                )
            }
            _ => (
                format!(
                    "报警人称在{}公交站台捡到一部{}手机，愿意将手机送至派出所。",
                    l.road,
                    r.pick(&w.phones)
                ),
                c.addr_road(),
            ),
        },
        "lost_missing.missing_person" => match r.below(2) {
            0 => (
                format!(
                    "报警人称其{}岁的{}{when}独自外出后未回家，老人有轻度认知障碍，走失时身穿{}外套。",
                    r.range(68, 88),
                    r.pick(&w.elders),
                    r.pick(&w.colours)
                ),
                c.addr_home(),
            ),
            _ => (
                format!(
                    "报警人称其{}{}离家外出后至今未归，手机关机，家人多方寻找未果。",
                    r.pick(&w.adult_relatives),
                    r.pick(&["昨天晚上", "前天上午", "昨天中午", "今天早上"])
                ),
                c.addr_home(),
            ),
        },
        "lost_missing.missing_child" => match r.below(2) {
            0 => {
                let spot = c.spot(r);
                (
                    format!(
                        "报警人称其{}岁的孩子在{spot}玩耍时走失，孩子身穿{}上衣，已寻找约半小时未果。",
                        r.range(3, 9),
                        r.pick(&w.colours)
                    ),
                    c.addr_road(),
                )
            }
            _ => (
                format!(
                    "报警人称其孩子放学后未按时回家，同学称其在{}门口独自离开，电话手表联系不上。",
                    c.st.school
                ),
                format!("{}{}", c.st.area, c.st.school),
            ),
        },
        "lost_missing.lost_documents" => match r.below(2) {
            0 => (
                "报警人称其钱包遗失，内有身份证、驾驶证及银行卡，担心被他人冒用，请求登记。"
                    .to_string(),
                c.addr_road(),
            ),
            _ => {
                let spot = c.spot(r);
                (
                    format!("报警人称其在{spot}附近遗失身份证，询问如何办理挂失和补领。"),
                    c.addr_road(),
                )
            }
        },

        _ => return None,
    })
}
