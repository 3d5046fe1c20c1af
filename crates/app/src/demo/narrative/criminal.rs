//! Narratives of the `criminal` sub-categories.

use crate::demo::incident::Ctx;
use crate::demo::plan::COUNTY;
use crate::demo::rng::Rng;

/// Narrative and address for `code`, or `None` when it is not a `criminal` sub-category
/// (then nothing was drawn from `r`).
pub(super) fn compose(r: &mut Rng, code: &str, c: &Ctx<'_>) -> Option<(String, String)> {
    let l = &c.loc;
    let w = c.w;
    let when = c.when.as_str();
    Some(match code {
        "criminal.theft" => match r.below(4) {
            0 => {
                let spot = c.spot(r);
                let doing = r.pick(&["买菜", "等公交", "购物", "排队缴费"]);
                let bag = r.pick(&["外套口袋", "挎包", "双肩包", "电动车前筐"]);
                let item = if r.chance(0.6) {
                    format!("{}手机一部", r.pick(&w.phones))
                } else {
                    format!(
                        "钱包一个（内有现金约{}元及身份证）",
                        r.amount(200, 1500, 50)
                    )
                };
                (
                    format!(
                        "报警人称其{when}在{spot}{doing}时，放在{bag}里的{item}被盗，价值约{}元。",
                        r.amount(800, 6000, 100)
                    ),
                    c.addr_road(),
                )
            }
            1 => {
                let shop = r.pick(&w.shops);
                (
                    format!(
                        "报警人称其经营的{shop}收银台抽屉内现金约{}元被盗，门锁无明显撬动痕迹，店内有监控。",
                        r.amount(300, 5000, 100)
                    ),
                    c.addr_shop(shop),
                )
            }
            2 => (
                format!(
                    "报警人称其晾晒在{}院内的衣物和放在门口的{}被人拿走，怀疑被盗，要求民警调取监控。",
                    c.home_place(),
                    r.pick(&["两箱白酒", "一袋大米", "快递包裹", "电动车充电器"])
                ),
                c.addr_compound(),
            ),
            _ => (
                format!(
                    "报警人称其{when}在{}工地存放的{}被盗，价值约{}元。",
                    l.road,
                    r.pick(&["电缆线约两百米", "钢管一批", "电焊机一台", "铝合金门窗材料"]),
                    r.amount(2000, 20000, 500)
                ),
                c.addr_road(),
            ),
        },
        "criminal.burglary" => match r.below(3) {
            0 => (
                format!(
                    "报警人称其{when}回家发现房门被撬，卧室抽屉被翻动，丢失现金约{}元及金手镯一只。",
                    r.amount(1000, 12000, 100)
                ),
                c.addr_home(),
            ),
            1 => (
                format!(
                    "报警人称其家中窗户防盗网被破坏，{}被盗，具体损失正在清点。",
                    r.pick(&["笔记本电脑一台", "首饰若干", "现金及烟酒", "平板电脑一台"])
                ),
                c.addr_home(),
            ),
            _ => {
                let shop = r.pick(&w.shops);
                (
                    format!(
                        "报警人称其{shop}夜间被人撬开卷帘门进入，丢失{}一批，价值约{}元。",
                        r.pick(&w.shop_goods),
                        r.amount(2000, 30000, 500)
                    ),
                    c.addr_shop(shop),
                )
            }
        },
        "criminal.vehicle_theft" => match r.below(4) {
            0 => (
                format!(
                    "报警人称其停放在{}楼下的电动自行车被盗，车辆为{}{}牌，价值约{}元。",
                    c.home_place(),
                    r.pick(&w.colours),
                    r.pick(&w.ebikes),
                    r.amount(1500, 4500, 100)
                ),
                c.addr_compound(),
            ),
            1 => (
                format!(
                    "报警人称其放在{}车棚内的电动车电瓶被盗，损失约{}元。",
                    c.home_place(),
                    r.amount(400, 1500, 50)
                ),
                c.addr_compound(),
            ),
            2 => (
                format!(
                    "报警人称其停放在{}路边的{}{}牌两轮摩托车被盗，车辆购买于{}年，价值约{}元。",
                    l.road,
                    r.pick(&w.colours),
                    r.pick(&w.motos),
                    r.range(2016, 2024),
                    r.amount(3000, 9000, 100)
                ),
                c.addr_road(),
            ),
            _ => (
                format!(
                    "报警人称其{when}发现停放在{}路边的{}{}牌小型轿车不见了，已向停车场及交警核实车辆未被拖移。",
                    l.road,
                    r.pick(&w.colours),
                    r.pick(&w.cars)
                ),
                c.addr_road(),
            ),
        },
        "criminal.fraud" => {
            let text = match r.below(6) {
                0 => format!(
                    "报警人称其{when}接到自称“{}客服”的电话，对方以{}为由诱导其下载会议软件并开启屏幕共享，随后其按要求转账，共被骗{}元。",
                    r.pick(&w.platforms),
                    r.pick(&w.pretexts),
                    r.amount(2000, 60000, 100)
                ),
                1 => format!(
                    "报警人称其在网上看到“刷单返利”兼职广告，按对方要求垫付{}单后无法提现，共损失{}元。",
                    r.range(3, 12),
                    r.amount(1000, 40000, 100)
                ),
                2 => format!(
                    "报警人称其被人拉入一个“投资理财”群，在对方推荐的APP内充值{}元后无法提现，对方已失联。",
                    r.amount(10000, 180000, 1000)
                ),
                3 => format!(
                    "报警人称有人冒充其{}添加其微信，以急需用钱为由让其转账{}元，后经电话核实发现被骗。",
                    r.pick(&w.fake_relations),
                    r.amount(3000, 50000, 1000)
                ),
                4 => format!(
                    "报警人称其在二手交易平台购买{}，私下转账付款{}元后对方不发货并将其拉黑。",
                    r.pick(&w.second_hand),
                    r.amount(200, 6000, 50)
                ),
                _ => format!(
                    "报警人称其接到自称“公安机关”工作人员的电话，称其涉嫌洗钱需要进行“资金核查”，其按对方要求向“安全账户”转账{}元。",
                    r.amount(20000, 200000, 1000)
                ),
            };
            let text = if r.chance(0.4) {
                format!(
                    "{text}{}",
                    r.pick(&[
                        "报警人已保留转账记录和聊天截图。",
                        "报警人称对方账号已将其拉黑。",
                        "报警人已联系银行，请求协助止付。",
                    ])
                )
            } else {
                text
            };
            (text, c.addr_home())
        }
        "criminal.robbery" => match r.below(2) {
            0 => (
                format!(
                    "报警人称其{when}步行至{}附近时，被一名骑摩托车的男子抢走挎包，包内有手机一部及现金约{}元，嫌疑人往{}方向逃离。",
                    l.road,
                    r.amount(200, 3000, 100),
                    l.road2
                ),
                c.addr_road(),
            ),
            _ => {
                let spot = c.spot(r);
                (
                    format!(
                        "报警人称其{when}在{spot}附近被两名男子拦住，对方持刀索要财物，抢走现金{}元后逃离，报警人未受伤。",
                        r.amount(100, 2000, 50)
                    ),
                    c.addr_road(),
                )
            }
        },
        "criminal.injury" => match r.below(2) {
            0 => {
                let eat = r.pick(&w.eateries);
                (
                    format!(
                        "报警人称其{when}在{eat}与他人因{}发生冲突，被对方用{}打伤{}，现已到{COUNTY}人民医院治疗。",
                        r.pick(&w.fight_causes),
                        r.pick(&w.weapons),
                        r.pick(&w.body_parts)
                    ),
                    c.addr_shop(eat),
                )
            }
            _ => {
                let shop = r.pick(&["金鼎KTV", "星辰网吧", "明珠茶楼", "江湖大排档"]);
                (
                    format!(
                        "报警人称其朋友在{shop}内被人用啤酒瓶砸伤头部，流血较多，已拨打120，打人者仍在现场。"
                    ),
                    c.addr_shop(shop),
                )
            }
        },
        "criminal.damage" => match r.below(2) {
            0 => (
                format!(
                    "报警人称其停放在{}的小型轿车车身被人用利器划伤多处，怀疑系人为故意损坏，修复费用约{}元。",
                    c.home_place(),
                    r.amount(1500, 8000, 100)
                ),
                c.addr_compound(),
            ),
            _ => {
                let shop = r.pick(&w.shops);
                (
                    format!(
                        "报警人称其经营的{shop}的玻璃门{when}被人用石头砸碎，嫌疑人已离开，店内监控有记录。"
                    ),
                    c.addr_shop(shop),
                )
            }
        },
        "criminal.other" => match r.below(2) {
            0 => (
                "报警人称其身份信息被人冒用办理了银行卡，担心被用于违法犯罪活动，请求民警处理。"
                    .to_string(),
                c.addr_home(),
            ),
            _ => (
                "报警人称其近日多次收到威胁短信，对方扬言要对其家人不利，请求民警处理。"
                    .to_string(),
                c.addr_home(),
            ),
        },

        _ => return None,
    })
}
