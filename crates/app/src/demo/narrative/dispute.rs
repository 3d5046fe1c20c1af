//! Narratives of the `dispute` sub-categories.

use crate::demo::incident::Ctx;
use crate::demo::rng::Rng;

/// Narrative and address for `code`, or `None` when it is not a `dispute` sub-category
/// (then nothing was drawn from `r`).
pub(super) fn compose(r: &mut Rng, code: &str, c: &Ctx<'_>) -> Option<(String, String)> {
    let l = &c.loc;
    let w = c.w;
    let when = c.when.as_str();
    Some(match code {
        "dispute.neighbour" => match r.below(3) {
            0 => (
                format!(
                    "报警人称其与楼下邻居因{}发生纠纷，双方争吵激烈，请求民警调解。",
                    r.pick(&w.neighbour_causes)
                ),
                c.addr_home(),
            ),
            1 if l.rural => (
                "报警人称邻居在两家交界处砌墙，占用其部分宅基地，双方多次协商未果。".to_string(),
                c.addr_home(),
            ),
            _ => (
                "报警人称邻居家的狗经常在其门口便溺，沟通时对方态度恶劣，双方发生口角。"
                    .to_string(),
                c.addr_home(),
            ),
        },
        "dispute.family" => match r.below(3) {
            0 => (
                format!(
                    "报警人称其与{}因{}发生争吵，对方情绪激动并摔砸家中物品。",
                    r.pick(&w.family_members),
                    r.pick(&w.family_causes)
                ),
                c.addr_home(),
            ),
            1 => (
                "报警人称其兄弟姐妹因老人房产分配问题发生争执，现场情绪激动，请求民警调解。"
                    .to_string(),
                c.addr_home(),
            ),
            _ => (
                format!("报警人称其丈夫{when}酒后与其发生争吵并推搡，请求民警到场处理。"),
                c.addr_home(),
            ),
        },
        "dispute.labour" => match r.below(3) {
            0 => (
                format!(
                    "报警人称其在{}某工地务工，包工头拖欠其及工友共{}人工资约{}元，多次讨要无果。",
                    l.road,
                    r.range(3, 20),
                    r.amount(8000, 150000, 1000)
                ),
                c.addr_road(),
            ),
            1 => {
                let shop = r.pick(&w.shops);
                (
                    format!(
                        "报警人称其在{shop}工作{}个月，离职时老板拒绝结算工资{}元。",
                        r.range(2, 14),
                        r.amount(2000, 12000, 100)
                    ),
                    c.addr_shop(shop),
                )
            }
            _ => (
                format!(
                    "报警人称约{}名工人聚集在{}一家企业门口讨要工资，情绪较激动。",
                    r.range(10, 40),
                    l.road
                ),
                c.addr_road(),
            ),
        },
        "dispute.consumer" => match r.below(3) {
            0 => {
                let shop = r.pick(&w.shops);
                (
                    format!("报警人称其在{shop}消费后发现结算价格与标价不符，与店家发生争执。"),
                    c.addr_shop(shop),
                )
            }
            1 => {
                let shop = r.pick(&["阳光手机店", "兴旺建材店", "顺发五金店"]);
                (
                    format!(
                        "报警人称其在{shop}购买的商品存在质量问题，商家拒绝退换，双方发生争执。"
                    ),
                    c.addr_shop(shop),
                )
            }
            _ => {
                let eat = r.pick(&w.eateries);
                (
                    format!("报警人称其在{eat}就餐后认为收费过高，与店主发生纠纷。"),
                    c.addr_shop(eat),
                )
            }
        },
        "dispute.debt" => match r.below(2) {
            0 => (
                format!(
                    "报警人称他人欠其借款{}元，到期后拒不归还，今日上门讨要时双方发生争执。",
                    r.amount(5000, 100000, 1000)
                ),
                c.addr_home(),
            ),
            _ => (
                "报警人称有人到其家中讨债，在门口吵闹不肯离开，报警人称欠款已经还清。".to_string(),
                c.addr_home(),
            ),
        },
        "dispute.property_mgmt" => match r.below(2) {
            0 => (
                format!(
                    "报警人称{}物业以其拖欠物业费为由限制其车辆进入小区，双方发生争执。",
                    l.compound
                ),
                format!("{}{}号{}", l.road, l.num, l.compound),
            ),
            _ => (
                format!(
                    "报警人称{}电梯长期故障未修，多名业主聚集在物业办公室与物业人员发生争执。",
                    l.compound
                ),
                format!("{}{}号{}", l.road, l.num, l.compound),
            ),
        },
        "dispute.land" => match r.below(2) {
            0 => (
                format!(
                    "报警人称其与同组村民因{}发生纠纷，对方在其承包地内强行施工。",
                    r.pick(&w.land_causes)
                ),
                format!("{}{}{}组", c.st.area, l.village, l.group),
            ),
            _ => (
                format!(
                    "报警人称{}{}组有村民因{}问题发生争吵，双方各有数人在场。",
                    l.village,
                    l.group,
                    r.pick(&w.land_causes)
                ),
                format!("{}{}{}组", c.st.area, l.village, l.group),
            ),
        },
        "dispute.other" => match r.below(2) {
            0 => (
                format!(
                    "报警人称其与房东因退还押金{}元问题发生纠纷，请求民警调解。",
                    r.amount(500, 5000, 100)
                ),
                c.addr_home(),
            ),
            _ => {
                let shop = r.pick(&w.shops);
                (
                    format!(
                        "报警人称其与合伙人因{shop}经营账目问题发生争执，对方将店铺上锁不让其进入。"
                    ),
                    c.addr_shop(shop),
                )
            }
        },

        _ => return None,
    })
}
